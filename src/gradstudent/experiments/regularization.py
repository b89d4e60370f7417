"""regularization: fighting overfitting on a small training set.

A wide MLP trained on only 300 digits, a fifth of them with random labels,
memorises them all, noise included. We compare, trained in
lockstep from the same initial weights: no regularization, L2 weight decay,
dropout, early stopping (keep the weights with the best validation loss) and an
ensemble of independently initialised networks (average their probabilities).
The table reports train and test accuracy and the gap between them. (An
ensemble averages away the *variance* of its members, but when every member has
memorised the same noisy labels it cannot undo that: expect little gain here.)
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..datasets import load_digits_arrays
from ..tensor import Tensor
from ..utils.data import DataLoader, TensorDataset
from .common import evaluate, standardize, train_epoch
from .digits_mlp import make_mlp
from .registry import RunContext, experiment


@no_grad()
def _ensemble_acc(models: list[nn.Module], X: Tensor, y: np.ndarray) -> float:
    probs = sum(m.eval()(X).softmax(1)._data for m in models)
    for m in models:
        m.train()
    return float((probs.argmax(1) == y).mean())


@experiment("regularization", "None vs weight decay vs dropout vs early stopping vs ensemble on 300 noisy-label digits: train/test gap table", epochs=40, lr=1e-3, batch_size=32, n_train=300, label_noise=0.2, ensemble=5, weight_decay=5.0, dropout=0.7)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xall, yall = load_digits_arrays("train", seed=ctx.seed)
    Xte, yte = load_digits_arrays("test", seed=ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    idx = rng.permutation(len(yall))
    tr, va = idx[: cfg["n_train"]], idx[cfg["n_train"] : cfg["n_train"] + 300]
    Xtr, Xva, Xte = standardize(Xall[tr], Xall[va], Xte)
    ytr, yva = yall[tr].copy(), yall[va]
    # corrupt a fraction of the training labels: memorising them is exactly what overfitting is
    noisy = rng.random(len(ytr)) < cfg["label_noise"]
    ytr[noisy] = rng.integers(0, 10, int(noisy.sum()))
    T = gs.from_numpy
    loader = DataLoader(TensorDataset(T(Xtr), T(ytr)), batch_size=cfg["batch_size"], shuffle=True)

    sizes = [64, 512, 512, 10]
    base = make_mlp(sizes)
    models = {
        "none": copy.deepcopy(base),
        "weight_decay": copy.deepcopy(base),
        "dropout": make_mlp(sizes, dropout=cfg["dropout"]),
    }
    for dst, src in zip(models["dropout"].parameters(), base.parameters()):  # same initial weights
        dst._data[...] = src._data
    ensemble = [make_mlp(sizes) for _ in range(cfg["ensemble"])]
    best = copy.deepcopy(base)  # early stopping: the "none" model's weights at its best validation loss
    opts = [
        optim.AdamW(models["none"].parameters(), lr=cfg["lr"], weight_decay=0.0),
        optim.AdamW(models["weight_decay"].parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"]),
        optim.AdamW(models["dropout"].parameters(), lr=cfg["lr"], weight_decay=0.0),
    ] + [optim.AdamW(m.parameters(), lr=cfg["lr"], weight_decay=0.0) for m in ensemble]
    holder = nn.ModuleDict({**models, "ensemble": nn.ModuleList(ensemble), "early_stopping": best})
    ce = nn.functional.cross_entropy

    for epoch in ctx.epochs(holder, opts):
        row = {}
        for (name, m), opt in zip(models.items(), opts):
            row[f"{name}_loss"] = train_epoch(None, m, loader, opt, ce)
        for m, opt in zip(ensemble, opts[3:]):
            train_epoch(None, m, loader, opt, ce)
        val_loss = evaluate(models["none"], T(Xva), T(yva))[0]
        best_so_far = min([r["val_loss"] for r in ctx.history] + [float("inf")])
        if val_loss < best_so_far:
            best.load_state_dict(models["none"].state_dict())
        row["val_loss"] = val_loss
        row["none_test_loss"] = evaluate(models["none"], T(Xte), T(yte))[0]
        ctx.log_metrics(epoch, **row)

    best_epoch = int(np.argmin([r["val_loss"] for r in ctx.history])) + 1
    rows = []
    for name, m in {**models, f"early stopping (epoch {best_epoch})": best}.items():
        train_acc = evaluate(m, T(Xtr), T(ytr))[1]
        test_acc = evaluate(m, T(Xte), T(yte))[1]
        rows.append({"method": name, "train_acc": train_acc, "test_acc": test_acc, "gap": train_acc - test_acc})
    tr_e, te_e = _ensemble_acc(ensemble, T(Xtr), ytr), _ensemble_acc(ensemble, T(Xte), yte)
    rows.append({"method": f"ensemble of {len(ensemble)}", "train_acc": tr_e, "test_acc": te_e, "gap": tr_e - te_e})
    ctx.save_table(rows, "regularization")
    return {r["method"].split(" (")[0].replace(" ", "_") + "_test_acc": r["test_acc"] for r in rows}
