"""init-activations: why initialisation and input scaling decide whether a deep net trains.

A deep MLP (``depth`` hidden layers of ``width`` units) is initialised four ways:

* **zero**: every weight 0. Every unit of a layer computes the same thing and
  receives the same gradient, so they stay identical (the symmetry is never broken);
* **small**: N(0, 0.01²). Each layer multiplies the signal's scale by about
  0.01·sqrt(width) < 1, so activations and gradients shrink geometrically with depth;
* **Xavier/Glorot**: Var(W) = 2 / (fan_in + fan_out), which keeps the variance of
  activations and of gradients roughly constant for a linear or tanh unit;
* **He/Kaiming**: Var(W) = 2 / fan_in, which does the same for ReLU (half of
  the units are zero, so the variance needs a factor 2).

For each initialisation and activation (tanh, ReLU) the experiment records one
forward and one backward pass on a batch of digits: the distribution of every
layer's activations (the classic histograms) and the scale of every layer's
weight gradient. Then it trains the deep network with each initialisation, and a
shallow one on raw pixel values (0..16) against standardised inputs (zero mean,
unit variance per feature), to show how input scaling changes training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..datasets import load_digits_arrays
from ..random import manual_seed
from ..creation import from_numpy
from ..tensor import Tensor
from ..utils.data import DataLoader, TensorDataset
from .common import evaluate, standardize, train_epoch
from .registry import RunContext, experiment

INITS = ("zero", "small", "xavier", "he")
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}


def deep_mlp(depth: int, width: int, activation: str, init: str, n_in: int = 64, n_out: int = 10) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units, weights drawn by ``init``, biases 0."""
    layers: list[nn.Module] = []
    sizes = [n_in] + [width] * depth
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [_init(nn.Linear(a, b), init, activation), ACTIVATIONS[activation]()]
    layers.append(_init(nn.Linear(sizes[-1], n_out), init, "linear"))
    return nn.Sequential(*layers)


def _init(layer: nn.Linear, init: str, activation: str) -> nn.Linear:
    w = layer.weight
    if init == "zero":
        nn.init.zeros_(w)
    elif init == "small":
        nn.init.normal_(w, 0.0, 0.01)
    elif init == "xavier":
        nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh") if activation == "tanh" else 1.0)
    elif init == "he":
        nn.init.kaiming_normal_(w, nonlinearity="relu")
    else:
        raise ValueError(f"init-activations: unknown init {init!r}; choose one of {INITS}")
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


def layer_statistics(model: nn.Sequential, X: Tensor, y: Tensor) -> dict[str, list[Any]]:
    """One forward and backward pass: each hidden layer's activations and weight-gradient std."""
    activations: list[np.ndarray] = []
    h = X
    for module in model:
        h = module(h)
        if not isinstance(module, nn.Linear):  # the output of an activation function
            activations.append(h.detach().numpy().reshape(-1))
    model.zero_grad()
    nn.functional.cross_entropy(h, y).backward()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    grad_std = [float(m.weight.grad.numpy().std()) if m.weight.grad is not None else 0.0 for m in linears]
    return {"activations": activations, "act_std": [float(a.std()) for a in activations], "grad_std": grad_std}


