"""flows: RealNVP and MAF trained by exact maximum likelihood on two moons and the checkerboard.

Objective: L = -1/N Σ log p_θ(x_n), log p_θ(x) = log N(f_θ(x); 0, I) + log|det ∂f_θ/∂x| (see
``gradstudent.generative.flows``). For each density and model the run reports

- C2ST of ``n_eval`` samples against as many fresh points (target ≤ 0.55; ``c2st="boosting"`` swaps the
  MLP classifier for gradient boosting, faster for smoke runs);
- the test NLL (nats per point, 2-D) next to a kernel density estimate fitted to ``kde_samples`` points
  (bandwidth picked on a validation set) and, where the density is known exactly, its entropy
  (the best NLL any model can reach);
- figures: densities as heat maps next to the data (``densities.png``), samples (``samples.png``) and the
  RealNVP map applied one coupling at a time from the Gaussian to the data (``layers.png``).

``samples.csv`` holds the RealNVP samples of the first density; ``samples_<model>_<density>.csv`` all of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..classical import KernelDensity
from ..creation import from_numpy, randn
from ..datasets import density_2d
from ..generative import MAF, RealNVP
from ..generative.flows import Flow
from ._gen2d import c2st_against_fresh, grid, heat, scatter, train_models, write_samples
from .registry import RunContext, experiment


def _kde_reference(density: Any, n: int, test: np.ndarray, seed: int) -> tuple[float, float]:
    """(test NLL, bandwidth) of a Gaussian KDE on n fresh points, bandwidth chosen on a validation set."""
    train, val = density.sample(n, seed=seed + 1), density.sample(1000, seed=seed + 2)
    best = None
    for h in (0.02, 0.035, 0.05, 0.075, 0.1, 0.15):
        nll = -KernelDensity(bandwidth=h).fit(train).score_samples(val).mean()
        if best is None or nll < best[0]:
            best = (nll, h)
    h = best[1]
    return float(-KernelDensity(bandwidth=h).fit(train).score_samples(test).mean()), h


def _layers(flow: Flow, n: int) -> list[np.ndarray]:
    """Points after each inverse transform, from z ~ N(0, I) to x (the coupling steps only)."""
    with no_grad():
        z = randn(n, 2)
        out = [z.numpy()]
        for t in reversed(list(flow.transforms)):
            z = t.inverse(z)
            out.append(z.numpy())
    return out


@experiment("flows", "RealNVP and MAF by exact likelihood on two moons and the checkerboard: C2ST, NLL vs KDE, layer-by-layer map",
            epochs=10, steps_per_epoch=200, batch_size=256, lr=2e-3, hidden=[64, 64], realnvp_transforms=8,
            maf_transforms=8, densities=["two-moons", "checkerboard"], n_eval=2000, kde_samples=20000, c2st="mlp")
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    cfg = ctx.config
    names = list(cfg["densities"])
    results: dict[str, Any] = {}
    rows = []
    fig_d = Figure(figsize=(10, 2.6 * len(names)))
    fig_s = Figure(figsize=(7.5, 2.6 * len(names)))
    fig_l = Figure(figsize=(2 * (cfg["realnvp_transforms"] + 1), 2.2 * len(names)))
    xx, _, pts = grid()
    all_flows = {name: {"realnvp": RealNVP(2, transforms=cfg["realnvp_transforms"], hidden=tuple(cfg["hidden"])),
                        "maf": MAF(2, transforms=cfg["maf_transforms"], hidden=tuple(cfg["hidden"]))} for name in names}
    tasks = [(name, density_2d(name), {k: (lambda x, f=f: -f.log_prob(x).mean()) for k, f in fl.items()})
             for name, fl in all_flows.items()]
    train_time = train_models(ctx, tasks, [f for fl in all_flows.values() for f in fl.values()])
    results["train_time_s"] = train_time
    for i, name in enumerate(names):
        density, flows = density_2d(name), all_flows[name]
        test = density.sample(cfg["n_eval"], seed=ctx.seed + 777)
        kde_nll, h = _kde_reference(density, cfg["kde_samples"], test, ctx.seed + 100)
        exact = float(-density.log_prob(density.sample(20000, seed=ctx.seed + 5)).mean()) if density.has_log_prob else None
        data = density.sample(cfg["n_eval"], seed=ctx.seed + 3)
        heat(fig_d.add_subplot(len(names), 4, 4 * i + 1),
             np.histogram2d(data[:, 1], data[:, 0], bins=80, range=[[-4, 4], [-4, 4]])[0], f"{name}: data")
        if density.has_log_prob:
            heat(fig_d.add_subplot(len(names), 4, 4 * i + 2), np.exp(density.log_prob(pts)).reshape(xx.shape), "exact density")
        scatter(fig_s.add_subplot(len(names), 3, 3 * i + 1), data, f"{name}: data")
        for j, (model, flow) in enumerate(flows.items()):
            with no_grad():
                gs_test = from_numpy(test)
                nll = float(-flow.log_prob(gs_test).numpy().mean())
                dens = np.exp(flow.log_prob(from_numpy(pts)).numpy()).reshape(xx.shape)
                samples = flow.sample(cfg["n_eval"]).numpy().astype(np.float64)
            acc = c2st_against_fresh(samples, density, ctx.seed, f"{name}/{model}", cfg["c2st"])
            write_samples(ctx, samples, f"samples_{model}_{name}.csv")
            if i == 0 and model == "realnvp":
                write_samples(ctx, samples)
            heat(fig_d.add_subplot(len(names), 4, 4 * i + 3 + j), dens, f"{model}: NLL {nll:.3f}")
            scatter(fig_s.add_subplot(len(names), 3, 3 * i + 2 + j), samples, f"{model}: C2ST {acc:.3f}")
            row = {"density": name, "model": model, "c2st": acc, "test_nll": nll, "kde_nll": kde_nll,
                   "exact_entropy": exact if exact is not None else float("nan"), "kde_bandwidth": h}
            rows.append(row)
            results[f"{name}/{model}/c2st"] = acc
            results[f"{name}/{model}/test_nll"] = nll
        results[f"{name}/kde_nll"] = kde_nll
        if exact is not None:
            results[f"{name}/exact_entropy"] = exact
        for k, pts_k in enumerate(_layers(flows["realnvp"], cfg["n_eval"])):
            scatter(fig_l.add_subplot(len(names), len(flows["realnvp"].transforms) + 1, i * (len(flows["realnvp"].transforms) + 1) + k + 1),
                    pts_k, "z ~ N(0, I)" if k == 0 else f"after coupling {len(flows['realnvp'].transforms) - k + 1}⁻¹", s=0.5)
    ctx.save_figure(fig_d, "densities.png")
    ctx.save_figure(fig_s, "samples.png")
    ctx.save_figure(fig_l, "layers.png")
    ctx.save_table(rows, "flows")
    results["max_c2st"] = max(r["c2st"] for r in rows)
    return results
