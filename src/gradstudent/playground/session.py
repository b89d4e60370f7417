"""A playground session: data, features, a small MLP and its optimizer, trained a few steps at a time.

``snapshot()`` is everything the page draws: the losses, the network's output on a
grid (the decision boundary), every neuron's output on a coarser grid, and the
weights. ``export()`` gives the trained model as safetensors bytes with PyTorch's
parameter names (``0.weight``, ``0.bias``, ...), so it loads in gradstudent and in
``torch.nn.Sequential`` alike.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

import gradstudent as gs
from gradstudent import nn

from ..datasets import make_circles, make_moons, make_spirals
from .config import ConfigError, PlaygroundConfig

GRID, NEURON_GRID, EXTENT = 40, 16, 6.0


def make_dataset(name: str, noise: float, seed: int, upload: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): 2-D points in [-6, 6]^2 and 0/1 labels, 400 of them for the built-in sets."""
    n = 400
    if name == "upload":
        if upload is None:
            raise ConfigError("dataset: 'upload' needs a CSV file uploaded first")
        return upload[:, :2].astype(np.float32), upload[:, 2].astype(np.float32)
    if name == "circle":
        X, y = make_circles(n, noise=noise / 5, factor=0.5, seed=seed)
        X = X * 5
    elif name == "xor":  # uniform on the square, the label is the sign of x*y (TensorFlow Playground's set)
        rng = np.random.default_rng(seed)
        X = rng.uniform(-5, 5, size=(n, 2))
        X += np.sign(X) * 0.3  # a small margin around the axes
        y = (X[:, 0] * X[:, 1] > 0).astype(np.float32)
        X += rng.normal(scale=3 * noise, size=X.shape)
    elif name == "gaussians":
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 2, n)
        X = rng.normal(scale=1.0 + 3 * noise, size=(n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    elif name == "spiral":
        X, y = make_spirals(n, noise=noise, seed=seed)
        X = X * 5 / np.abs(X).max()
    else:  # moons
        X, y = make_moons(n, noise=noise / 2, seed=seed)
        X = (X - X.mean(0)) * 2.5
    return X.astype(np.float32), (np.asarray(y) > 0).astype(np.float32)


def parse_csv(text: str) -> np.ndarray:
    """An uploaded CSV: three numeric columns x, y, label (0/1), an optional header; clear errors otherwise."""
    rows = [r for r in (line.strip() for line in text.splitlines()) if r]
    if rows and not _is_number(rows[0].split(",")[0]):
        rows = rows[1:]  # a header line
    if len(rows) < 4:
        raise ConfigError(f"upload: need at least 4 data rows of x,y,label; got {len(rows)}")
    data = []
    for i, row in enumerate(rows, 1):
        cells = row.split(",")
        if len(cells) != 3 or not all(_is_number(c) for c in cells):
            raise ConfigError(f"upload: row {i} is {row[:60]!r}; each row must be x,y,label with numbers")
        data.append([float(c) for c in cells])
    arr = np.array(data)
    if not np.all(np.isfinite(arr)):
        raise ConfigError("upload: the file contains NaN or inf")
    if not set(np.unique(arr[:, 2])) <= {0.0, 1.0}:
        raise ConfigError(f"upload: labels must be 0 or 1, got {sorted(set(np.unique(arr[:, 2])))[:5]}")
    scale = np.abs(arr[:, :2]).max()
    arr[:, :2] *= EXTENT * 0.9 / scale if scale > 0 else 1.0  # into the drawing area
    return arr


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def features(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The chosen input features of 2-D points: x, y, x², y², xy, sin x, sin y."""
    x, y = X[:, 0], X[:, 1]
    table = {"x": x, "y": y, "x2": x * x, "y2": y * y, "xy": x * y, "sinx": np.sin(x), "siny": np.sin(y)}
    return np.stack([table[n] for n in names], axis=1).astype(np.float32)


class Session:
    """One user's network and data; ``step`` trains, ``snapshot`` reports."""

    def __init__(self, config: PlaygroundConfig, upload: np.ndarray | None = None) -> None:
        self.config = config.validate()
        gs.manual_seed(config.seed)
        X, y = make_dataset(config.dataset, config.noise, config.seed, upload)
        order = np.random.default_rng(config.seed).permutation(len(X))
        n_train = max(2, int(round(config.train_fraction * len(X))))
        self.X_train, self.y_train = X[order[:n_train]], y[order[:n_train]]
        self.X_test, self.y_test = X[order[n_train:]], y[order[n_train:]]
        self.model = self._build()
        self.opt = self._optimizer()
        self.steps = 0
        self.history: list[dict[str, float]] = []
        self.rng = np.random.default_rng(config.seed + 1)

    def _build(self) -> nn.Sequential:
        c = self.config
        act = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}[c.activation]
        layers: list[nn.Module] = []
        width = len(c.features)
        for h in c.hidden:
            layers += [nn.Linear(width, h), act()] + ([nn.Dropout(c.dropout)] if c.dropout else [])
            width = h
        layers.append(nn.Linear(width, 1))
        return nn.Sequential(*layers)

    def _optimizer(self) -> gs.optim.Optimizer:
        c, params = self.config, self.model.parameters()
        if c.optimizer == "adam":
            return gs.optim.Adam(params, lr=c.lr, weight_decay=c.l2)
        return gs.optim.SGD(params, lr=c.lr, momentum=0.9 if c.optimizer == "momentum" else 0.0, weight_decay=c.l2)

    def _loss(self, X: np.ndarray, y: np.ndarray) -> gs.Tensor:
        logits = self.model(gs.from_numpy(features(X, self.config.features))).reshape(-1)
        return nn.functional.binary_cross_entropy_with_logits(logits, gs.from_numpy(y))

    def step(self, n: int = 1) -> None:
        """``n`` mini-batch steps of the optimizer (L1 added to the loss; L2 as weight decay)."""
        self.model.train()
        for _ in range(n):
            idx = self.rng.choice(len(self.X_train), size=min(self.config.batch_size, len(self.X_train)), replace=False)
            self.opt.zero_grad()
            loss = self._loss(self.X_train[idx], self.y_train[idx])
            if self.config.l1:
                loss = loss + self.config.l1 * sum(p.abs().sum() for n_, p in self.model.named_parameters() if n_.endswith("weight"))
            loss.backward()
            self.opt.step()
            self.steps += 1
        self.history.append({"step": self.steps, **self.losses()})

    def losses(self) -> dict[str, float]:
        self.model.eval()
        with gs.no_grad():
            train = self._loss(self.X_train, self.y_train).item()
            test = self._loss(self.X_test, self.y_test).item() if len(self.X_test) else float("nan")
        return {"train_loss": train, "test_loss": test}

    def snapshot(self) -> dict[str, Any]:
        """What the page draws, as JSON-ready lists."""
        self.model.eval()
        g = np.linspace(-EXTENT, EXTENT, GRID, dtype=np.float32)
        gx, gy = np.meshgrid(g, g)
        c = np.linspace(-EXTENT, EXTENT, NEURON_GRID, dtype=np.float32)
        cx, cy = np.meshgrid(c, c)
        with gs.no_grad():
            boundary = self.model(gs.from_numpy(features(np.c_[gx.ravel(), gy.ravel()], self.config.features))).sigmoid()
            neurons, h = [], gs.from_numpy(features(np.c_[cx.ravel(), cy.ravel()], self.config.features))
            for layer in self.model:
                h = layer(h)
                if not isinstance(layer, nn.Linear | nn.Dropout):
                    neurons.append(h.numpy().T.reshape(-1, NEURON_GRID, NEURON_GRID).round(3).tolist())
        weights = [p.detach().numpy().round(4).tolist() for n_, p in self.model.named_parameters() if n_.endswith("weight")]
        return {
            "steps": self.steps, "epoch": self.steps * self.config.batch_size / max(1, len(self.X_train)),
            **(self.history[-1] if self.history else {"step": 0, **self.losses()}),
            "history": self.history[-200:], "boundary": boundary.numpy().reshape(GRID, GRID).round(3).tolist(),
            "neurons": neurons, "weights": weights,
        }

    def points(self) -> dict[str, list[list[float]]]:
        return {"train": np.c_[self.X_train, self.y_train].round(3).tolist(), "test": np.c_[self.X_test, self.y_test].round(3).tolist()}

    def export(self) -> bytes:
        """The trained model as a safetensors file (gradstudent and torch.nn.Sequential parameter names)."""
        buffer = io.BytesIO()
        gs.save(self.model.state_dict(), buffer, metadata={"playground": self.config.to_query()})
        return buffer.getvalue()
