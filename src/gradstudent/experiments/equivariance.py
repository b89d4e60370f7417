"""equivariance: a C4 group-convolutional network vs a plain CNN on digits rotated by multiples of 90 degrees.

Every digit (8x8, bundled with scikit-learn) is shown at a random rotation from C4, in training and in
test. The group CNN (lifting conv -> group conv -> pooling over the group) is invariant to these
rotations by construction, so it never has to learn the same digit four times; the plain CNN has to.
The data-efficiency curve shows test accuracy against the number of training images. The measured
equivariance error (``check_equivariance`` in float64) of the trained group CNN and of an EGNN layer
under random E(3) transformations is reported too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..datasets import load_digits_arrays
from ..equivariant import C, E, EGNNLayer, GroupConv, LiftingConv, check_equivariance, group_max_pool2d, group_pool
from ..random import manual_seed
from ..tensor import Tensor
from .registry import RunContext, experiment


class C4CNN(nn.Module):
    """lift(1 -> c1) -> relu -> pool -> gconv(c1 -> c2) -> relu -> pool -> max over C4 -> spatial mean -> linear."""

    def __init__(self, c1: int = 8, c2: int = 16, n_classes: int = 10) -> None:
        super().__init__()
        g = C(4)
        self.lift, self.gconv, self.head = LiftingConv(g, 1, c1), GroupConv(g, c1, c2), nn.Linear(c2, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = group_max_pool2d(self.lift(x).relu())
        h = group_max_pool2d(self.gconv(h).relu())
        return self.head(group_pool(h, "max").mean((-2, -1)))


class PlainCNN(nn.Module):
    """conv(1 -> c1) -> relu -> pool -> conv(c1 -> c2) -> relu -> pool -> spatial mean -> linear."""

    def __init__(self, c1: int = 16, c2: int = 32, n_classes: int = 10) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(c2, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.net(x).mean((-2, -1)))


def rotated_digits(split: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits_arrays(split)
    imgs = X.reshape(-1, 1, 8, 8)
    k = np.random.default_rng(seed).integers(0, 4, len(y))
    out = np.stack([np.rot90(im, kk, axes=(-2, -1)) for im, kk in zip(imgs, k)]).astype(np.float32)
    return np.ascontiguousarray(out), y


def fit(model: nn.Module, X: np.ndarray, y: np.ndarray, steps: int, lr: float, batch: int, seed: int) -> None:
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        i = rng.integers(0, len(y), min(batch, len(y)))
        opt.zero_grad()
        nn.functional.cross_entropy(model(from_numpy(X[i])), from_numpy(y[i])).backward()
        opt.step()


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float((model(from_numpy(X)).numpy().argmax(1) == y).mean())


@experiment("equivariance", "C4 group CNN vs plain CNN on C4-rotated digits: data efficiency and measured equivariance error",
            sizes=[50, 100, 200, 400, 800], steps=300, lr=0.01, batch=32, data_seed=0)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xtr, ytr = rotated_digits("train", int(cfg["data_seed"]))
    Xte, yte = rotated_digits("test", int(cfg["data_seed"]) + 1)
    order = np.random.default_rng(int(cfg["data_seed"])).permutation(len(ytr))
    rows, metrics = [], {}
    for n in [int(s) for s in cfg["sizes"]]:
        idx = order[:n]
        row: dict[str, Any] = {"n_train": n}
        for name, cls in (("C4 group CNN", C4CNN), ("plain CNN", PlainCNN)):
            manual_seed(ctx.seed)
            model = cls()
            fit(model, Xtr[idx], ytr[idx], int(cfg["steps"]), float(cfg["lr"]), int(cfg["batch"]), ctx.seed)
            row[name] = accuracy(model, Xte, yte)
        rows.append(row)
        ctx.log(f"n = {n}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items() if k != "n_train"))
    ctx.save_table(rows, "data_efficiency")
    x64 = from_numpy(Xte[:16].astype(np.float64))
    metrics["gcnn_equivariance_error_float64"] = check_equivariance(model_last_gcnn(ctx, Xtr, ytr, cfg).double(), C(4), [x64], ["image"], "invariant")["max_abs_error"]
    metrics["plain_cnn_rotation_error_float64"] = check_equivariance(model.double(), C(4), [x64], ["image"], "invariant")["max_abs_error"]
    metrics["egnn_equivariance_error_float64"] = _egnn_error()
    for r in rows:
        metrics[f"gcnn_acc_n{r['n_train']}"], metrics[f"cnn_acc_n{r['n_train']}"] = r["C4 group CNN"], r["plain CNN"]
    _figure(ctx, rows)
    return metrics


def model_last_gcnn(ctx: RunContext, X: np.ndarray, y: np.ndarray, cfg: dict[str, Any]) -> nn.Module:
    """A group CNN trained briefly (the equivariance of a *trained* model is what matters)."""
    manual_seed(ctx.seed)
    m = C4CNN()
    fit(m, X, y, max(1, int(cfg["steps"]) // 3), float(cfg["lr"]), int(cfg["batch"]), ctx.seed)
    return m


def _egnn_error() -> float:
    manual_seed(0)
    layer = EGNNLayer(4, 4).double()
    rng = np.random.default_rng(0)
    h, x = from_numpy(rng.standard_normal((10, 4))), from_numpy(rng.standard_normal((10, 3)))
    src, dst = np.nonzero(~np.eye(10, dtype=bool))
    ei = from_numpy(np.stack([src, dst]).astype(np.int64))
    return check_equivariance(layer, E(3), [h, x, ei], ["invariant", "points", "fixed"], ["invariant", "points"], n_samples=16)["max_abs_error"]


def _figure(ctx: RunContext, rows: list[dict[str, Any]]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot(1, 1, 1)
    n = [r["n_train"] for r in rows]
    for name in ("C4 group CNN", "plain CNN"):
        ax.plot(n, [r[name] for r in rows], "o-", label=name)
    ax.set(xscale="log", xlabel="training images (randomly rotated by C4)", ylabel="test accuracy", title="data efficiency")
    ax.legend()
    ctx.save_figure(fig, "data_efficiency.png")
