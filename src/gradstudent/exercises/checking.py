"""Helpers for writing checks: comparisons with messages that tell a student what is wrong."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message is shown to the student."""


def as_array(x: Any) -> np.ndarray:
    """A NumPy array from a Tensor, an array or a number."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return np.asarray(x.detach().numpy())
    return np.asarray(x)


def assert_close(what: str, got: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-7, hint: str = "") -> None:
    """Raise :class:`CheckFailed` naming ``what``, the shapes and the worst element when they differ."""
    g, e = as_array(got), as_array(expected)
    if g.shape != e.shape:
        raise CheckFailed(f"{what}: shape {g.shape}, expected {e.shape}. {hint}".strip())
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        raise CheckFailed(f"{what}: contains NaN or inf (shape {g.shape}). {hint}".strip())
    err = np.abs(g.astype(np.float64) - e.astype(np.float64))
    bound = atol + rtol * np.abs(e.astype(np.float64))
    if np.any(err > bound):
        i = np.unravel_index(int(np.argmax(err - bound)), err.shape) if err.ndim else ()
        raise CheckFailed(
            f"{what} is wrong (shape {e.shape}): at index {tuple(int(v) for v in i)} got {g[i]:.6g}, expected {e[i]:.6g} "
            f"(max abs error {err.max():.3g}). {hint}".strip()
        )


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function of a float64 array."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        hi = f(x)
        x[i] = old - eps
        lo = f(x)
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)
