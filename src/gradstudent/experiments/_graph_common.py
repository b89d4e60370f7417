"""Helpers shared by the graph experiments: full-batch node classification and mini-batch graph classification."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..tensor import Tensor


def masked_accuracy(logits: Tensor, y: np.ndarray, mask: np.ndarray) -> float:
    pred = logits.detach().numpy().argmax(1)
    return float((pred[mask] == y[mask]).mean()) if mask.any() else float("nan")


def train_node_classifier(
    model: nn.Module, forward: Callable[[], Tensor], y: np.ndarray, train: np.ndarray, val: np.ndarray, test: np.ndarray,
    epochs: int, lr: float, weight_decay: float,
) -> dict[str, Any]:
    """Full-batch training (Adam, cross-entropy on the training nodes); reports the test accuracy at the
    epoch of best validation accuracy (Planetoid protocol) and the accuracy curves."""
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    yt = from_numpy(y.astype(np.int64))
    idx = from_numpy(np.nonzero(train)[0])
    best = (-1.0, 0.0, 0)
    curve = []
    for epoch in range(epochs):
        model.train()
        opt.zero_grad()
        out = forward()
        nn.functional.cross_entropy(out[idx], yt[idx]).backward()
        opt.step()
        model.eval()
        with no_grad():
            out = forward()
        va, te = masked_accuracy(out, y, val), masked_accuracy(out, y, test)
        curve.append((epoch, masked_accuracy(out, y, train), va, te))
        if va > best[0]:
            best = (va, te, epoch)
    return {"val_acc": best[0], "test_acc": best[1], "best_epoch": best[2], "curve": curve}


def train_graph_classifier(model: nn.Module, train_loader: Any, test_sets: dict[str, Any], epochs: int, lr: float) -> dict[str, Any]:
    """Mini-batch graph classification; ``model(batch)`` returns logits per graph."""
    opt = optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        model.train()
        for batch in train_loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(batch), batch.y).backward()
            opt.step()
        history.append({name: graph_accuracy(model, loader) for name, loader in test_sets.items()})
    return {"history": history, **history[-1]}


def graph_accuracy(model: nn.Module, loader: Any) -> float:
    model.eval()
    correct = total = 0
    with no_grad():
        for batch in loader:
            pred = model(batch).numpy().argmax(1)
            correct += int((pred == batch.y.numpy()).sum())
            total += len(pred)
    return correct / max(total, 1)
