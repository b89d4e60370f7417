"""Array backends: NumPy on the CPU today, CuPy on a GPU tomorrow.

Every op asks its *inputs* which array module to use (the idea behind
``cupy.get_array_module``), so an op body reads like plain NumPy::

    xp = get_array_module(x)
    return xp.exp(x)

and ``tensor.to("cuda")`` becomes a change of array type, not a rewrite.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

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


# A chain of elementwise passes (an optimizer update: multiply, add, sqrt, divide...; a fused
# activation) run on one cache-sized block before moving to the next keeps the data in the
# CPU's L2 cache instead of streaming every array from memory once per pass: Adam on the
# MLP 784-512-512-10 gets ~25% faster. 65,536 float32 = 256 KiB per array.
BLOCK = 1 << 16


def blocks(*arrays: Array | None) -> Iterator[tuple[Array | None, ...]]:
    """Yield matching slices of same-shaped ``arrays``, ``BLOCK`` elements at a time.

    The slices are flat *views*, so in-place updates of a block update the array. ``None``
    entries (an unused state buffer) pass through as ``None``. Small arrays, CuPy arrays
    (a GPU gains nothing from this) and non-contiguous arrays are yielded whole, once.
    """
    present = [a for a in arrays if a is not None]
    first = present[0]
    if first.size <= BLOCK or get_array_module(first) is not np or not all(a.flags.c_contiguous for a in present):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]  # views: all are contiguous
    for start in range(0, first.size, BLOCK):
        yield tuple(None if a is None else a[start : start + BLOCK] for a in flat)
