"""Smoke test of the init-activations experiment and the facts it demonstrates."""

from __future__ import annotations

import json

import numpy as np

import gradstudent as gs
from gradstudent.experiments import run_experiment
from gradstudent.experiments.init_activations import deep_mlp, layer_statistics


def test_small_init_vanishes_and_he_keeps_relu_scale():
    X = gs.randn(256, 64)
    y = gs.randint(0, 10, (256,))
    gs.manual_seed(0)
    small = layer_statistics(deep_mlp(8, 64, "relu", "small"), X, y)
    gs.manual_seed(0)
    he = layer_statistics(deep_mlp(8, 64, "relu", "he"), X, y)
    assert small["act_std"][-1] < 1e-6 * small["act_std"][0]  # shrinks geometrically with depth
    assert 0.3 < he["act_std"][-1] / he["act_std"][0] < 3.0  # He keeps the scale
    gs.manual_seed(0)
    zero = layer_statistics(deep_mlp(4, 16, "tanh", "zero"), X, y)
    assert all(s == 0.0 for s in zero["act_std"])


def test_experiment_runs_with_a_tiny_budget(tmp_path):
    result = run_experiment("init-activations", {"epochs": 1, "depth": 3, "width": 16, "batch": 64}, out_root=str(tmp_path), quiet=True)
    run_dir = next(tmp_path.iterdir())
    for name in ("histograms_tanh.png", "histograms_relu.png", "std_per_layer.png", "training_curves.png", "layer_statistics.md", "metrics.json"):
        assert (run_dir / name).exists(), name
    final = json.loads((run_dir / "metrics.json").read_text())["final"]
    assert np.isfinite(final["test_acc/deep tanh xavier"])
    assert result["status"] == "completed"
