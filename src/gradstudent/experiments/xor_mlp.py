"""xor-mlp: why hidden layers matter.

A logistic neuron (no hidden layer) cannot separate XOR: its decision boundary
is a line. One hidden layer of tanh units bends the boundary and solves it.
The figure shows both decision boundaries.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..datasets import make_xor
from .common import decision_boundary_figure
from .registry import RunContext, experiment


def _accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float(((model(gs.from_numpy(X)).reshape(-1)._data > 0) == (y == 1)).mean())


@experiment("xor-mlp", "Logistic neuron vs 2-8-1 tanh MLP on XOR: a line cannot separate it, a hidden layer can", epochs=300, lr=0.1, hidden=8)
def run(ctx: RunContext) -> dict[str, Any]:
    X, y = make_xor(400, noise=0.15, seed=ctx.seed)
    Xt, yt = gs.from_numpy(X), gs.from_numpy(y.astype(np.float32))
    models = {
        "logistic neuron": nn.Linear(2, 1),
        f"MLP 2-{ctx.config['hidden']}-1 (tanh)": nn.Sequential(nn.Linear(2, ctx.config["hidden"]), nn.Tanh(), nn.Linear(ctx.config["hidden"], 1)),
    }
    params = [p for m in models.values() for p in m.parameters()]
    optimizer = optim.Adam(params, lr=ctx.config["lr"])
    holder = nn.ModuleList(list(models.values()))  # one module so a single checkpoint holds both
    for epoch in ctx.epochs(holder, optimizer):
        optimizer.zero_grad()
        losses = {name: nn.functional.binary_cross_entropy_with_logits(m(Xt).reshape(-1), yt) for name, m in models.items()}
        sum(losses.values()).backward()
        optimizer.step()
        if (epoch + 1) % 25 == 0 or epoch == 0:
            ctx.log_metrics(epoch, logistic_loss=list(losses.values())[0].item(), mlp_loss=list(losses.values())[1].item())

    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4))
    results = {}
    for i, (name, m) in enumerate(models.items()):
        acc = _accuracy(m, X, y)
        results[name] = acc

        def predict(grid: np.ndarray, m: nn.Module = m) -> np.ndarray:
            with no_grad():
                return (m(gs.from_numpy(grid)).reshape(-1)._data > 0).astype(int)

        decision_boundary_figure(fig.add_subplot(1, 2, i + 1), predict, X, y, f"{name}: accuracy {acc:.2f}")
    ctx.save_figure(fig, "decision_boundaries.png")
    ctx.save_table([{"model": k, "accuracy": v} for k, v in results.items()], "accuracy")
    acc_lin, acc_mlp = results.values()
    return {"logistic_acc": acc_lin, "mlp_acc": acc_mlp}
