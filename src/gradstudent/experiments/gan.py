"""gan: an MLP GAN (non-saturating loss) against WGAN-GP on eight Gaussians, and a DCGAN on digits.

Eight Gaussians (radius 2, σ = 0.2): a mode counts as covered when at least 2% of 2,000
samples lie within 3σ of its centre; the high-quality fraction is the share of samples
within 3σ of any centre. The classic failure of the plain GAN is mode collapse (a few
modes); WGAN-GP's critic gives useful gradients everywhere, so it should cover all 8. Both use MLPs 3×256
(ReLU generator, LeakyReLU critic) and latent 2; WGAN-GP takes 5 critic steps per generator step, Adam(1e-4,
β = (0.5, 0.9)) and a penalty weight λ = 0.1, the value Gulrajani et al.'s own toy-data code uses (λ = 10 is for
images; on this toy it let the generator swing as one blob between coverings of 8 and of 2-4 modes).

DCGAN on the 8×8 digits (ConvTranspose2d generator with batch norm, conv discriminator),
scored by the digits classifier of :mod:`gradstudent.generative.scores`: mean confidence,
class coverage and a Fréchet distance in its feature space against the real test digits (the
same scores of real training digits against the test digits are the reference).
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .. import optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy, randn
from ..datasets import EightGaussians
from ..generative import gan
from ..generative.scores import DigitsScorer
from ..nn import Module, ModuleList
from ..random import default_generator
from ._gen_common import digits, image_grid, write_samples_csv
from .registry import RunContext, experiment


def mode_metrics(samples: np.ndarray, centres: np.ndarray, std: float, min_fraction: float = 0.02) -> dict[str, float]:
    """Modes covered (>= ``min_fraction`` of the samples within 3σ) and the high-quality fraction."""
    dist = np.linalg.norm(samples[:, None, :] - centres[None], axis=-1)  # (n, modes)
    near = dist < 3 * std
    per_mode = near.mean(0)
    return {"modes_covered": int((per_mode >= min_fraction).sum()), "high_quality_fraction": float(near.any(1).mean()),
            "min_mode_fraction": float(per_mode.min()), "max_mode_fraction": float(per_mode.max())}


def make_optimizers(G: Module, D: Module, lr: float, wgan: bool) -> tuple[optim.Adam, optim.Adam]:
    """Adam for G and D: β = (0.5, 0.9) for WGAN-GP (Gulrajani et al.), (0.5, 0.999) for the GAN (Radford et al.)."""
    betas = (0.5, 0.9) if wgan else (0.5, 0.999)
    return optim.Adam(G.parameters(), lr=lr, betas=betas), optim.Adam(D.parameters(), lr=lr, betas=betas)


def train_gan(G: Module, D: Module, opts: tuple[optim.Adam, optim.Adam], data: Callable[[int], np.ndarray], steps: int,
              batch: int, wgan: bool, n_critic: int = 5, gp_weight: float = 10.0) -> float:
    """``steps`` generator updates, each after one discriminator (GAN) or ``n_critic`` critic (WGAN-GP)
    updates; the non-saturating generator loss for the GAN. Returns training seconds."""
    opt_g, opt_d = opts
    latent = G.latent
    start = time.perf_counter()
    for _ in range(steps):
        for _ in range(n_critic if wgan else 1):
            real = from_numpy(data(batch))
            with no_grad():
                fake = G(randn(batch, latent))
            opt_d.zero_grad()
            loss_d = gan.critic_loss(D, real, fake, gp_weight) if wgan else gan.discriminator_loss(D(real), D(fake))
            loss_d.backward()
            opt_d.step()
        opt_g.zero_grad()
        scores = D(G(randn(batch, latent)))
        (gan.wgan_generator_loss(scores) if wgan else gan.generator_loss(scores)).backward()
        opt_g.step()
    return time.perf_counter() - start


def _train_all(ctx: RunContext, cfg: dict[str, Any]) -> tuple[dict[str, tuple[Module, Module]], dict[str, float]]:
    """Train the GAN, WGAN-GP (eight Gaussians) and DCGAN (digits) side by side, one ``ctx.epochs`` loop.

    Each epoch gives every model its ``*_steps`` generator updates, then checkpoints all six networks and
    optimizers (and the random state that draws the batches), so ``--epochs`` and ``--resume`` work.
    """
    density = EightGaussians()
    rng = default_generator()
    images = digits()[0].reshape(-1, 1, 8, 8)
    hidden = (int(cfg["hidden"]),) * int(cfg["layers"])
    nets = {"gan": (gan.MLPGenerator(int(cfg["latent"]), 2, hidden), gan.MLPDiscriminator(2, hidden)),
            "wgan_gp": (gan.MLPGenerator(int(cfg["latent"]), 2, hidden), gan.MLPDiscriminator(2, hidden)),
            "dcgan": (gan.DCGANGenerator(latent=int(cfg["dcgan_latent"])), gan.DCGANDiscriminator())}
    lrs = {"gan": float(cfg["gan_lr"]), "wgan_gp": float(cfg["wgan_lr"]), "dcgan": 2e-4}
    opts = {k: make_optimizers(G, D, lrs[k], k == "wgan_gp") for k, (G, D) in nets.items()}
    data = {"gan": lambda n: density.sample(n, seed=int(rng.integers(0, 2**31, ()))),
            "dcgan": lambda n: images[rng.integers(0, len(images), (n,))]}
    data["wgan_gp"] = data["gan"]
    batch = {"gan": int(cfg["batch_size"]), "wgan_gp": int(cfg["batch_size"]), "dcgan": 64}
    holder = ModuleList([m for pair in nets.values() for m in pair])
    seconds = dict.fromkeys(nets, 0.0)
    for epoch in ctx.epochs(holder, [o for pair in opts.values() for o in pair]):
        for k, (G, D) in nets.items():
            seconds[k] += train_gan(G, D, opts[k], data[k], int(cfg[f"{k}_steps"]), batch[k], k == "wgan_gp",
                                    gp_weight=float(cfg["gp_weight"]))
        ctx.log_metrics(epoch, **{f"{k}_train_seconds": v for k, v in seconds.items()})
    holder.eval()
    return nets, seconds


def _eight_gaussians(ctx: RunContext, nets: dict[str, tuple[Module, Module]], seconds: dict[str, float]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    density = EightGaussians()
    results, samples = {}, {}
    for name in ("gan", "wgan_gp"):
        G = nets[name][0]
        with no_grad():
            start = time.perf_counter()
            points = G(randn(int(ctx.config["n_samples"]), G.latent)).numpy()
            sample_s = time.perf_counter() - start
        samples[name] = points
        results[name] = {**mode_metrics(points, density.centres, density.std), "train_seconds": seconds[name], "sample_seconds": sample_s}
        ctx.log(f"{name}: {results[name]}")
    return results, samples


def _dcgan(cfg: dict[str, Any], G: Module, seconds: float) -> tuple[dict[str, Any], np.ndarray]:
    Xtr, _, Xte, _ = digits()
    with no_grad():
        fake = G(randn(1000, G.latent)).numpy().reshape(-1, 64)
    scorer = DigitsScorer.fit(seed=int(cfg.get("seed", 0)), epochs=int(cfg["scorer_epochs"]))
    metrics = {"train_seconds": seconds, **scorer.score(fake, Xte), "scorer_test_accuracy": float(scorer.test_accuracy),
               "real_test_digits": scorer.score(Xte, Xtr[: len(Xte)])}
    return metrics, fake


@experiment("gan", "MLP GAN vs WGAN-GP on eight Gaussians (modes covered, sample quality), DCGAN on digits",
            epochs=10, latent=2, hidden=256, layers=3, batch_size=256, gan_lr=1e-3, wgan_lr=1e-4, gp_weight=0.1,
            gan_steps=200, wgan_gp_steps=80, n_samples=2000, dcgan_latent=16, dcgan_steps=150, scorer_epochs=30)
def run(ctx: RunContext) -> dict[str, Any]:
    """Steps are per epoch (``gan_steps``, ``wgan_gp_steps``, ``dcgan_steps`` generator updates); see ``_train_all``."""
    cfg = ctx.config
    nets, seconds = _train_all(ctx, cfg)
    results, samples = _eight_gaussians(ctx, nets, seconds)
    write_samples_csv(ctx, samples["wgan_gp"])
    write_samples_csv(ctx, samples["gan"], "samples_gan.csv")
    dcgan, fake = _dcgan(cfg, nets["dcgan"][0], seconds["dcgan"])

    from matplotlib.figure import Figure

    density = EightGaussians()
    real = density.sample(int(cfg["n_samples"]), seed=ctx.seed + 1)
    fig = Figure(figsize=(12, 4))
    for i, (title, pts) in enumerate((("data", real), ("GAN (non-saturating)", samples["gan"]), ("WGAN-GP", samples["wgan_gp"]))):
        ax = fig.add_subplot(1, 3, i + 1)
        ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4)
        extra = f": {results[k]['modes_covered']}/8 modes" if (k := {1: 'gan', 2: 'wgan_gp'}.get(i)) else ""
        ax.set(title=title + extra, xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal")
    ctx.save_figure(fig, "eight_gaussians.png")
    fig = Figure(figsize=(5, 5))
    image_grid(fig.add_subplot(1, 1, 1), fake, 8, 8, "DCGAN samples")
    ctx.save_figure(fig, "dcgan_samples.png")
    ctx.save_table([{"model": k, **v} for k, v in results.items()], "eight_gaussians")
    return {"eight_gaussians": results, "dcgan": dcgan,
            "wgan_gp_covers_all_modes": results["wgan_gp"]["modes_covered"] == 8}
