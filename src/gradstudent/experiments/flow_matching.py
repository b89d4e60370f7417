"""flow-matching: conditional OT flow matching vs DDPM on eight Gaussians and the checkerboard.

Both models use the same network (``TimeMLP``) and the same training budget, on the density standardized to zero
mean and unit variance (samples mapped back before they are compared with the data). Flow matching regresses the
OT-path velocity, ‖v_θ(x_t, t) - (x₁ - (1 - σ_min) x₀)‖²; DDPM predicts the noise, ‖ε - ε_θ(x_t, t)‖².
Sampling costs network evaluations (NFE) per sample: the ODE solvers (Euler: 1 per step, RK4: 4 per step,
adaptive Dormand–Prince) for flow matching, DDIM with S steps (S evaluations) and ancestral sampling
(T evaluations) for DDPM. The table ``nfe_vs_c2st`` lists C2ST (``n_eval`` samples vs fresh data) against
NFE for both (also in ``metrics.json`` as ``nfe_vs_c2st``); the metrics give the fewest evaluations with which each
reaches C2ST ≤ ``target``.
``samples.csv``: the flow-matching samples (dopri5) of the first density.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..datasets import density_2d
from ..generative import DDPM, FlowMatching
from ._gen2d import Standardized, c2st_against_fresh, scatter, timed_sample, train_models, write_samples
from .registry import RunContext, experiment


def _sweep(cfg: dict[str, Any], fm: FlowMatching, ddpm: DDPM) -> list[tuple[str, str, Any]]:
    """(model, sampler label, sampler) for every configuration of the sweep."""
    n = cfg["n_eval"]
    out: list[tuple[str, str, Any]] = []
    for s in cfg["fm_euler_steps"]:
        out.append(("flow-matching", f"euler {s}", lambda s=s: fm.sample(n, steps=s, method="euler")))
    for s in cfg["fm_rk4_steps"]:
        out.append(("flow-matching", f"rk4 {s}", lambda s=s: fm.sample(n, steps=s, method="rk4")))
    out.append(("flow-matching", "dopri5 1e-3", lambda: fm.sample(n, method="dopri5", rtol=1e-3, atol=1e-3)))
    for s in cfg["ddim_steps"]:
        out.append(("ddpm", f"ddim {s}", lambda s=s: ddpm.ddim_sample(n, steps=s)))
    out.append(("ddpm", f"ancestral {ddpm.T}", lambda: ddpm.sample(n)))
    return out


@experiment("flow-matching", "OT flow matching vs DDPM on eight Gaussians and the checkerboard: C2ST against network evaluations per sample",
            epochs=16, steps_per_epoch=500, batch_size=512, lr=2e-3, hidden=[128, 128, 128], T=1000,
            densities=["eight-gaussians", "checkerboard"], n_eval=2000, target=0.55, c2st="mlp",
            fm_euler_steps=[4, 16], fm_rk4_steps=[2, 5], ddim_steps=[10, 25, 50, 100])
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    cfg = ctx.config
    names = list(cfg["densities"])
    models = {name: (FlowMatching.mlp(2, tuple(cfg["hidden"])), DDPM.mlp(2, tuple(cfg["hidden"]), T=cfg["T"])) for name in names}
    scaled = {name: Standardized(density_2d(name)) for name in names}   # trained on zero-mean, unit-variance data
    tasks = [(name, scaled[name], {"fm": fm.loss, "ddpm": dd.loss}) for name, (fm, dd) in models.items()]
    results: dict[str, Any] = {"train_time_s": train_models(ctx, tasks, [m for pair in models.values() for m in pair])}
    rows = []
    fig = Figure(figsize=(9, 3 * len(names)))
    for i, name in enumerate(names):
        density = density_2d(name)
        fm, dd = models[name]
        scatter(fig.add_subplot(len(names), 3, 3 * i + 1), density.sample(cfg["n_eval"], seed=ctx.seed + 3), f"{name}: data")
        best: dict[str, float] = {}
        for model, label, fn in _sweep(cfg, fm, dd):
            x, nfe, secs = timed_sample(fn)
            x = scaled[name].unscale(x)
            acc = c2st_against_fresh(x, density, ctx.seed, f"{name}/{model}/{label}", cfg["c2st"])
            rows.append({"density": name, "model": model, "sampler": label, "nfe": nfe, "c2st": acc, "sample_time_s": secs})
            if acc <= cfg["target"]:
                best[model] = min(best.get(model, float("inf")), nfe)
            if label.startswith("dopri5"):
                write_samples(ctx, x, f"samples_flow-matching_{name}.csv")
                if i == 0:
                    write_samples(ctx, x)
                scatter(fig.add_subplot(len(names), 3, 3 * i + 2), x, f"flow matching ({label}, NFE {nfe}): C2ST {acc:.3f}")
            if label.startswith("ancestral"):
                write_samples(ctx, x, f"samples_ddpm_{name}.csv")
                scatter(fig.add_subplot(len(names), 3, 3 * i + 3), x, f"DDPM ({label}): C2ST {acc:.3f}")
        for model in ("flow-matching", "ddpm"):
            results[f"{name}/{model}/min_nfe_at_target"] = best.get(model, float("nan"))
            results[f"{name}/{model}/best_c2st"] = min(r["c2st"] for r in rows if r["density"] == name and r["model"] == model)
    ctx.save_figure(fig, "samples.png")
    ctx.save_table(rows, "nfe_vs_c2st")
    results["nfe_vs_c2st"] = [{k: r[k] for k in ("density", "model", "sampler", "nfe", "c2st")} for r in rows]
    _nfe_figure(ctx, rows, names, cfg["target"])
    return results


def _nfe_figure(ctx: RunContext, rows: list[dict[str, Any]], names: list[str], target: float) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * len(names), 3.5))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        for model, marker in (("flow-matching", "o"), ("ddpm", "s")):
            pts = sorted((r["nfe"], r["c2st"]) for r in rows if r["density"] == name and r["model"] == model)
            ax.plot(*np.array(pts).T, marker=marker, label=model)
        ax.axhline(target, color="k", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("network evaluations per sample")
        ax.set_ylabel("C2ST accuracy")
        ax.set_title(name)
        ax.legend()
    ctx.save_figure(fig, "nfe_vs_c2st.png")
