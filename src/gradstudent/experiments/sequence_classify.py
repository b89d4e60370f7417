"""sequence-classify: is this oscillator free (damped) or driven? A GRU and a Transformer decide.

Each series is a noisy trajectory of

    x'' + 2 gamma x' + omega0^2 x = F cos(omega_d t),

with random damping, frequency and initial state; F = 0 for the "damped" class
and F > 0 for the "driven" one. Weakly damped free oscillators still ring at the
end of the window, and a driven one beats while its transient dies out, so the
decision needs the shape of the whole series, not one number. Baseline: the
best threshold on the ratio of late to early signal energy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..models.sequence import AttentionClassifier, RecurrentClassifier
from ..random import manual_seed
from .common import evaluate
from .registry import RunContext, experiment


def oscillators(n: int, length: int, rng: np.random.Generator, dt: float = 0.2, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(series (n, length, 1) float32, labels (n,): 0 damped, 1 driven), integrated with RK4 (4 substeps)."""
    y = rng.integers(0, 2, n)
    gamma = rng.uniform(0.05, 0.3, n)
    w0 = rng.uniform(0.8, 2.5, n)
    force = np.where(y == 1, rng.uniform(0.2, 1.2, n), 0.0)
    wd = rng.uniform(0.5, 3.0, n)
    x, v = rng.standard_normal(n), rng.standard_normal(n)

    def accel(t: float, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return force * np.cos(wd * t) - 2 * gamma * v - w0**2 * x

    out = np.empty((n, length))
    h, t = dt / 4, 0.0
    for k in range(length):
        out[:, k] = x
        for _ in range(4):  # classical Runge-Kutta on (x, v)
            k1x, k1v = v, accel(t, x, v)
            k2x, k2v = v + 0.5 * h * k1v, accel(t + 0.5 * h, x + 0.5 * h * k1x, v + 0.5 * h * k1v)
            k3x, k3v = v + 0.5 * h * k2v, accel(t + 0.5 * h, x + 0.5 * h * k2x, v + 0.5 * h * k2v)
            k4x, k4v = v + h * k3v, accel(t + h, x + h * k3x, v + h * k3v)
            x, v = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x), v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
            t += h
    out += noise * rng.standard_normal(out.shape)
    out /= np.abs(out).max(axis=1, keepdims=True)  # amplitude alone must not give the class away
    return out[..., None].astype(np.float32), y


def energy_ratio_baseline(Xtr: np.ndarray, ytr: np.ndarray, Xte: np.ndarray, yte: np.ndarray) -> float:
    """Accuracy of the best threshold (fitted on train) on late/early mean-square signal."""

    def feature(X: np.ndarray) -> np.ndarray:
        q = X.shape[1] // 4
        return np.log((X[:, -q:, 0] ** 2).mean(1) / (X[:, :q, 0] ** 2).mean(1))

    f_tr, f_te = feature(Xtr), feature(Xte)
    cands = np.quantile(f_tr, np.linspace(0.01, 0.99, 199))
    accs = [((f_tr > c) == ytr).mean() for c in cands]
    best = cands[int(np.argmax(accs))]
    return float(((f_te > best) == yte).mean())


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    return evaluate(model, X, y, batch_size=500)[1]


@experiment(
    "sequence-classify",
    "Damped vs driven oscillators (simulated): GRU and Transformer classifiers vs an energy-ratio threshold",
    epochs=15, lr=3e-3, batch_size=64, n_train=4000, n_test=1000, length=100, hidden=32,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    manual_seed(ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    Xtr, ytr = oscillators(cfg["n_train"], cfg["length"], rng)
    Xte, yte = oscillators(cfg["n_test"], cfg["length"], rng)
    models = {
        "GRU": RecurrentClassifier(1, cfg["hidden"], 2, cell="GRU"),
        "Transformer": AttentionClassifier(1, cfg["hidden"], 2, max_len=cfg["length"], nhead=4, num_layers=2),
    }
    holder = nn.ModuleDict(models)
    optimizer = optim.Adam(holder.parameters(), lr=cfg["lr"])
    bs = cfg["batch_size"]
    for epoch in ctx.epochs(holder, optimizer):
        order = np.random.default_rng(ctx.seed + epoch).permutation(len(Xtr))
        losses = dict.fromkeys(models, 0.0)
        for b in ctx.progress(range(0, len(order), bs), desc="train"):
            i = order[b : b + bs]
            xb, yb = gs.from_numpy(Xtr[i]), gs.from_numpy(ytr[i])
            optimizer.zero_grad()
            terms = {name: nn.functional.cross_entropy(m(xb), yb) for name, m in models.items()}
            sum(terms.values()).backward()
            nn.utils.clip_grad_norm_(holder.parameters(), 1.0)
            optimizer.step()
            for name, t in terms.items():
                losses[name] += t.item() * len(i) / len(order)
        ctx.log_metrics(epoch, **{f"{k.lower()}_loss": v for k, v in losses.items()}, **{f"{k.lower()}_test_acc": accuracy(m, Xte, yte) for k, m in models.items()})

    results = {f"{k.lower()}_test_acc": accuracy(m, Xte, yte) for k, m in models.items()}
    results["energy_ratio_baseline_acc"] = energy_ratio_baseline(Xtr, ytr, Xte, yte)
    ctx.save_table([{"model": k, "test accuracy": v} for k, v in results.items()], "accuracy")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    for c, name in enumerate(("damped", "driven")):
        ax = fig.add_subplot(1, 2, c + 1)
        for k in np.flatnonzero(yte == c)[:4]:
            ax.plot(Xte[k, :, 0], lw=1)
        ax.set_title(f"{name} examples")
        ax.set_xlabel("time step")
    ctx.save_figure(fig, "examples.png")
    return results
