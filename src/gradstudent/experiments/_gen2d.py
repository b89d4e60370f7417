"""Helpers shared by the 2-D generative experiments (flows, flow-matching, diffusion): training loop over
fresh batches of a 2-D density, sample files, C2ST evaluation and scatter/heat-map panels."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..datasets import Density2D
from ..metrics import c2st
from ..serialization import atomic_write_text
from ..tensor import Tensor
from .registry import RunContext

LIMITS = (-4.0, 4.0)


def _seed(text: str) -> int:
    """A stable seed from a string (Python's hash() of a str changes between processes)."""
    return zlib.crc32(text.encode())


Task = tuple[str, Density2D, dict[str, Callable[[Tensor], Tensor]]]


def train_models(ctx: RunContext, tasks: Sequence[Task], modules: Sequence[nn.Module]) -> float:
    """Train every model of every task on fresh batches of its density (one Adam over all, cosine schedule).

    A task is (tag, density, losses) with ``losses[name](x)`` a model's loss on a batch. All losses are
    summed (disjoint parameters, so each model gets exactly its own gradient; Adam is per parameter).
    One "epoch" is ``steps_per_epoch`` steps; batches come from a generator seeded by (seed, tag, epoch,
    step), so ``--resume`` continues with the same data. Returns the training time in seconds.
    """
    cfg = ctx.config
    holder = nn.ModuleList(list(modules))
    opt = optim.Adam(holder.parameters(), lr=cfg["lr"])
    total = cfg["epochs"] * cfg["steps_per_epoch"]
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, total))
    t0 = time.perf_counter()
    for epoch in ctx.epochs(holder, opt, sched):
        sums: dict[str, float] = {}
        for step in range(cfg["steps_per_epoch"]):
            parts = {}
            for tag, density, losses in tasks:
                x = from_numpy(density.sample(cfg["batch_size"], seed=_seed(f"{ctx.seed}/{tag}/{epoch}/{step}")))
                parts.update({f"{tag}/{name}": fn(x) for name, fn in losses.items()})
            opt.zero_grad()
            sum(parts.values()).backward()
            opt.step()
            sched.step()
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v.item() / cfg["steps_per_epoch"]
        ctx.log_metrics(epoch, **sums)
    holder.eval()
    return time.perf_counter() - t0


class Standardized(Density2D):
    """A density rescaled to zero mean and unit variance per coordinate: z = (x - μ) / σ.

    μ and σ come from 100,000 points of a fixed seed. Diffusion and flow-matching networks learn much faster
    on standardized data (the noise N(0, I) they start from then has the data's scale); samples are mapped
    back with ``unscale`` before they are compared with the data.
    """

    def __init__(self, density: Density2D) -> None:
        ref = density.sample(100_000, seed=_seed(f"standardize/{density.name}"))
        self.density, self.name = density, density.name
        self.mean, self.std = ref.mean(0), ref.std(0)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return ((self.density.sample(n, seed=seed) - self.mean) / self.std).astype(np.float32)

    def unscale(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z, dtype=np.float64) * self.std + self.mean


def write_samples(ctx: RunContext, samples: np.ndarray, name: str = "samples.csv") -> None:
    """Generated 2-D points as CSV with header ``x,y`` (written atomically)."""
    rows = "\n".join(f"{a:.6g},{b:.6g}" for a, b in np.asarray(samples, dtype=np.float64))
    atomic_write_text(ctx.out / name, "x,y\n" + rows + "\n")


def c2st_against_fresh(samples: np.ndarray, density: Density2D, seed: int, tag: str, classifier: str = "mlp") -> float:
    """C2ST of the samples against as many fresh points of the density (a seed no training batch used)."""
    fresh = density.sample(len(samples), seed=_seed(f"fresh/{seed}/{tag}"))
    finite = np.isfinite(samples).all(1)
    if not finite.all():  # a diverged sample counts as obviously fake: replace it by a far-away point
        samples = np.where(finite[:, None], samples, 100.0)
    return c2st(samples, fresh, seed=seed, classifier=classifier)  # type: ignore[arg-type]


def scatter(ax: Any, x: np.ndarray, title: str, s: float = 1.0) -> None:
    ax.scatter(x[:, 0], x[:, 1], s=s, alpha=0.4, lw=0)
    ax.set_xlim(*LIMITS)
    ax.set_ylim(*LIMITS)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def grid(n: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = np.linspace(*LIMITS, n)
    xx, yy = np.meshgrid(g, g)
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)


def heat(ax: Any, density: np.ndarray, title: str) -> None:
    ax.imshow(density, origin="lower", extent=(*LIMITS, *LIMITS), cmap="viridis")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def timed_sample(fn: Callable[[], tuple[Tensor, int]]) -> tuple[np.ndarray, int, float]:
    """Run a sampler under no_grad: (samples as float64 array, network evaluations, seconds)."""
    t0 = time.perf_counter()
    with no_grad():
        x, nfe = fn()
    return x.numpy().astype(np.float64), int(nfe), time.perf_counter() - t0
