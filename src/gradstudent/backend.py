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


def _keep_freed_memory() -> None:
    """Ask glibc's malloc to keep freed memory for reuse instead of returning it to the OS.

    A training step allocates and frees the same large arrays (activations, gradients) every
    step. By default glibc serves large arrays with fresh ``mmap`` calls and trims freed heap
    memory back to the OS page by page, so every step pays page faults on memory it just gave
    back (~1 ms per 8 MB array). Growing and trimming the heap in 64 MiB steps and serving arrays
    up to 32 MiB from it made the GPT and LSTM benchmark steps (W5, W4) 20-25% faster; PyTorch's
    CPU allocator avoids the same cost by caching. Opt out with ``GRADSTUDENT_MALLOC_TUNING=0``;
    with another C library this does nothing.
    """
    import ctypes
    import os
    import sys

    if not sys.platform.startswith("linux") or os.environ.get("GRADSTUDENT_MALLOC_TUNING", "1") == "0":
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl or another libc: leave its defaults
        return
    M_TOP_PAD, M_MMAP_THRESHOLD = -2, -3
    mallopt(M_TOP_PAD, 64 << 20)         # grow and trim the heap in 64 MiB steps
    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # arrays up to 32 MiB come from the reusable heap

_keep_freed_memory()
