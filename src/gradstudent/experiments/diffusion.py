"""diffusion: DDPM and the VP-SDE score model on two moons, and DDPM on the 8×8 digits.

Objectives (see ``gradstudent.generative.diffusion``): DDPM ‖ε - ε_θ(√ᾱ_t x₀ + √(1-ᾱ_t) ε, t)‖²; the VP-SDE
model the same noise regression at continuous t ~ U(t_ε, 1) (denoising score matching, weight s_t²).

Two moons (standardized to zero mean and unit variance for training, samples mapped back): C2ST of ``n_eval`` samples vs fresh data for DDPM (ancestral, T evaluations; DDIM) and the score
model (reverse SDE by Euler–Maruyama; probability-flow ODE by Dormand–Prince). Target C2ST ≤ 0.55.
Digits (pixels scaled to [-1, 1], an MLP with time embedding): a grid of samples, and the scores of
``generative.scores.DigitsScorer`` (a digits classifier trained in this run): mean confidence, class
coverage and Fréchet distance to the real test digits (the real training digits' own scores alongside,
as the reference a perfect generator would reach). ``samples.csv``: the DDPM ancestral moons samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..datasets import density_2d, load_digits_arrays
from ..generative import DDPM, VPSDE, DigitsScorer
from ._gen2d import Standardized, c2st_against_fresh, scatter, timed_sample, train_models, write_samples
from .registry import RunContext, experiment


class _Digits:
    """Training digits as a 'density': random rows scaled to [-1, 1] (duck-types ``Density2D.sample``)."""

    def __init__(self) -> None:
        self.X = load_digits_arrays("train", seed=0)[0] * 2.0 - 1.0

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return self.X[np.random.default_rng(seed).integers(0, len(self.X), n)].astype(np.float32)


@experiment("diffusion", "DDPM and the VP-SDE score model on two moons (C2ST) and DDPM on the 8x8 digits (classifier scores)",
            epochs=16, steps_per_epoch=500, batch_size=512, lr=2e-3, hidden=[128, 128, 128], T=1000, n_eval=2000,
            ddim_steps=50, sde_steps=500, digits=True, digits_hidden=[256, 256, 256], n_digits=1000,
            scorer_epochs=30, c2st="mlp")
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    cfg = ctx.config
    moons = density_2d("two-moons")
    scaled = Standardized(moons)                        # the models learn zero-mean, unit-variance moons
    ddpm, sde = DDPM.mlp(2, tuple(cfg["hidden"]), T=cfg["T"]), VPSDE.mlp(2, tuple(cfg["hidden"]))
    tasks: list[Any] = [("two-moons", scaled, {"ddpm": ddpm.loss, "vpsde": sde.loss})]
    modules: list[Any] = [ddpm, sde]
    if cfg["digits"]:
        digits_ddpm = DDPM.mlp(64, tuple(cfg["digits_hidden"]), T=cfg["T"])
        tasks.append(("digits", _Digits(), {"ddpm": digits_ddpm.loss}))
        modules.append(digits_ddpm)
    results: dict[str, Any] = {"train_time_s": train_models(ctx, tasks, modules)}
    n = cfg["n_eval"]
    samplers = {
        f"ddpm ancestral ({cfg['T']})": lambda: ddpm.sample(n),
        f"ddpm ddim ({cfg['ddim_steps']})": lambda: ddpm.ddim_sample(n, steps=cfg["ddim_steps"]),
        f"score sde ({cfg['sde_steps']})": lambda: sde.sample_sde(n, steps=cfg["sde_steps"]),
        "score pf-ode (dopri5)": lambda: sde.sample_ode(n, method="dopri5", rtol=1e-3, atol=1e-3),
    }
    fig = Figure(figsize=(12, 3))
    scatter(fig.add_subplot(1, 5, 1), moons.sample(n, seed=ctx.seed + 3), "two moons: data")
    rows = []
    for i, (label, fn) in enumerate(samplers.items()):
        x, nfe, secs = timed_sample(fn)
        x = scaled.unscale(x)
        acc = c2st_against_fresh(x, moons, ctx.seed, label, cfg["c2st"])
        rows.append({"sampler": label, "nfe": nfe, "c2st": acc, "sample_time_s": secs})
        results[f"two-moons/{label}/c2st"] = acc
        write_samples(ctx, x, f"samples_{label.split(' (')[0].replace(' ', '_')}.csv")
        if i == 0:
            write_samples(ctx, x)
        scatter(fig.add_subplot(1, 5, i + 2), x, f"{label}: C2ST {acc:.3f}")
    ctx.save_figure(fig, "moons_samples.png")
    ctx.save_table(rows, "moons")
    results["two-moons/max_c2st"] = max(r["c2st"] for r in rows)
    if cfg["digits"]:
        results.update(_digits_scores(ctx, digits_ddpm))
    return results


def _digits_scores(ctx: RunContext, model: DDPM) -> dict[str, Any]:
    from matplotlib.figure import Figure

    cfg = ctx.config
    scorer = DigitsScorer.fit(seed=ctx.seed, epochs=cfg["scorer_epochs"])
    scorer.save(ctx.out / "scorer.safetensors")
    out: dict[str, Any] = {"digits/scorer_test_accuracy": scorer.test_accuracy}
    rows = [{"samples": "real training digits", **scorer.score(load_digits_arrays("train", seed=0)[0][: cfg["n_digits"]])}]
    grids = {}
    for label, fn in ((f"ddpm ancestral ({cfg['T']})", lambda: model.sample(cfg["n_digits"])),
                      (f"ddpm ddim ({cfg['ddim_steps']})", lambda: model.ddim_sample(cfg["n_digits"], steps=cfg["ddim_steps"]))):
        x, nfe, secs = timed_sample(fn)
        x = np.clip((x + 1.0) / 2.0, 0.0, 1.0)
        s = scorer.score(x)
        rows.append({"samples": label, **s})
        grids[label] = x
        out.update({f"digits/{label}/{k}": v for k, v in s.items()})
    ctx.save_table(rows, "digits_scores")
    fig = Figure(figsize=(4 * len(grids), 4.4))
    for i, (label, x) in enumerate(grids.items()):
        ax = fig.add_subplot(1, len(grids), i + 1)
        first = np.zeros((64, 64), dtype=x.dtype)
        first[: min(64, len(x))] = x[:64]                       # an 8x8 grid of the first 64 samples
        tiles = first.reshape(8, 8, 8, 8).transpose(0, 2, 1, 3).reshape(64, 64)
        ax.imshow(tiles, cmap="gray_r", vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(label, fontsize=9)
    ctx.save_figure(fig, "digits_samples.png")
    return out
