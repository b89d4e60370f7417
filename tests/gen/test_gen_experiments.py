"""The flows, flow-matching and diffusion experiments run offline on tiny budgets and write their files.

The default budgets (C2ST targets) are measured by running the experiments; see docs/generative-flows-diffusion.md."""

from __future__ import annotations

import json

import pytest

from gradstudent.experiments import run_experiment

_TINY2D = {"epochs": 1, "steps_per_epoch": 2, "n_eval": 100, "c2st": "boosting", "hidden": [8]}
TINY = {
    "flows": ({**_TINY2D, "kde_samples": 300, "realnvp_transforms": 2, "maf_transforms": 2, "densities": ["two-moons"]},
              ["densities.png", "samples.png", "layers.png", "flows.md", "samples_maf_two-moons.csv"]),
    "flow-matching": ({**_TINY2D, "T": 10, "densities": ["eight-gaussians"], "fm_euler_steps": [2], "fm_rk4_steps": [1], "ddim_steps": [3]},
                      ["samples.png", "nfe_vs_c2st.png", "nfe_vs_c2st.md"]),
    "diffusion": ({**_TINY2D, "T": 10, "digits_hidden": [8], "n_digits": 50, "scorer_epochs": 1, "sde_steps": 5, "ddim_steps": 3},
                  ["moons_samples.png", "moons.md", "digits_samples.png", "digits_scores.md", "scorer.safetensors"]),
}


