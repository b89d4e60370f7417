"""Training helpers shared by the CNN experiments (not an experiment itself).

Augmentation is applied to whole mini-batches: the transforms in
:mod:`gradstudent.transforms` draw independent random parameters per image
with vectorized code, so augmenting costs a few array operations per batch.

BLAS threads: these models' matrix products are small, and on a busy 2-core
machine a multi-threaded BLAS spends its time waiting for the other thread
(measured: digits-cnn 124 s with 2 threads vs 17 s with 1 while other jobs
ran). The experiments therefore default to ``threads=1`` (config key).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..random import default_generator
from ..tensor import Tensor
from .common import evaluate as accuracy  # (mean cross-entropy, accuracy) in eval mode
from .context import RunContext


def blas_threads(n: int | None) -> contextlib.AbstractContextManager[Any]:
    """Limit BLAS (OpenBLAS/MKL) to ``n`` threads inside the block; ``None``: leave it alone."""
    if not n:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(n), user_api="blas")


def make_optimizer(model: nn.Module, kind: str, lr: float, weight_decay: float, momentum: float = 0.9) -> Any:
    params = [p for p in model.parameters() if p.requires_grad]
    if kind == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True)
    if kind == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    return optim.Adam(params, lr=lr, weight_decay=weight_decay)


def fit(
    model: nn.Module, data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], epochs: int, lr: float,
    batch_size: int, optimizer: str = "adam", weight_decay: float = 0.0, augment: Callable[[Tensor], Tensor] | None = None,
    ctx: RunContext | None = None, tag: str = "", use_ctx_epochs: bool = False, schedule: str = "onecycle",
    threads: int | None = 1,
) -> dict[str, Any]:
    """Train ``model`` on (Xtr, ytr), evaluate on (Xte, yte) after each epoch.

    ``schedule='onecycle'`` warms the learning rate up and anneals it down
    (fast, reliable convergence in few epochs). Returns the final metrics and
    the per-epoch history. With ``use_ctx_epochs`` the loop is ``ctx.epochs``
    (checkpoints, resume, metrics.json); otherwise a plain loop (ablation runs).
    """
    with blas_threads(threads):
        return _fit(model, data, epochs, lr, batch_size, optimizer, weight_decay, augment, ctx, tag, use_ctx_epochs, schedule)


def _fit(
    model: nn.Module, data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], epochs: int, lr: float,
    batch_size: int, optimizer: str, weight_decay: float, augment: Callable[[Tensor], Tensor] | None,
    ctx: RunContext | None, tag: str, use_ctx_epochs: bool, schedule: str,
) -> dict[str, Any]:
    Xtr, ytr, Xte, yte = data
    if use_ctx_epochs and ctx is not None and epochs != int(ctx.config["epochs"]):
        raise ValueError(f"fit: ctx.epochs runs config['epochs'] = {ctx.config['epochs']} epochs, not {epochs}")
    opt = make_optimizer(model, optimizer, lr, weight_decay)
    steps = -(-len(ytr) // batch_size)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps) if schedule == "onecycle" else None
    rng = default_generator().rng
    history: list[dict[str, float]] = []
    epoch_iter = ctx.epochs(model, opt, sched) if (ctx is not None and use_ctx_epochs) else range(epochs)
    start = time.perf_counter()
    for epoch in epoch_iter:
        model.train()
        order = rng.permutation(len(ytr))
        total, seen = 0.0, 0
        batches = range(0, len(ytr), batch_size)
        for s in ctx.progress(batches, desc=tag or "train") if ctx is not None else batches:
            idx = order[s : s + batch_size]
            xb = gs.from_numpy(Xtr[idx])
            if augment is not None:
                xb = augment(xb)
            yb = gs.from_numpy(ytr[idx])
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        test_loss, test_acc = accuracy(model, Xte, yte)
        row = {"train_loss": total / seen, "test_loss": test_loss, "test_acc": test_acc}
        history.append(row)
        if ctx is not None and use_ctx_epochs:
            ctx.log_metrics(epoch, **row)
        elif ctx is not None:
            ctx.log(f"[{tag}] epoch {epoch + 1}/{epochs}  " + "  ".join(f"{k} {v:.4g}" for k, v in row.items()))
    train_loss, train_acc = accuracy(model, Xtr, ytr)
    final = history[-1] if history else {"test_loss": float("nan"), "test_acc": float("nan")}
    return {
        "train_acc": train_acc, "train_loss": train_loss, "test_acc": final["test_acc"], "test_loss": final["test_loss"],
        "seconds": time.perf_counter() - start, "history": history,
    }


def curves_figure(runs: dict[str, dict[str, Any]], title: str) -> Any:
    """Test accuracy and train/test loss per epoch for several runs."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for name, r in runs.items():
        h = r["history"]
        ep = np.arange(1, len(h) + 1)
        line = ax1.plot(ep, [row["test_acc"] for row in h], label=name)[0]
        ax2.plot(ep, [row["train_loss"] for row in h], "--", color=line.get_color(), label=f"{name} (train)")
        ax2.plot(ep, [row["test_loss"] for row in h], color=line.get_color(), label=f"{name} (test)")
    ax1.set(xlabel="epoch", ylabel="test accuracy", title="test accuracy")
    ax2.set(xlabel="epoch", ylabel="cross-entropy", title="loss (dashed: train)", yscale="log")
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=6)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
