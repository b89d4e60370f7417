"""optimizers: SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam side by side.

Two views: (1) training loss per epoch for the same MLP on digits, every
optimizer starting from the *same* initial weights; (2) the paths each takes
on the Rosenbrock valley f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, where plain
gradient descent crawls along the curved valley floor and momentum and
adaptive step sizes help.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..creation import tensor
from ..datasets import load_digits_arrays
from ..tensor import Tensor
from ..utils.data import DataLoader, TensorDataset
from .common import evaluate, standardize, train_epoch
from .digits_mlp import make_mlp
from .registry import RunContext, experiment

OPTIMIZERS: dict[str, Callable[[Any, float], optim.Optimizer]] = {
    "SGD": lambda p, lr: optim.SGD(p, lr=lr * 20),
    "SGD+momentum": lambda p, lr: optim.SGD(p, lr=lr * 20, momentum=0.9),
    "Nesterov": lambda p, lr: optim.SGD(p, lr=lr * 20, momentum=0.9, nesterov=True),
    "AdaGrad": lambda p, lr: optim.Adagrad(p, lr=lr * 10),
    "RMSProp": lambda p, lr: optim.RMSprop(p, lr=lr),
    "Adam": lambda p, lr: optim.Adam(p, lr=lr),
}


def rosenbrock(xy: Tensor) -> Tensor:
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_paths(steps: int = 300) -> dict[str, np.ndarray]:
    """Optimizer trajectories from (-1.5, 2) with per-optimizer learning rates that keep SGD stable."""
    lrs = {"SGD": 1e-3, "SGD+momentum": 1e-3, "Nesterov": 1e-3, "AdaGrad": 0.3, "RMSProp": 0.01, "Adam": 0.05}
    paths = {}
    for name, make in OPTIMIZERS.items():
        xy = tensor([-1.5, 2.0], requires_grad=True)
        opt = make([xy], 1.0)
        for group in opt.param_groups:
            group["lr"] = lrs[name]
        pts = [xy.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            rosenbrock(xy).backward()
            opt.step()
            pts.append(xy.detach().numpy().copy())
        paths[name] = np.array(pts)
    return paths


@experiment("optimizers", "SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam: loss curves on digits and paths on Rosenbrock", epochs=15, lr=1e-3, batch_size=64)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xtr, ytr = load_digits_arrays("train", seed=ctx.seed)
    Xte, yte = load_digits_arrays("test", seed=ctx.seed)
    Xtr, Xte = standardize(Xtr, Xte)
    loader = DataLoader(TensorDataset(gs.from_numpy(Xtr), gs.from_numpy(ytr)), batch_size=cfg["batch_size"], shuffle=True)
    base = make_mlp([64, 64, 10])
    models = {name: copy.deepcopy(base) for name in OPTIMIZERS}  # identical starting weights
    optimizers = [make(models[name].parameters(), cfg["lr"]) for name, make in OPTIMIZERS.items()]
    holder = nn.ModuleDict({name.replace("+", "_"): m for name, m in models.items()})
    for epoch in ctx.epochs(holder, optimizers):
        row = {}
        for (name, model), opt in zip(models.items(), optimizers):
            row[f"{name}_loss"] = train_epoch(None, model, loader, opt, nn.functional.cross_entropy)
        ctx.log_metrics(epoch, **row)

    final = {}
    for name, model in models.items():
        final[name] = evaluate(model, gs.from_numpy(Xte), gs.from_numpy(yte))[1]
    ctx.save_table([{"optimizer": n, "final_train_loss": ctx.history[-1][f"{n}_loss"], "test_acc": a} for n, a in final.items()], "optimizers")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.5))
    ax = fig.add_subplot(1, 2, 1)
    for name in OPTIMIZERS:
        ax.plot([r["epoch"] + 1 for r in ctx.history], [r[f"{name}_loss"] for r in ctx.history], marker="o", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("MLP on digits, same initial weights")
    ax.legend()
    ax2 = fig.add_subplot(1, 2, 2)
    gx, gy = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-1, 3, 200))
    ax2.contour(gx, gy, (1 - gx) ** 2 + 100 * (gy - gx**2) ** 2, levels=np.logspace(-1, 3.5, 15), cmap="Greys", linewidths=0.6)
    for name, path in rosenbrock_paths().items():
        ax2.plot(path[:, 0], path[:, 1], lw=1.2, label=name)
    ax2.plot([1], [1], "k*", ms=12)
    ax2.set_title("Rosenbrock: 300 steps from (-1.5, 2)")
    ax2.legend(fontsize=7)
    ctx.save_figure(fig, "optimizers.png")
    return {f"{n}_test_acc": a for n, a in final.items()}
