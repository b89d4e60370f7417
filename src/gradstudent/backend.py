"""Array backends: NumPy on the CPU today, CuPy on a GPU tomorrow.

Every op asks its *inputs* which array module to use (the idea behind
``cupy.get_array_module``), so an op body reads like plain NumPy::

    xp = get_array_module(x)
    return xp.exp(x)

and ``tensor.to("cuda")`` becomes a change of array type, not a rewrite.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

try:  # CuPy is optional; on a CPU-only machine it is simply absent.
    import cupy as _cupy  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the machine
    _cupy = None

Array = Any  # an np.ndarray (or cupy.ndarray): kept loose so both type-check


def get_array_module(*arrays: Any) -> ModuleType:
    """Return ``cupy`` if any argument is a CuPy array, else ``numpy``."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def device_of(array: Array) -> str:
    """``"cpu"`` for NumPy arrays, ``"cuda"`` for CuPy arrays."""
    return "cuda" if _cupy is not None and isinstance(array, _cupy.ndarray) else "cpu"


def move_to(array: Array, device: str) -> Array:
    """Copy an array to ``device`` ("cpu" or "cuda"); no copy when already there."""
    device = str(device).split(":")[0]
    if device == "cpu":
        return _cupy.asnumpy(array) if device_of(array) == "cuda" else array
    if device == "cuda":
        if _cupy is None:
            raise RuntimeError("to('cuda'): CuPy is not installed, so there is no GPU backend on this machine")
        return _cupy.asarray(array)
    raise ValueError(f"to(): unknown device {device!r}; expected 'cpu' or 'cuda'")
