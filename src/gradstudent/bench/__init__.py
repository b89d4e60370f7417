"""``gradstudent bench``: the side-by-side benchmark suite, gradstudent vs PyTorch (when installed).

    gradstudent bench                    # every workload (W1 ... W10)
    gradstudent bench W1 W8 --repeat 5   # a selection, 5 alternating process pairs each
    gradstudent bench W8 --device cuda   # both frameworks on the GPU

The workloads live in :mod:`gradstudent.bench.workloads` and the timing and process logic in
:mod:`gradstudent.bench.runner`, so the installed package carries the whole suite;
``benchmarks/run.py`` in the repository is a thin wrapper around the same runner.
"""

from __future__ import annotations

from .runner import load_workloads, main, run_child, run_pair, time_steps

__all__ = ["load_workloads", "main", "run_child", "run_pair", "time_steps"]
