"""The side-by-side benchmark runner works end to end (timings themselves are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def test_runner_prints_a_ratio_row_for_w8() -> None:
    out = subprocess.run([sys.executable, str(RUNNER), "--repeat", "2", "W8"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line for line in out.stdout.splitlines() if line.startswith("| W8 |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    ms_gs, ms_torch, ratio = (float(cells[i].split()[0]) for i in (2, 3, 4))  # "0.31 [0.30-0.44]": median [range]
    assert ms_gs > 0 and ms_torch > 0 and ratio >= 0  # a table of numbers; their size is the benchmark's business, not a test's


def test_w4_products_script_issues_the_step_products() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("w4_products", RUNNER.parent / "w4_products.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runner = module.load_runner()
    module.products_step(runner.load_workloads()["W4"])()  # one step's products run; the timing is the script's business
    assert callable(runner.run_child)