def _statistics_figures(ctx: RunContext, stats: dict[tuple[str, str], dict[str, list[Any]]], depth: int) -> None:
    from matplotlib.figure import Figure

    shown = sorted({0, depth // 2, depth - 1})
    for act in ACTIVATIONS:
        fig = Figure(figsize=(3 * len(shown), 2.2 * len(INITS)))
        for r, init in enumerate(INITS):
            for c, layer in enumerate(shown):
                ax = fig.add_subplot(len(INITS), len(shown), r * len(shown) + c + 1)
                values = stats[(init, act)]["activations"][layer]
                ax.hist(values, bins=50, range=(-1, 1) if act == "tanh" else (0, max(1e-3, float(values.max()))), color="C0")
                ax.set_title(f"{init}, layer {layer + 1}: std {values.std():.2g}", fontsize=8)
                ax.tick_params(labelsize=6)
        fig.suptitle(f"{act} activations per layer for each initialisation")
        fig.tight_layout()
        ctx.save_figure(fig, f"histograms_{act}.png")

    fig = Figure(figsize=(10, 4))
    for i, key in enumerate(("act_std", "grad_std")):
        ax = fig.add_subplot(1, 2, i + 1)
        for (init, act), s in stats.items():
            if init == "zero":  # exactly 0 everywhere: nothing to show on a log scale
                continue
            values = np.maximum(np.array(s[key]), 1e-30)
            ax.semilogy(np.arange(1, len(values) + 1), values, "-o" if act == "tanh" else "--s", ms=3, label=f"{init} / {act}")
        ax.set_xlabel("layer")
        ax.set_title(("activation std" if key == "act_std" else "weight-gradient std") + " (zero init: exactly 0)")
    fig.axes[0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    ctx.save_figure(fig, "std_per_layer.png")


def _train_models(ctx: RunContext, models: dict[str, nn.Module], data: dict[str, tuple[np.ndarray, ...]]) -> dict[str, list[float]]:
    """Train every model for the configured epochs (Adam); return each one's per-epoch training loss."""
    cfg = ctx.config
    holder = nn.ModuleList(list(models.values()))  # one module so a single checkpoint holds them all
    optimizers = [optim.SGD(m.parameters(), lr=cfg["lr"], momentum=0.9) for m in models.values()]
    loaders = {name: DataLoader(TensorDataset(from_numpy(data[name][0]), from_numpy(data[name][1])), batch_size=cfg["batch_size"], shuffle=True) for name in models}
    curves: dict[str, list[float]] = {name: [] for name in models}
    for epoch in ctx.epochs(holder, optimizers):
        row = {}
        for (name, model), opt in zip(models.items(), optimizers):
            loss = train_epoch(ctx, model, loaders[name], opt, nn.functional.cross_entropy)
            curves[name].append(loss)
            row[name.replace(" ", "_")] = loss
        ctx.log_metrics(epoch, **row)
    return curves


@experiment(
    "init-activations",
    "Activation and gradient statistics per layer for zero/small/Xavier/He init (tanh, ReLU); training with each; raw vs standardized inputs",
    epochs=8, lr=0.01, batch_size=64, depth=10, width=128, batch=512,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    depth, width = int(cfg["depth"]), int(cfg["width"])
    Xraw, ytr = load_digits_arrays("train", seed=ctx.seed)
    Xte_raw, yte = load_digits_arrays("test", seed=ctx.seed)
    Xtr, Xte = standardize(Xraw, Xte_raw)
    Xb, yb = from_numpy(Xtr[: cfg["batch"]]), from_numpy(ytr[: cfg["batch"]])

    stats = {}
    for init in INITS:
        for act in ACTIVATIONS:
            manual_seed(ctx.seed)
            stats[(init, act)] = layer_statistics(deep_mlp(depth, width, act, init), Xb, yb)
    _statistics_figures(ctx, stats, depth)
    rows = [{"init": i, "activation": a, "first_act_std": s["act_std"][0], "last_act_std": s["act_std"][-1],
             "first_grad_std": s["grad_std"][0], "last_grad_std": s["grad_std"][-1]} for (i, a), s in stats.items()]
    ctx.save_table(rows, "layer_statistics")

    manual_seed(ctx.seed)
    models: dict[str, nn.Module] = {f"deep tanh {init}": deep_mlp(depth, width, "tanh", init) for init in INITS}
    models["deep relu he"] = deep_mlp(depth, width, "relu", "he")
    models["shallow raw inputs"] = deep_mlp(1, 64, "relu", "he")
    models["shallow standardized"] = deep_mlp(1, 64, "relu", "he")
    data: dict[str, tuple[np.ndarray, ...]] = {name: (Xtr, ytr) for name in models}
    data["shallow raw inputs"] = ((16 * Xraw).astype(np.float32), ytr)  # the gray levels 0..16 as stored
    curves = _train_models(ctx, models, data)

    results: dict[str, Any] = {}
    for name, model in models.items():
        X_eval = (16 * Xte_raw).astype(np.float32) if name == "shallow raw inputs" else Xte
        _, acc = evaluate(model, from_numpy(X_eval), from_numpy(yte))
        results[f"test_acc/{name}"] = acc
        results[f"final_loss/{name}"] = curves[name][-1] if curves[name] else float("nan")
    _curves_figure(ctx, curves)
    ctx.save_table([{"model": n, "test_acc": results[f"test_acc/{n}"], "final_train_loss": results[f"final_loss/{n}"]} for n in models], "training")
    for (init, act), s in stats.items():
        results[f"last_act_std/{init}/{act}"] = s["act_std"][-1]
        results[f"first_grad_std/{init}/{act}"] = s["grad_std"][0]
    return results


def _curves_figure(ctx: RunContext, curves: dict[str, list[float]]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    groups = [("deep", "deep networks: initialisation"), ("shallow", "input scaling")]
    for i, (prefix, title) in enumerate(groups):
        ax = fig.add_subplot(1, 2, i + 1)
        for name, c in curves.items():
            if name.startswith(prefix):
                ax.plot(np.arange(1, len(c) + 1), c, "-o", ms=3, label=name)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    ctx.save_figure(fig, "training_curves.png")

