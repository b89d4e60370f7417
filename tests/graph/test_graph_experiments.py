"""The graph and equivariance experiments run offline end to end on tiny budgets and write their outputs.
The full default runs (accuracy targets) are marked slow."""

from __future__ import annotations

import json

import pytest

from gradstudent.experiments import run_experiment

TINY = {
    "karate-gcn": ({"epochs": 3, "snapshots": 2}, ["embeddings.png"]),
    "citation-gnn": ({"epochs": 2, "num_nodes": 140, "models": ["MLP", "GCN", "GraphSAGE", "GAT"]}, ["accuracy.md", "curves.png"]),
    "graph-classify": ({"epochs": 1, "n_graphs": 16, "hidden": 4, "layers": 2}, ["expressivity.md", "curves.png"]),
    "jets": ({"epochs": 1, "n_train": 32, "n_test": 32, "hidden": 4}, ["auc.md", "roc.png"]),
    "equivariance": ({"sizes": [20], "steps": 2}, ["data_efficiency.md", "data_efficiency.png"]),
}


@pytest.mark.parametrize("name", list(TINY))
def test_graph_experiment_runs_offline(name, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))  # nothing may be downloaded
    overrides, files = TINY[name]
    result = run_experiment(name, overrides, out_root=tmp_path, quiet=True)
    (run_dir,) = [p for p in tmp_path.iterdir() if p.name.startswith(name)]
    assert result["status"] == "completed"
    for f in ["metrics.json", "config.json", *files]:
        assert (run_dir / f).exists(), f
    assert json.loads((run_dir / "metrics.json").read_text())["final"]


@pytest.mark.slow
def test_graph_classify_gin_separates_and_gcn_does_not(tmp_path) -> None:
    final = run_experiment("graph-classify", {}, out_root=tmp_path, quiet=True)["final"]
    assert final["regular_gin_test_acc"] >= 0.95 and final["regular_gcn_test_acc"] <= 0.65


@pytest.mark.slow
def test_karate_gcn_classifies_the_factions(tmp_path) -> None:
    assert run_experiment("karate-gcn", {}, out_root=tmp_path, quiet=True)["final"]["test_acc"] >= 0.9


@pytest.mark.slow
def test_equivariance_errors_are_tiny(tmp_path) -> None:
    final = run_experiment("equivariance", {"sizes": [100], "steps": 100}, out_root=tmp_path, quiet=True)["final"]
    assert final["gcnn_equivariance_error_float64"] <= 1e-5 and final["egnn_equivariance_error_float64"] <= 1e-5
