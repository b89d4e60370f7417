"""The frameworks experiment: gradstudent and PyTorch agree step by step (and it runs without PyTorch)."""

from __future__ import annotations

import json

import pytest

from gradstudent.experiments import frameworks, run_experiment

TINY = {"hidden": [16], "timing_steps": 5, "batch_size": 128}


def _final(tmp_path):
    run_dir = sorted(p for p in tmp_path.iterdir() if p.is_dir())[-1]
    return run_dir, json.loads((run_dir / "metrics.json").read_text())["final"]


def test_same_losses_step_by_step_in_float64(tmp_path):
    pytest.importorskip("torch")
    run_experiment("frameworks", {**TINY, "epochs": 2, "dtype": "float64"}, out_root=str(tmp_path), quiet=True)
    run_dir, final = _final(tmp_path)
    assert final["torch_available"] and final["steps"] > 10
    assert final["max_relative_loss_diff"] < 1e-12 and final["max_weight_diff"] < 1e-12
    assert (run_dir / "frameworks.png").exists() and (run_dir / "timing.md").exists()


def test_resume_keeps_the_twins_in_step(tmp_path):
    pytest.importorskip("torch")
    run_experiment("frameworks", {**TINY, "epochs": 1}, out_root=str(tmp_path), quiet=True)
    run_dir, _ = _final(tmp_path)
    run_experiment("frameworks", {"epochs": 2}, out_root=str(tmp_path), resume=run_dir, quiet=True)
    final = json.loads((run_dir / "metrics.json").read_text())["final"]
    assert final["max_relative_loss_diff"] < 1e-5  # momentum buffers came across from the checkpoint


def test_runs_without_pytorch(tmp_path, monkeypatch):
    monkeypatch.setattr(frameworks, "_torch", lambda: None)
    run_experiment("frameworks", {**TINY, "epochs": 1}, out_root=str(tmp_path), quiet=True)
    run_dir, final = _final(tmp_path)
    assert final["torch_available"] is False and "max_loss_diff" not in final
    assert "PyTorch is not installed" in (run_dir / "log.txt").read_text()
