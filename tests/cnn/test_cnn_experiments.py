"""The CNN experiments run offline end to end on tiny configs and write their figures and tables.

The full default runs (accuracy targets, timings) are marked slow."""

from __future__ import annotations

import json

import pytest

from gradstudent.experiments import run_experiment

TINY = {
    "digits-cnn": ({"epochs": 1, "widths": [4, 8]}, ["curves.png", "filters.png", "augmentations.png"]),
    "resnet": ({"epochs": 1, "n_train": 64, "n_test": 32, "widths": [4, 4, 8], "blocks": [1, 1, 1]}, ["ablation.md", "curves.png", "predictions.png"]),
    "cnn-visualize": ({"epochs": 1, "n_train": 64, "n_test": 64, "widths": [4, 8, 8], "am_steps": 3},
                      ["filters.png", "feature_maps.png", "saliency.png", "smoothgrad.png", "grad_cam.png", "activation_maximization.png"]),
    "transfer": ({"epochs": 1, "epochs_a": 1, "n_a": 64, "n_b": 32, "n_test": 32, "widths": [4, 8, 8]}, ["transfer.md", "curves.png"]),
    "augmentation": ({"epochs": 1, "n_train": 32, "repeats": 1, "widths": [4, 8]}, ["augmentation.md", "curves.png", "samples_1.png"]),
}


@pytest.mark.parametrize("name", list(TINY))
def test_cnn_experiment_runs_offline(name, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))  # nothing may be downloaded
    overrides, files = TINY[name]
    result = run_experiment(name, overrides, out_root=tmp_path, quiet=True)
    (run_dir,) = [p for p in tmp_path.iterdir() if p.name.startswith(name)]
    assert result["status"] == "completed"
    for f in ["metrics.json", "config.json", "checkpoint.safetensors", *files]:
        assert (run_dir / f).exists(), f
    assert json.loads((run_dir / "metrics.json").read_text())["final"]


@pytest.mark.slow
def test_digits_cnn_reaches_its_target(tmp_path) -> None:
    result = run_experiment("digits-cnn", {}, out_root=tmp_path, quiet=True)
    assert result["final"]["test_acc"] >= 0.985
    assert result["wall_time_s"] < 120


@pytest.mark.slow
def test_resnet_ablation_shows_both_effects(tmp_path) -> None:
    final = run_experiment("resnet", {}, out_root=tmp_path, quiet=True)["final"]
    acc = {k[len("test_acc["):-1]: v for k, v in final.items() if k.startswith("test_acc[")}
    main, no_aug, plain = (acc[k] for k in sorted(acc, key=lambda k: ("no augmentation" in k, "plain" in k)))
    assert main > no_aug and main > plain


@pytest.mark.slow
def test_augmentation_helps_on_average(tmp_path) -> None:
    final = run_experiment("augmentation", {}, out_root=tmp_path, quiet=True)["final"]
    assert final["test_acc[shifts+rotations+scale+shear]"] > final["test_acc[none]"]