@pytest.mark.parametrize("name", list(TINY))
def test_generative_experiment_runs_offline(name, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    overrides, files = TINY[name]
    result = run_experiment(name, overrides, out_root=tmp_path, quiet=True)
    (run_dir,) = [p for p in tmp_path.iterdir() if p.name.startswith(name)]
    assert result["status"] == "completed"
    for f in ["metrics.json", "config.json", "checkpoint.safetensors", "samples.csv", *files]:
        assert (run_dir / f).exists(), f
    lines = (run_dir / "samples.csv").read_text().splitlines()
    assert lines[0] == "x,y" and len(lines) == 1 + overrides["n_eval"]
    final = json.loads((run_dir / "metrics.json").read_text())["final"]
    assert any(k.endswith("c2st") for k in final)
    if name == "flow-matching":
        assert {r["model"] for r in final["nfe_vs_c2st"]} == {"flow-matching", "ddpm"}


_TINY_GAN = {"epochs": 2, "gan_steps": 2, "wgan_gp_steps": 2, "dcgan_steps": 2, "hidden": 8, "layers": 1, "batch_size": 16,
             "scorer_epochs": 1}


def test_gan_experiment_runs_offline_and_resumes_bit_identically(tmp_path, monkeypatch) -> None:
    """Two epochs in one go, and one epoch then ``--resume --epochs 2``: the same samples."""
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    full = run_experiment("gan", _TINY_GAN, out_root=tmp_path / "full", quiet=True)
    assert full["status"] == "completed"
    (full_dir,) = list((tmp_path / "full").iterdir())
    for f in ["metrics.json", "checkpoint.safetensors", "samples.csv", "samples_gan.csv", "eight_gaussians.png", "dcgan_samples.png"]:
        assert (full_dir / f).exists(), f
    lines = (full_dir / "samples.csv").read_text().splitlines()
    assert lines[0] == "x,y" and len(lines) == 2001
    final = json.loads((full_dir / "metrics.json").read_text())["final"]
    assert 0 <= final["eight_gaussians"]["wgan_gp"]["modes_covered"] <= 8
    run_experiment("gan", {**_TINY_GAN, "epochs": 1}, out_root=tmp_path / "part", quiet=True)
    (part_dir,) = list((tmp_path / "part").iterdir())
    resumed = run_experiment(overrides={"epochs": 2}, resume=part_dir, quiet=True)
    assert resumed["status"] == "completed"
    assert (part_dir / "samples.csv").read_text() == (full_dir / "samples.csv").read_text()


def test_vae_experiment_resumes_bit_identically(tmp_path, monkeypatch) -> None:
    """All VAEs train in one ``ctx.epochs`` loop: one epoch then ``--resume --epochs 2`` equals two epochs."""
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    tiny = {"epochs": 2, "hidden": 8, "iwae_k": 2, "betas": [0.5], "sweep_latent": 2, "max_train": 64, "batch_size": 32}
    full = run_experiment("vae", tiny, out_root=tmp_path / "full", quiet=True)
    run_experiment("vae", {**tiny, "epochs": 1}, out_root=tmp_path / "part", quiet=True)
    (part_dir,) = list((tmp_path / "part").iterdir())
    resumed = run_experiment(overrides={"epochs": 2}, resume=part_dir, quiet=True)
    assert resumed["status"] == "completed" and (part_dir / "latent_traversals.png").exists()
    for key in ("test_elbo_latent2", "cvae_test_elbo"):
        assert resumed["final"][key] == full["final"][key], key


@pytest.mark.slow
def test_autoencoders_experiment_resumes_bit_identically(tmp_path, monkeypatch) -> None:
    """All minibatch-trained AEs share one ``ctx.epochs`` loop: one epoch then ``--resume --epochs 2`` equals two."""
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    tiny = {"epochs": 2, "linear_steps": 5, "latent_sizes": [2], "max_train": 64}
    full = run_experiment("autoencoders", tiny, out_root=tmp_path / "full", quiet=True)
    run_experiment("autoencoders", {**tiny, "epochs": 1}, out_root=tmp_path / "part", quiet=True)
    (part_dir,) = list((tmp_path / "part").iterdir())
    resumed = run_experiment(overrides={"epochs": 2}, resume=part_dir, quiet=True)
    assert resumed["status"] == "completed" and (part_dir / "ae_vs_pca.png").exists()
    for key in ("conv_ae_error_k16", "denoising_ae_error", "dense_ae_error", "sparse"):
        assert resumed["final"][key] == full["final"][key], key


def test_generative_zoo_runs_offline(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    tiny = {"steps": 4, "n_samples": 2000, "ddpm_T": 5, "ddim_steps": 2, "c2st_max_samples": 200, "c2st_classifier": "boosting",
            "models": ["GAN", "WGAN-GP", "DDPM"]}
    result = run_experiment("generative-zoo", tiny, out_root=tmp_path, quiet=True)
    (run_dir,) = list(tmp_path.iterdir())
    assert result["status"] == "completed" and (run_dir / "zoo.png").exists()
    assert len((run_dir / "samples.csv").read_text().splitlines()) == 2001
    assert set(result["final"]["models"]) == {"GAN", "WGAN-GP", "DDPM (DDIM, 2 steps)"}


@pytest.mark.slow
def test_ebm_experiment_resumes_bit_identically(tmp_path, monkeypatch) -> None:
    """The energy, Adam and the persistent chains are checkpointed: one epoch then ``--resume`` equals two."""
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "no-cache"))
    tiny = {"epochs": 2, "steps_per_epoch": 2, "batch_size": 32, "langevin_steps": 2, "hidden": 8, "sample_steps": 3,
            "mcmc_samples": 40, "mcmc_warmup": 20, "hmc_samples": 20, "c2st_max_samples": 200, "c2st_classifier": "boosting"}
    run_experiment("ebm", tiny, out_root=tmp_path / "full", quiet=True)
    run_experiment("ebm", {**tiny, "epochs": 1}, out_root=tmp_path / "part", quiet=True)
    (full_dir,) = list((tmp_path / "full").iterdir())
    (part_dir,) = list((tmp_path / "part").iterdir())
    assert run_experiment(overrides={"epochs": 2}, resume=part_dir, quiet=True)["status"] == "completed"
    assert (part_dir / "samples.csv").read_text() == (full_dir / "samples.csv").read_text()
    assert len((full_dir / "samples.csv").read_text().splitlines()) == 2001
