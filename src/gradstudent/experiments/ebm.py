"""ebm: an energy-based model on a 2-D density, and the MCMC samplers compared on a banana.

1. EBM: p_θ(x) ∝ exp(-E_θ(x)), E_θ an MLP, trained by persistent contrastive divergence
   (Langevin chains in a replay buffer, :mod:`gradstudent.generative.ebm`). Samples: long
   Langevin runs from uniform noise on the trained energy (``samples.csv``), scored by
   C2ST against fresh data.
2. Samplers on the banana  x₁ = z₁, x₂ = z₂ + b (z₁² - 1), z ~ N(0, diag(1, σ₂²)), whose
   mean (0, 0) and covariance diag(1, σ₂² + 2b²) are known: random-walk Metropolis,
   unadjusted Langevin, MALA and HMC, each with 4 chains. Table: effective sample size
   (minimum over the two coordinates) per target evaluation (gradient evaluations for the
   gradient-based ones, log-density evaluations for random-walk MH) and per second.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .. import optim
from ..creation import from_numpy, randn
from ..datasets import density_2d
from ..generative import ebm
from ..metrics import c2st
from ..random import default_generator
from ..sampling import hmc, langevin, mala, metropolis_hastings
from ..tensor import Tensor
from ._gen_common import write_samples_csv
from .registry import RunContext, experiment

BANANA_B, BANANA_S2 = 1.0, 0.5


def banana_log_prob(x: Tensor) -> Tensor:
    """log p(x) up to a constant, ``(C, 2) -> (C,)``."""
    x1, x2 = x[:, 0], x[:, 1]
    return -0.5 * x1**2 - 0.5 * ((x2 - BANANA_B * (x1**2 - 1.0)) / BANANA_S2) ** 2


def new_ebm(hidden: int, lr: float) -> tuple[ebm.EnergyMLP, ebm.PersistentChains, optim.Adam]:
    """An energy MLP 2-hidden-hidden-1, a 10,000-chain PCD buffer on [-4, 4]² (5% re-init), Adam(β₁ = 0)."""
    energy = ebm.EnergyMLP(2, (hidden, hidden))
    return energy, ebm.PersistentChains(10000, 2, low=-4.0, high=4.0, reinit=0.05), optim.Adam(energy.parameters(), lr=lr, betas=(0.0, 0.999))


def ebm_steps(energy: ebm.EnergyMLP, chains: ebm.PersistentChains, opt: optim.Adam, density: Any, steps: int, batch: int,
              langevin_steps: int, step_size: float) -> float:
    """``steps`` updates of persistent contrastive divergence on a ``Density2D``; returns the seconds."""
    rng = default_generator()
    start = time.perf_counter()
    for _ in range(steps):
        data = from_numpy(density.sample(batch, seed=int(rng.integers(0, 2**31, ()))))
        negatives = chains.sample(energy, batch, steps=langevin_steps, step_size=step_size)
        opt.zero_grad()
        ebm.contrastive_divergence_loss(energy, data, negatives, alpha=0.1).backward()
        opt.step()
    return time.perf_counter() - start


def train_ebm(density: Any, steps: int, batch: int, langevin_steps: int, step_size: float, lr: float,
              hidden: int) -> tuple[ebm.EnergyMLP, float]:
    """A fresh EBM trained for ``steps`` PCD updates (no checkpoints); returns the energy and the seconds."""
    energy, chains, opt = new_ebm(hidden, lr)
    return energy, ebm_steps(energy, chains, opt, density, steps, batch, langevin_steps, step_size)


def compare_samplers(n_samples: int, n_warmup: int, hmc_samples: int, chains: int = 4) -> list[dict[str, Any]]:
    truth_cov = np.diag([1.0, BANANA_S2**2 + 2 * BANANA_B**2])
    x0 = randn(chains, 2, dtype=np.float64)
    runs = {
        "random-walk MH": metropolis_hastings(banana_log_prob, x0, n_samples, n_warmup),
        "ULA (h=0.01)": langevin(banana_log_prob, x0, n_samples, n_warmup, step_size=0.01),
        "MALA": mala(banana_log_prob, x0, n_samples, n_warmup),
        "HMC (L=10)": hmc(banana_log_prob, x0, hmc_samples, max(n_warmup // 4, 50), n_leapfrog=10),
    }
    rows = []
    for name, r in runs.items():
        draws = r.samples.numpy().reshape(-1, 2)
        evals = r.n_grad_evals if r.n_grad_evals else r.n_log_prob_evals
        ess = float(np.min(r.ess))
        rows.append({
            "sampler": name, "acceptance": r.acceptance_rate, "step_size": r.step_size, "draws_per_chain": r.samples.shape[1],
            "evals_per_chain": evals, "eval_kind": "gradient" if r.n_grad_evals else "log-density", "min_ess": ess,
            "ess_per_eval": ess / (evals * chains), "ess_per_second": ess / r.wall_time_s, "max_rhat": float(np.max(r.rhat)),
            "var_x2": float(draws[:, 1].var()), "true_var_x2": float(truth_cov[1, 1]), "mean_x2": float(draws[:, 1].mean()),
            "_draws": draws,
        })
    return rows


def _figures(ctx: RunContext, energy: ebm.EnergyMLP, data: np.ndarray, samples: np.ndarray, rows: list[dict[str, Any]]) -> None:
    from matplotlib.figure import Figure

    from ..autograd.grad_mode import no_grad

    fig = Figure(figsize=(12, 4))
    grid = np.linspace(-4, 4, 160, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid)
    with no_grad():
        e = energy(from_numpy(np.stack([gx.ravel(), gy.ravel()], 1))).numpy().reshape(gx.shape)
    density = np.exp(-(e - e.min()))
    for i, (title, img) in enumerate((("data", data), ("exp(-E) (unnormalized)", None), ("Langevin samples", samples))):
        ax = fig.add_subplot(1, 3, i + 1)
        if img is None:
            ax.imshow(density, extent=(-4, 4, -4, 4), origin="lower", cmap="magma")
        else:
            ax.scatter(img[:, 0], img[:, 1], s=2, alpha=0.4)
            ax.set(xlim=(-4, 4), ylim=(-4, 4))
        ax.set(title=title, aspect="equal")
    ctx.save_figure(fig, "ebm.png")
    fig = Figure(figsize=(4 * len(rows), 4))
    for i, r in enumerate(rows):
        ax = fig.add_subplot(1, len(rows), i + 1)
        d = r["_draws"][::max(1, len(r["_draws"]) // 3000)]
        ax.scatter(d[:, 0], d[:, 1], s=2, alpha=0.3)
        ax.set(title=f"{r['sampler']}: ESS/eval {r['ess_per_eval']:.3g}", xlim=(-4, 4), ylim=(-3, 9))
    ctx.save_figure(fig, "samplers_banana.png")


@experiment("ebm", "Energy-based model (persistent contrastive divergence, Langevin) on a 2-D density; MH/ULA/MALA/HMC on a banana",
            density="two-moons", epochs=10, steps_per_epoch=150, batch_size=256, langevin_steps=20, step_size=0.01, lr=1e-3, hidden=64,
            sample_steps=500, n_samples=2000, mcmc_samples=2000, mcmc_warmup=500, hmc_samples=500, c2st_max_samples=None, c2st_classifier="mlp")
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    density = density_2d(cfg["density"])
    energy, chains, opt = new_ebm(int(cfg["hidden"]), float(cfg["lr"]))
    seconds = 0.0
    for epoch in ctx.epochs(energy, opt, extra=chains):    # the chains are checkpointed too: --resume continues them
        seconds += ebm_steps(energy, chains, opt, density, int(cfg["steps_per_epoch"]), int(cfg["batch_size"]),
                             int(cfg["langevin_steps"]), float(cfg["step_size"]))
        ctx.log_metrics(epoch, train_seconds=seconds)
    start = time.perf_counter()
    noise = from_numpy((default_generator().uniform(-4.0, 4.0, (int(cfg["n_samples"]), 2), np.float32)))
    samples = ebm.langevin_dynamics(energy, noise, int(cfg["sample_steps"]), float(cfg["step_size"]), clamp=(-4.0, 4.0)).numpy()
    sample_seconds = time.perf_counter() - start
    write_samples_csv(ctx, samples)
    data = density.sample(int(cfg["n_samples"]), seed=ctx.seed + 12345)
    metrics: dict[str, Any] = {"ebm_train_seconds": seconds, "ebm_sample_seconds": sample_seconds}
    metrics["ebm_c2st"] = float(c2st(samples, data, max_samples=cfg["c2st_max_samples"], classifier=cfg["c2st_classifier"]))
    rows = compare_samplers(int(cfg["mcmc_samples"]), int(cfg["mcmc_warmup"]), int(cfg["hmc_samples"]))
    _figures(ctx, energy, data, samples, rows)
    table = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    ctx.save_table(table, "samplers_banana")
    metrics["samplers"] = {r["sampler"]: {k: v for k, v in r.items() if k != "sampler"} for r in table}
    return metrics
