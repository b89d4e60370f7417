# %% [markdown]
# # 5. Regularization
#
# With few examples and noisy labels a network memorises the training set. Regularizers trade a
# little training fit for better test accuracy:
# - **weight decay (L2)**: add $\frac\lambda2\|\theta\|^2$ to the loss, i.e. $\theta \leftarrow \theta - \eta(\nabla L + \lambda\theta)$;
# - **L1**: $\lambda\|\theta\|_1$ pushes weights to exactly 0;
# - **dropout**: zero each hidden unit with probability $p$ during training (scale the rest by $1/(1-p)$);
# - **early stopping**: keep the weights with the best validation loss;
# - **ensembles**: average the predictions of independently trained networks.

# %%
import copy
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.datasets import load_digits_arrays

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)

# %% [markdown]
# 300 training digits, 20% of their labels replaced by random ones; a clean test set.

# %%
X, y = load_digits_arrays("train")
Xte, yte = load_digits_arrays("test")
rng = np.random.default_rng(0)
X, y = X[:300], y[:300].copy()
noisy = rng.random(300) < 0.2
y[noisy] = rng.integers(0, 10, noisy.sum())
Xv, yv = X[:60], y[:60]  # a validation split for early stopping
Xtr, ytr = gs.from_numpy(X[60:]), gs.from_numpy(y[60:])
Xv, yv, Xte_t = gs.from_numpy(Xv), gs.from_numpy(yv), gs.from_numpy(Xte)
epochs = 60 if FAST else 400


def accuracy(model: nn.Module, X: gs.Tensor, y: np.ndarray) -> float:
    model.eval()
    with gs.no_grad():
        return float((model(X).argmax(1).numpy() == y).mean())


def fit(dropout: float = 0.0, weight_decay: float = 0.0, l1: float = 0.0, seed: int = 0) -> tuple[nn.Module, list[float], nn.Module]:
    gs.manual_seed(seed)
    layers = [nn.Linear(64, 256), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(256, 10)]
    model = nn.Sequential(*layers)
    opt = gs.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=weight_decay)
    val_losses, best, best_loss = [], copy.deepcopy(model), float("inf")
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(Xtr), ytr)
        if l1:
            loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
        loss.backward()
        opt.step()
        model.eval()
        with gs.no_grad():
            val_losses.append(F.cross_entropy(model(Xv), yv).item())
        if val_losses[-1] < best_loss:
            best_loss, best = val_losses[-1], copy.deepcopy(model)
    return model, val_losses, best


# %%
results, curves = {}, {}
for name, kwargs in {"none": {}, "weight decay": {"weight_decay": 0.5}, "L1": {"l1": 1e-4}, "dropout 0.5": {"dropout": 0.5}}.items():
    model, curves[name], best = fit(**kwargs)
    results[name] = accuracy(model, Xte_t, yte)
    if name == "none":
        results["early stopping"] = accuracy(best, Xte_t, yte)
members = [fit(seed=s)[0] for s in range(3 if FAST else 5)]
with gs.no_grad():
    probs = sum(F.softmax(m.eval()(Xte_t), dim=1) for m in members)
results["ensemble"] = float((probs.argmax(1).numpy() == yte).mean())
for name, acc in results.items():
    print(f"{name:15s} test accuracy {acc:.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, c in curves.items():
    ax.plot(c, label=name)
ax.set_xlabel("epoch (full batch)")
ax.set_ylabel("validation loss")
ax.legend()
fig.savefig(OUT / "05_validation_curves.png")

# %% [markdown]
# Without regularization the validation loss turns up as the network memorises the wrong labels;
# `gradstudent run regularization` runs the full comparison.
#
# ## The same thing in PyTorch
# `torch.optim.AdamW(params, weight_decay=...)`, `torch.nn.Dropout(p)` and `model.train()`/`model.eval()`
# are spelled and behave the same:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    d = torch.nn.Dropout(0.5)
    d.eval()
    ones = torch.ones(4)
    assert torch.equal(d(ones), ones)  # dropout is the identity in eval mode, in both libraries
    gd = nn.Dropout(0.5).eval()
    assert np.array_equal(gd(gs.ones(4)).numpy(), np.ones(4))
    print("dropout in eval mode is the identity in both")
