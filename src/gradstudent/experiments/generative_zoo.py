"""generative-zoo: every generative model of the course on the same 2-D density.

VAE (Gaussian decoder), GAN (non-saturating), WGAN-GP, EBM (persistent contrastive
divergence + Langevin), RealNVP, MAF, conditional flow matching (RK4 sampler), DDPM
(DDIM sampler) and the VP-SDE score model (probability-flow ODE). Each is trained for the
same number of optimizer steps on fresh batches of the density (WGAN-GP: a quarter as many
generator steps, each after 5 critic steps), then draws ``n_samples``
points; C2ST accuracy against fresh data (0.5 = indistinguishable), training seconds and
sampling seconds go in one table and one figure. Times are wall-clock on whatever machine
runs it (noisy on a shared one).
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .. import optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy, randn
from ..datasets import density_2d
from ..generative import gan
from ..generative.diffusion import DDPM, VPSDE
from ..generative.ebm import langevin_dynamics
from ..generative.flow_matching import FlowMatching
from ..generative.flows import RealNVP
from ..generative.flows_autoregressive import MAF
from ..generative.time_mlp import TimeMLP
from ..generative.vae import VAE
from ..metrics import c2st
from ..nn import Module
from ..random import default_generator
from ..tensor import Tensor
from ._gen_common import write_samples_csv
from .ebm import train_ebm
from .gan import make_optimizers, train_gan
from .registry import RunContext, experiment

Model = tuple[Callable[[], float], Callable[[int], np.ndarray]]  # (train -> seconds, sample n -> points)


def train_steps(module: Module, loss_fn: Callable[[Tensor], Tensor], data: Callable[[int], np.ndarray], steps: int, batch: int, lr: float) -> float:
    """Adam on ``loss_fn(batch)`` for ``steps`` fresh batches; returns seconds."""
    opt = optim.Adam(module.parameters(), lr=lr)
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(from_numpy(data(batch))).backward()
        opt.step()
    return time.perf_counter() - start


def _likelihood_models(cfg: dict[str, Any], data: Callable[[int], np.ndarray]) -> dict[str, Model]:
    steps, batch, lr = int(cfg["steps"]), int(cfg["batch_size"]), float(cfg["lr"])
    vae = VAE(2, latent=2, hidden=(128, 128), decoder="gaussian")
    realnvp, maf = RealNVP(2, transforms=8, hidden=(64, 64)), MAF(2, transforms=5, hidden=(64, 64))
    fm = FlowMatching(TimeMLP(2, (128, 128, 128)), 2)
    ddpm = DDPM(TimeMLP(2, (128, 128, 128)), 2, T=int(cfg["ddpm_T"]))
    vpsde = VPSDE(TimeMLP(2, (128, 128, 128)), 2)

    def draw(fn: Callable[[int], Any]) -> Callable[[int], np.ndarray]:
        def sample(n: int) -> np.ndarray:
            with no_grad():
                out = fn(n)
            return (out[0] if isinstance(out, tuple) else out).numpy()
        return sample

    return {
        "VAE": (lambda: train_steps(vae, lambda x: vae.loss(x), data, steps, batch, lr), draw(lambda n: vae.sample(n, mean=False))),
        "RealNVP": (lambda: train_steps(realnvp, lambda x: -realnvp.log_prob(x).mean(), data, steps, batch, lr), draw(realnvp.sample)),
        "MAF": (lambda: train_steps(maf, lambda x: -maf.log_prob(x).mean(), data, steps, batch, lr), draw(maf.sample)),
        "flow matching (RK4, 20 steps)": (lambda: train_steps(fm, fm.loss, data, steps, batch, lr), draw(lambda n: fm.sample(n, steps=20))),
        f"DDPM (DDIM, {cfg['ddim_steps']} steps)": (lambda: train_steps(ddpm, ddpm.loss, data, steps, batch, lr),
                                                  draw(lambda n: ddpm.ddim_sample(n, steps=int(cfg["ddim_steps"])))),
        "VP-SDE (probability-flow ODE)": (lambda: train_steps(vpsde, vpsde.loss, data, steps, batch, lr), draw(lambda n: vpsde.sample_ode(n))),
    }


def _adversarial_and_energy(cfg: dict[str, Any], density: Any, data: Callable[[int], np.ndarray]) -> dict[str, Model]:
    steps, batch = int(cfg["steps"]), int(cfg["batch_size"])
    nets = {k: (gan.MLPGenerator(2, 2, (128, 128)), gan.MLPDiscriminator(2, (128, 128))) for k in ("GAN", "WGAN-GP")}
    holder: dict[str, Any] = {}

    def gen_sampler(G: gan.MLPGenerator) -> Callable[[int], np.ndarray]:
        def sample(n: int) -> np.ndarray:
            with no_grad():
                return G(randn(n, G.latent)).numpy()
        return sample

    def train_energy() -> float:
        holder["energy"], seconds = train_ebm(density, steps, batch, 20, 0.01, 1e-3, 64)
        return seconds

    def sample_energy(n: int) -> np.ndarray:
        noise = from_numpy(default_generator().uniform(-4.0, 4.0, (n, 2), np.float32))
        return langevin_dynamics(holder["energy"], noise, 500, 0.01, clamp=(-4.0, 4.0)).numpy()

    G, D = nets["GAN"]
    Gw, Dw = nets["WGAN-GP"]
    return {
        "GAN": (lambda: train_gan(G, D, make_optimizers(G, D, 1e-3, False), data, steps, batch, False), gen_sampler(G)),
        "WGAN-GP": (lambda: train_gan(Gw, Dw, make_optimizers(Gw, Dw, 1e-4, True), data, max(steps // 4, 1), batch, True), gen_sampler(Gw)),
        "EBM (PCD, Langevin 500 steps)": (train_energy, sample_energy),
    }


def _figure(ctx: RunContext, rows: list[dict[str, Any]], samples: dict[str, np.ndarray], real: np.ndarray) -> None:
    from matplotlib.figure import Figure

    panels = [("data", real, "")] + [(r["model"], samples[r["model"]], f"C2ST {r['c2st']:.3f}\ntrain {r['train_seconds']:.0f} s, sample {r['sample_seconds']:.2f} s") for r in rows]
    cols = 4
    nrows = (len(panels) + cols - 1) // cols
    fig = Figure(figsize=(3.2 * cols, 3.5 * nrows))
    for i, (name, pts, info) in enumerate(panels):
        ax = fig.add_subplot(nrows, cols, i + 1)
        ax.scatter(pts[:, 0], pts[:, 1], s=1.5, alpha=0.35)
        ax.set(xlim=(-4, 4), ylim=(-4, 4), aspect="equal", xticks=[], yticks=[])
        ax.set_title(f"{name}\n{info}" if info else name, fontsize=8)
    ctx.save_figure(fig, "zoo.png")


@experiment("generative-zoo", "Every generative model on one 2-D density: samples, C2ST, training and sampling time",
            density="eight-gaussians", steps=2000, batch_size=256, lr=1e-3, n_samples=2000, ddpm_T=200, ddim_steps=50,
            models=None, c2st_max_samples=None, c2st_classifier="mlp")
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    density = density_2d(cfg["density"])
    rng = default_generator()

    def data(n: int) -> np.ndarray:
        return density.sample(n, seed=int(rng.integers(0, 2**31, ())))

    models = {**_likelihood_models(cfg, data), **_adversarial_and_energy(cfg, density, data)}
    if cfg.get("models"):
        models = {k: v for k, v in models.items() if any(k.startswith(m) for m in cfg["models"])}
    real = density.sample(int(cfg["n_samples"]), seed=ctx.seed + 777)
    rows, samples = [], {}
    for name, (train, sample) in models.items():
        seconds = train()
        start = time.perf_counter()
        pts = np.asarray(sample(int(cfg["n_samples"])), dtype=np.float64)
        sample_seconds = time.perf_counter() - start
        finite = np.all(np.isfinite(pts), axis=1)
        samples[name] = pts[finite]
        score = float(c2st(pts[finite], real, max_samples=cfg["c2st_max_samples"], classifier=cfg["c2st_classifier"])) if finite.sum() >= 10 else float("nan")
        rows.append({"model": name, "c2st": score, "train_seconds": seconds, "sample_seconds": sample_seconds,
                     "non_finite_samples": int((~finite).sum())})
        ctx.log(f"{name}: C2ST {score:.3f}, train {seconds:.1f} s, sample {sample_seconds:.2f} s")
    ctx.save_table(rows, "zoo")
    _figure(ctx, rows, samples, real)
    best = min(rows, key=lambda r: r["c2st"] if np.isfinite(r["c2st"]) else 1.0)
    write_samples_csv(ctx, samples[best["model"]])  # the best model's points
    return {"models": {r["model"]: {k: v for k, v in r.items() if k != "model"} for r in rows}, "best_model": best["model"]}
