"""``gradstudent bench``: the suite runs from the package (timings themselves are never asserted)."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from gradstudent.bench.runner import load_workloads, main


def test_every_workload_takes_a_device() -> None:
    workloads = load_workloads()
    assert list(workloads)[:2] == ["W1", "W2"] and {"W6b", "W8", "W10"} <= set(workloads)
    for name, mod in workloads.items():
        assert mod.NAME == name and mod.DESCRIPTION
        for make in (mod.make_gradstudent, mod.make_torch, getattr(mod, "make_pyg", mod.make_torch)):
            assert inspect.signature(make).parameters["device"].default == "cpu", f"{name}.{make.__name__}"


def test_cli_bench_w8_prints_one_row() -> None:
    cmd = [sys.executable, "-m", "gradstudent.cli", "bench", "W8", "--repeat", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[1] == "| id | workload | gradstudent ms/step | torch ms/step | ratio | gradstudent peak MB | torch peak MB |"
    rows = [line for line in lines if line.startswith("| W8 |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert float(cells[2]) > 0 and float(cells[3]) > 0 and float(cells[4]) >= 0  # torch is installed in the tests


@pytest.mark.parametrize(
    "argv, message",
    [(["W99"], "unknown workload"), (["W8", "--repeat", "0"], "--repeat"), (["W8", "--device", "tpu"], "--device"),
     (["W8", "--device", "cuda"], "GPU")],
)
def test_bad_arguments_are_refused(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from gradstudent import cuda

    if argv[-1] == "cuda" and cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.startswith("W1 ")
