"""Helpers shared by the generative-model experiments (autoencoders, vae, gan, ebm, generative-zoo)."""

from __future__ import annotations

import io
import time
from typing import Callable

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..datasets import load_digits_arrays
from ..random import default_generator
from ..serialization import atomic_write_text
from ..tensor import Tensor
from .context import RunContext


def digits(max_train: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): 8×8 digits as (N, 64) float32 in [0, 1]."""
    Xtr, ytr = load_digits_arrays("train")
    Xte, yte = load_digits_arrays("test")
    if max_train is not None:
        Xtr, ytr = Xtr[:max_train], ytr[:max_train]
    return Xtr, ytr, Xte, yte


def minibatches(n: int, batch_size: int) -> list[np.ndarray]:
    """A fresh random split of range(n) into batches (drawn from gradstudent's seeded generator)."""
    perm = default_generator().permutation(n)
    return [perm[i : i + batch_size] for i in range(0, n, batch_size)]


def fit(model: nn.Module, X: np.ndarray, loss_fn: Callable[[nn.Module, Tensor], Tensor], epochs: int, lr: float = 1e-3,
        batch_size: int = 128, weight_decay: float = 0.0) -> tuple[list[float], float]:
    """Adam on ``loss_fn(model, batch)`` for ``epochs`` passes over X; returns (loss per epoch, seconds)."""
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    losses, start = [], time.perf_counter()
    for _ in range(epochs):
        losses.append(_one_epoch(model, opt, X, loss_fn, batch_size))
    model.eval()
    return losses, time.perf_counter() - start


Job = tuple[nn.Module, np.ndarray, Callable[[nn.Module, Tensor], Tensor]]


def _one_epoch(model: nn.Module, opt: optim.Optimizer, X: np.ndarray, loss_fn: Callable[[nn.Module, Tensor], Tensor], batch_size: int) -> float:
    """One pass over X in shuffled minibatches; the mean training loss per sample."""
    total = 0.0
    for idx in minibatches(len(X), batch_size):
        opt.zero_grad()
        loss = loss_fn(model, from_numpy(X[idx]))
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / len(X)


def fit_all(ctx: RunContext, jobs: dict[str, Job], lr: float, batch_size: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Train several models side by side in one ``ctx.epochs`` loop: each epoch is one pass of Adam on
    ``loss_fn(model, batch)`` over each model's X, then a checkpoint of every model and optimizer (and of the
    random state that shuffles the batches), so ``--epochs`` and ``--resume`` work as for the other experiments.

    ``jobs`` maps a name (letters, digits, ``_``) to (model, X, loss_fn). Returns each model's mean training
    loss per epoch (from the run's history, so a resumed run has the whole curve) and its training seconds.
    """
    holder = nn.ModuleDict({name: model for name, (model, _, _) in jobs.items()})
    opts = [optim.Adam(model.parameters(), lr=lr) for model, _, _ in jobs.values()]
    seconds = dict.fromkeys(jobs, 0.0)
    for epoch in ctx.epochs(holder, opts):
        losses = {}
        for name, (model, X, loss_fn) in jobs.items():
            model.train()
            start = time.perf_counter()
            losses[f"{name}_loss"] = _one_epoch(model, opts[list(jobs).index(name)], X, loss_fn, batch_size)
            seconds[name] += time.perf_counter() - start
        ctx.log_metrics(epoch, **losses)
    holder.eval()
    return {name: [row[f"{name}_loss"] for row in ctx.history if f"{name}_loss" in row] for name in jobs}, seconds


@no_grad()
def batched(fn: Callable[[Tensor], Tensor], X: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Apply ``fn`` to X in batches without gradients; returns a NumPy array."""
    return np.concatenate([fn(from_numpy(X[i : i + batch_size])).numpy() for i in range(0, len(X), batch_size)])


def write_samples_csv(ctx: RunContext, points: np.ndarray, name: str = "samples.csv") -> None:
    """2-D generated points as CSV with header ``x,y`` (atomically)."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"write_samples_csv: expected points of shape (n, 2), got {points.shape}")
    buf = io.StringIO()
    buf.write("x,y\n")
    np.savetxt(buf, points, delimiter=",", fmt="%.6f")
    atomic_write_text(ctx.out / name, buf.getvalue())


def image_grid(ax: object, images: np.ndarray, rows: int, cols: int, title: str = "") -> None:
    """Show (rows*cols, 64) digit images as one grid on a matplotlib Axes."""
    imgs = np.asarray(images).reshape(-1, 8, 8)[: rows * cols]
    grid = np.zeros((rows * 9 - 1, cols * 9 - 1))  # white (gray_r) separators
    for k, img in enumerate(imgs):
        r, c = divmod(k, cols)
        grid[r * 9 : r * 9 + 8, c * 9 : c * 9 + 8] = img
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)  # type: ignore[attr-defined]
    ax.set_title(title, fontsize=9)  # type: ignore[attr-defined]
    ax.axis("off")  # type: ignore[attr-defined]
