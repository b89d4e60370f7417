"""The `gradstudent` command: list, run, and bit-identical resume after SIGKILL or Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.cli import main
from gradstudent.experiments import all_experiments, run_experiment

SMALL = ["--epochs", "8", "--set", "hidden=[32]", "--quiet"]


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradstudent.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _final_weights(run_dir: Path) -> dict:
    ck = gs.load(run_dir / "checkpoint.safetensors")
    return {k: v.numpy() for k, v in ck["model"].items()}


def _only_run(root: Path) -> Path:
    (d,) = list(root.iterdir())
    return d


def test_list_names_every_core_experiment(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ["digits-mlp", "xor-mlp", "optimizers", "regularization"]:
        assert name in out
    assert set(all_experiments()) >= {"digits-mlp", "xor-mlp", "optimizers", "regularization"}


def test_run_writes_metrics_curves_config_checkpoint(tmp_path):
    result = run_experiment("digits-mlp", {"epochs": 2, "hidden": [32]}, out_root=tmp_path, quiet=True)
    d = _only_run(tmp_path)
    assert d.name.startswith("digits-mlp-")
    for f in ["metrics.json", "curves.png", "config.json", "checkpoint.safetensors", "log.txt"]:
        assert (d / f).exists(), f
    metrics = json.loads((d / "metrics.json").read_text())
    assert metrics["status"] == "completed" and len(metrics["history"]) == 2
    assert result["final"]["test_acc"] > 0.5


def test_unknown_experiment_is_a_clear_error(capsys):
    assert main(["run", "digits-mpl", "--out", "/nonexistent-never-created"]) == 2
    assert "Did you mean digits-mlp" in capsys.readouterr().err


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("digits-mlp", {"epochs": 2, "hidden": [16]}, out_root=tmp_path / "a", quiet=True)
    b = run_experiment("digits-mlp", {"epochs": 2, "hidden": [16]}, out_root=tmp_path / "b", quiet=True)
    assert a["history"] == b["history"]
    wa, wb = _final_weights(_only_run(tmp_path / "a")), _final_weights(_only_run(tmp_path / "b"))
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)


def _interrupt_then_resume(tmp_path: Path, send) -> tuple[dict, dict, dict]:
    ref_root, cut_root = tmp_path / "ref", tmp_path / "cut"
    assert main(["run", "digits-mlp", *SMALL, "--out", str(ref_root)]) == 0
    reference = _final_weights(_only_run(ref_root))
    for _ in range(5):  # interrupt while training is under way (retry if it finished first)
        if cut_root.exists():
            for p in cut_root.rglob("*"):
                p.unlink() if p.is_file() else None
        proc = _cli("run", "digits-mlp", *SMALL, "--out", str(cut_root))
        while proc.poll() is None and not list(cut_root.glob("*/checkpoint.safetensors")):
            time.sleep(0.002)
        send(proc)
        proc.wait(timeout=60)
        run_dir = max(cut_root.iterdir(), key=os.path.getmtime)
        ck = gs.load(run_dir / "checkpoint.safetensors")
        if ck["epoch"] < 8:
            break
    assert ck["epoch"] < 8, "could not interrupt the run before it finished"
    partial = json.loads((run_dir / "metrics.json").read_text()) if (run_dir / "metrics.json").exists() else {}
    assert main(["run", "--resume", str(run_dir), "--quiet"]) == 0
    return reference, _final_weights(run_dir), partial


def test_sigkill_then_resume_is_bit_identical(tmp_path):
    reference, resumed, _ = _interrupt_then_resume(tmp_path, lambda p: p.send_signal(signal.SIGKILL))
    for k in reference:
        assert np.array_equal(reference[k], resumed[k]), k


def test_ctrl_c_stops_cleanly_after_saving_and_resumes_bit_identical(tmp_path):
    reference, resumed, partial = _interrupt_then_resume(tmp_path, lambda p: p.send_signal(signal.SIGINT))
    assert partial.get("status") in ("interrupted", "completed")
    for k in reference:
        assert np.array_equal(reference[k], resumed[k]), k
