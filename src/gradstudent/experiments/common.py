"""Small helpers shared by the experiments: a training epoch and evaluation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..tensor import Tensor
from ..utils.data import DataLoader
from .context import RunContext


def train_epoch(
    ctx: RunContext | None,
    model: nn.Module,
    loader: DataLoader,
    optimizer: Any,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    extra_loss: Callable[[nn.Module], Tensor] | None = None,
    desc: str = "train",
) -> float:
    """One pass over ``loader``: forward, loss, backward, step. Returns the mean loss."""
    model.train()
    total, count = 0.0, 0
    batches = ctx.progress(loader, desc=desc) if ctx is not None else loader
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        if extra_loss is not None:
            loss = loss + extra_loss(model)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
        if ctx is not None:
            ctx.set_postfix(loss=total / count)
    if count == 0:  # a mean over nothing is not 0.0
        raise ValueError(f"{desc}: the loader yielded no samples (dataset of {len(loader.dataset)} samples, "
                         f"batch_size={loader.batch_size}, drop_last={loader.drop_last}); there is no mean loss")
    return total / count


@no_grad()
def evaluate(model: nn.Module, X: Any, y: Any, loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None, batch_size: int = 1024) -> tuple[float, float]:
    """(mean loss, accuracy) of a classifier on (X, y) — tensors or arrays — in eval mode.

    The model's previous train/eval mode is restored afterwards.
    """
    X = X.detach().numpy() if isinstance(X, Tensor) else np.asarray(X)
    y = y.detach().numpy() if isinstance(y, Tensor) else np.asarray(y)
    if len(y) == 0:
        raise ValueError("evaluate: no samples to evaluate (y is empty); accuracy and mean loss are undefined")
    was_training = model.training
    model.eval()
    losses, correct = 0.0, 0
    loss_fn = loss_fn or nn.functional.cross_entropy
    try:
        for start in range(0, len(y), batch_size):
            xb, yb = from_numpy(X[start : start + batch_size]), from_numpy(y[start : start + batch_size])
            logits = model(xb)
            losses += loss_fn(logits, yb).item() * len(yb)
            correct += int((logits.numpy().argmax(1) == yb.numpy()).sum())
    finally:  # even when forward raises, the model goes back to the mode it was in
        model.train(was_training)
    return losses / len(y), correct / len(y)


def standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale features to zero mean and unit variance using the *training* statistics only.

    Features constant in the training set (always-blank border pixels) are only centred:
    dividing by their ~0 spread would blow up any test value that differs.
    """
    mu, sd = train.mean(0), train.std(0)
    sd = np.where(sd < 1e-3, 1.0, sd)
    return [((a - mu) / sd).astype(np.float32) for a in (train, *others)]


def decision_boundary_figure(ax: Any, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray, title: str) -> None:
    """Shade the predicted class over a grid and scatter the points on ``ax``."""
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)
    zz = predict(grid).reshape(gx.shape)
    ax.contourf(gx, gy, zz, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="coolwarm", edgecolors="none")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
