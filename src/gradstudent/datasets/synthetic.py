"""Synthetic 2-D classification sets: no download, any size, fixed by a seed.

Each returns ``(X, y)`` with X float32 of shape (n, 2) and y int64 of shape (n,).
"""

from __future__ import annotations

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def make_moons(n: int = 500, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles."""
    rng = _rng(seed)
    n_a = n // 2
    t_a, t_b = np.linspace(0, np.pi, n_a), np.linspace(0, np.pi, n - n_a)
    upper = np.stack([np.cos(t_a), np.sin(t_a)], 1)
    lower = np.stack([1 - np.cos(t_b), 0.5 - np.sin(t_b)], 1)
    X = np.concatenate([upper, lower]) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([np.zeros(n_a), np.ones(n - n_a)])
    return _shuffled(rng, X, y)


def make_circles(n: int = 500, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0)."""
    rng = _rng(seed)
    n_out = n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n - n_out, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1), factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    X += rng.normal(0, noise, X.shape)
    y = np.concatenate([np.zeros(n_out), np.ones(n - n_out)])
    return _shuffled(rng, X, y)


def make_spirals(n: int = 500, noise: float = 0.2, n_classes: int = 2, turns: float = 1.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms (hard for linear models, easy for an MLP)."""
    rng = _rng(seed)
    per = [n // n_classes + (1 if k < n % n_classes else 0) for k in range(n_classes)]
    Xs, ys = [], []
    for k, m in enumerate(per):
        r = np.linspace(0.05, 1.0, m)
        t = 2 * np.pi * turns * r + 2 * np.pi * k / n_classes + rng.normal(0, noise * 0.5, m)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], 1) * 3.0)
        ys.append(np.full(m, k))
    return _shuffled(rng, np.concatenate(Xs), np.concatenate(ys))


def make_xor(n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four clusters at (±1, ±1); the label is 1 when the signs differ (not linearly separable)."""
    rng = _rng(seed)
    corners = rng.integers(0, 2, (n, 2))
    X = (2 * corners - 1) + rng.normal(0, noise, (n, 2))
    y = corners[:, 0] ^ corners[:, 1]
    return _shuffled(rng, X, y)


def make_blobs(n: int = 500, centers: int = 3, std: float = 1.0, box: float = 8.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters with centres drawn uniformly in [-box, box]^2."""
    rng = _rng(seed)
    mu = rng.uniform(-box, box, (centers, 2))
    y = np.arange(n) % centers
    X = mu[y] + rng.normal(0, std, (n, 2))
    return _shuffled(rng, X, y)


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = rng.permutation(len(y))
    return X[p].astype(np.float32), y[p].astype(np.int64)
