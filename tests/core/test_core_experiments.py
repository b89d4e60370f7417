"""The issue-2 experiments run offline end to end (tiny configs) and write their figures."""

import json
import tomllib
from pathlib import Path

import pytest

from gradstudent.experiments import run_experiment

CASES = {
    "xor-mlp": ({"epochs": 150}, ["decision_boundaries.png", "accuracy.md"]),
    "optimizers": ({"epochs": 2}, ["optimizers.png", "optimizers.md"]),
    "regularization": ({"epochs": 3, "ensemble": 2}, ["regularization.md", "curves.png"]),
    "digits-mlp": ({"epochs": 1}, ["curves.png"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_experiment_runs_offline(name, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))  # nothing may be downloaded
    overrides, files = CASES[name]
    result = run_experiment(name, overrides, out_root=tmp_path, quiet=True)
    (run_dir,) = list(p for p in tmp_path.iterdir() if p.name.startswith(name))
    assert result["status"] == "completed"
    for f in ["metrics.json", "config.json", "checkpoint.safetensors", *files]:
        assert (run_dir / f).exists(), f
    assert json.loads((run_dir / "metrics.json").read_text())["final"]


def test_xor_needs_a_hidden_layer(tmp_path):
    result = run_experiment("xor-mlp", {}, out_root=tmp_path, quiet=True)
    assert result["final"]["mlp_acc"] > 0.95 and result["final"]["logistic_acc"] < 0.75


def test_dependencies_are_not_capped():
    """Upper bounds on numpy & co. break installs on the next Python or NumPy release."""
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        assert "<" not in dep and "==" not in dep, dep
    assert project["requires-python"] == ">=3.11"
