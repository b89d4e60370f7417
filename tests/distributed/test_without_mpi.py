"""Without mpi4py (simulated by blocking its import): the library imports, and what needs MPI says how to get it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gradstudent as gs
from gradstudent import distributed as dist
from gradstudent import nn

SRC = Path(gs.__file__).resolve().parents[1]
BLOCK = "import sys; sys.modules['mpi4py'] = None; sys.modules['mpi4py.MPI'] = None\n"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1"}
    for var in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"):
        env.pop(var, None)
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, env=env, timeout=120)


def test_library_imports_and_init_explains_the_extra() -> None:
    proc = _python(
        "import gradstudent as gs\n"
        "from gradstudent.nn.parallel import DistributedDataParallel\n"
        "assert not gs.distributed.is_initialized()\n"
        "try:\n    gs.distributed.init_process_group()\nexcept ImportError as e:\n    print('ERR', e)\n")
    assert proc.returncode == 0, proc.stderr
    assert 'ERR gradstudent.distributed needs mpi4py and an MPI library: pip install -e ".[mpi]"' in proc.stdout


def test_cli_distributed_without_mpi4py_is_a_clear_error() -> None:
    proc = _python("import sys\nfrom gradstudent.cli import main\nsys.exit(main(['run', 'digits-mlp', '--distributed']))")
    assert proc.returncode == 2
    assert '--distributed: gradstudent.distributed needs mpi4py' in proc.stderr and "[mpi]" in proc.stderr


def test_sweep_with_ranks_needs_mpiexec_or_runs_in_process(tmp_path: Path) -> None:
    from gradstudent.cli_sweep import parse_grid, split_values

    assert split_values("1e-3,3e-3") == ["1e-3", "3e-3"]
    assert split_values("[64,64],[128]") == ["[64,64]", "[128]"]
    keys, grid = parse_grid(["lr=1e-3,3e-3", "hidden=[8],[4,4]"])
    assert keys == ["lr", "hidden"] and grid[1] == {"lr": 1e-3, "hidden": [4, 4]} and len(grid) == 4
    with pytest.raises(ValueError, match="given twice"):
        parse_grid(["lr=1", "lr=2"])


def test_without_a_process_group() -> None:
    assert dist.is_initialized() is False
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        dist.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="gradstudent speaks MPI only"):
        dist.init_process_group("nccl")
    with pytest.raises(NotImplementedError, match="one process per device"):
        nn.parallel.DataParallel(nn.Linear(2, 2))
    assert nn.parallel.DistributedDataParallel is dist.DistributedDataParallel


def test_run_distributed_refuses_an_experiment_without_support(tmp_path: Path) -> None:
    from gradstudent.experiments import ConfigError, run_experiment

    with pytest.raises(ConfigError, match="experiment 'xor-mlp' does not support data-parallel training"):
        run_experiment("xor-mlp", {"epochs": 1}, out_root=tmp_path, distributed=True)
    assert not any(tmp_path.iterdir())  # refused before any run directory was made


def test_sweep_in_one_process_writes_runs_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from gradstudent.cli import main

    out = tmp_path / "sweep"
    code = main(["sweep", "digits-mlp", "--set", "lr=1e-3,3e-3", "--set", "hidden=[8]", "--epochs", "1", "--out", str(out)])
    assert code == 0
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["ranks"] == 1 and [r["settings"]["lr"] for r in summary["runs"]] == [1e-3, 3e-3]
    assert all(r["status"] == "completed" and (Path(r["dir"]) / "metrics.json").is_file() for r in summary["runs"])
    assert "| run | lr | hidden | rank | status | test_acc |" in capsys.readouterr().out
    assert main(["sweep", "digits-mlp", "--set", "lrr=1e-3"]) == 2  # a setting the experiment lacks: refused up front
