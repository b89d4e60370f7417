"""scikit-learn's bundled digits (8x8 handwritten digits, 1797 images): no download needed."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # ships with scikit-learn, read from disk

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(len(idx) * test_fraction))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def load_digits_arrays(split: str = "train", seed: int = 0, test_fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Digits as arrays: X float32 (n, 64) scaled to [0, 1], y int64 (n,).

    The train/test split is stratified by class and fixed by ``seed`` (80/20 by default).
    ``split`` is "train", "test" or "all".
    """
    X, y = _digits_raw()
    if split == "all":
        return X.copy(), y.copy()
    train, test = _stratified_split(y, test_fraction, seed)
    if split == "train":
        return X[train], y[train]
    if split == "test":
        return X[test], y[test]
    raise ValueError(f"load_digits_arrays: split must be 'train', 'test' or 'all', got {split!r}")


def digits(split: str = "train", seed: int = 0, images: bool = False):
    """Digits as a ``TensorDataset`` of (x, label); ``images=True`` gives x the shape (1, 8, 8)."""
    from ..tensor import Tensor
    from ..utils.data import TensorDataset

    X, y = load_digits_arrays(split, seed)
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return TensorDataset(Tensor._make(X), Tensor._make(y))
