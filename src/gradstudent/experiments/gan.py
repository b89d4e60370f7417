"""gan: an MLP GAN (non-saturating loss) against WGAN-GP on eight Gaussians, and a DCGAN on digits.

Eight Gaussians (radius 2, σ = 0.2): a mode counts as covered when at least 2% of 2,000
samples lie within 3σ of its centre; the high-quality fraction is the share of samples
within 3σ of any centre. The classic failure of the plain GAN is mode collapse (a few
modes); WGAN-GP's critic gives useful gradients everywhere, so it should cover all 8.

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
from ..nn import Module
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


def train_gan(G: Module, D: Module, data: Callable[[int], np.ndarray], steps: int, batch: int, wgan: bool,
              n_critic: int = 5, lr: float = 2e-4, gp_weight: float = 10.0) -> float:
    """Alternate discriminator/critic and generator updates; returns training seconds.

    GAN: Adam(lr, β=(0.5, 0.999)), one D step per G step, non-saturating generator loss.
    WGAN-GP: Adam(lr, β=(0.5, 0.9)), ``n_critic`` critic steps per generator step.
    """
    betas = (0.5, 0.9) if wgan else (0.5, 0.999)
    opt_g, opt_d = optim.Adam(G.parameters(), lr=lr, betas=betas), optim.Adam(D.parameters(), lr=lr, betas=betas)
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


def _eight_gaussians(ctx: RunContext, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    density = EightGaussians()
    rng = default_generator()

    def data(n: int) -> np.ndarray:
        return density.sample(n, seed=int(rng.integers(0, 2**31, ())))

    results, samples = {}, {}
    for name, wgan in (("gan", False), ("wgan_gp", True)):
        G = gan.MLPGenerator(int(cfg["latent"]), 2, (int(cfg["hidden"]),) * 2)
        D = gan.MLPDiscriminator(2, (int(cfg["hidden"]),) * 2)
        steps = int(cfg["wgan_steps"] if wgan else cfg["gan_steps"])
        seconds = train_gan(G, D, data, steps, int(cfg["batch_size"]), wgan, lr=float(cfg["wgan_lr" if wgan else "gan_lr"]))
        with no_grad():
            start = time.perf_counter()
            points = G(randn(int(cfg["n_samples"]), G.latent)).numpy()
            sample_s = time.perf_counter() - start
        samples[name] = points
        results[name] = {**mode_metrics(points, density.centres, density.std), "train_seconds": seconds, "sample_seconds": sample_s}
        ctx.log(f"{name}: {results[name]}")
    return results, samples


def _dcgan(cfg: dict[str, Any]) -> tuple[dict[str, Any], np.ndarray]:
    Xtr, ytr, Xte, yte = digits()
    images = Xtr.reshape(-1, 1, 8, 8)
    rng = default_generator()
    G, D = gan.DCGANGenerator(latent=int(cfg["dcgan_latent"])), gan.DCGANDiscriminator()
    seconds = train_gan(G, D, lambda n: images[rng.integers(0, len(images), (n,))], int(cfg["dcgan_steps"]), 64, False, lr=2e-4)
    G.eval()
    with no_grad():
        fake = G(randn(1000, G.latent)).numpy().reshape(-1, 64)
    scorer = DigitsScorer.fit(seed=int(cfg.get("seed", 0)), epochs=int(cfg["scorer_epochs"]))
    metrics = {"train_seconds": seconds, **scorer.score(fake, Xte), "scorer_test_accuracy": float(scorer.test_accuracy),
               "real_test_digits": scorer.score(Xte, Xtr[: len(Xte)])}
    return metrics, fake


@experiment("gan", "MLP GAN vs WGAN-GP on eight Gaussians (modes covered, sample quality), DCGAN on digits",
            latent=2, hidden=128, batch_size=256, gan_lr=1e-3, wgan_lr=1e-4, gan_steps=2000, wgan_steps=1500, n_samples=2000, dcgan_latent=16, dcgan_steps=1500, scorer_epochs=30)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    results, samples = _eight_gaussians(ctx, cfg)
    write_samples_csv(ctx, samples["wgan_gp"])
    write_samples_csv(ctx, samples["gan"], "samples_gan.csv")
    dcgan, fake = _dcgan(cfg)

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
