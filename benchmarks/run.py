"""Side-by-side benchmark: gradstudent vs PyTorch CPU on the workloads of BENCHMARKS.md.

    python benchmarks/run.py                 # all workloads (src/gradstudent/bench/workloads/w*.py)
    python benchmarks/run.py W1 W8           # a selection
    python benchmarks/run.py --repeat 5 W1   # 5 alternating process pairs per workload (default 3)
    python benchmarks/run.py --device cuda   # both frameworks on the GPU

A thin wrapper: the suite lives in the package (``gradstudent.bench``, also ``gradstudent bench``),
so the installed package and this script run one implementation. Run from a checkout, it
benchmarks that checkout's ``src/gradstudent``. See ``gradstudent.bench.runner`` for the method
(process pairs, warm-up, medians, peak memory).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gradstudent.bench.runner import child, load_workloads, main, run_child, run_pair, time_steps  # noqa: E402

__all__ = ["child", "load_workloads", "main", "run_child", "run_pair", "time_steps"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
