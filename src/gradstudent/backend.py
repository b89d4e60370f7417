"""Array backends: NumPy on the CPU today, a second array library (CuPy) tomorrow.

Every op asks its *inputs* which backend to use (the idea behind
``cupy.get_array_module``), so an op body reads like plain NumPy::

    xp = get_array_module(x)          # the array module: numpy (or cupy)
    return xp.exp(x)

Everything else a device provides lives on one :class:`Backend` object per array
library, obtained the same way with :func:`backend_of`: special functions (``erf``,
the normal CDF), scatter-add with repeated indices, sliding windows, the
cache-blocking policy of elementwise chains, and moving arrays to and from the host
(random numbers are drawn on the host and moved). Ops never test which library
they run on; a second library is one more subclass of :class:`Backend` and one
more entry in :func:`backend_of`.

This module also holds one explicit performance setting, :func:`tune_allocator`
(glibc's malloc keeps freed memory for reuse), applied once by the package's
``__init__`` unless ``GRADSTUDENT_MALLOC_TUNING=0``.
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
from types import ModuleType
from typing import Any, Iterator

import numpy as np

try:  # CuPy is optional; on a CPU-only machine it is simply absent.
    import cupy as _cupy  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the machine
    _cupy = None

Array = Any  # an np.ndarray (or cupy.ndarray): kept loose so both type-check

# A chain of elementwise passes (an optimizer update: multiply, add, sqrt, divide...; a fused
# activation) run on one cache-sized block before moving to the next keeps the data in the
# CPU's L2 cache instead of streaming every array from memory once per pass: Adam on the
# MLP 784-512-512-10 gets ~25% faster. 65,536 float32 = 256 KiB per array.
BLOCK = 1 << 16


class Backend:
    """What one array library on one device gives the ops (the CPU one: NumPy + SciPy).

    Subclasses override what differs; every method takes and returns arrays of
    this backend's library.
    """

    name = "cpu"
    xp: ModuleType = np
    #: elements per block for cache-blocked elementwise chains (0: never split)
    block = BLOCK

    def special(self) -> ModuleType:
        """The special-functions module (``erf``, ``ndtr``, ...): ``scipy.special``."""
        import scipy.special  # imported on first use: SciPy takes a while to load

        return scipy.special

    def scatter_add(self, out: Array, index: Any, values: Array) -> None:
        """``out[index] += values`` with repeated indices adding up (NumPy's ``add.at``).

        A single integer array on the first axis (embedding lookups, gathers of rows)
        is done as a sparse one-hot matrix product, about 10x faster than ``add.at``.
        """
        if not isinstance(index, tuple) and getattr(index, "dtype", None) is not None:
            if index.dtype.kind in "iu" and out.ndim >= 1:
                import scipy.sparse as sp

                rows = index.reshape(-1) % out.shape[0]
                flat = values.reshape(rows.size, math.prod(out.shape[1:]))  # (no -1: rows.size may be 0)
                onehot = sp.csr_matrix(
                    (np.ones(rows.size, dtype=out.dtype), (rows, np.arange(rows.size))), shape=(out.shape[0], rows.size)
                )
                out += (onehot @ flat).reshape(out.shape)
                return
        np.add.at(out, index, values)

    def sliding_windows(self, x: Array, window_shape: tuple[int, ...], axis: tuple[int, ...]) -> Array:
        """A read-only view of every window of ``window_shape`` along ``axis`` (no copy)."""
        return np.lib.stride_tricks.sliding_window_view(x, window_shape, axis=axis)

    def blocks(self, *arrays: Array | None) -> Iterator[tuple[Any, ...]]:
        """Matching flat slices of same-shaped ``arrays``, ``self.block`` elements at a time (see :func:`blocks`)."""
        present = [a for a in arrays if a is not None]
        first = present[0]
        if not self.block or first.size <= self.block or not all(a.flags.c_contiguous for a in present):
            yield arrays
            return
        flat = [None if a is None else a.reshape(-1) for a in arrays]  # views: all are contiguous
        for start in range(0, first.size, self.block):
            yield tuple(None if a is None else a[start : start + self.block] for a in flat)

    def from_host(self, a: np.ndarray) -> Array:
        """A host (NumPy) array as an array of this backend."""
        return a

    def to_host(self, a: Array) -> np.ndarray:
        """An array of this backend as a host (NumPy) array."""
        return a


class CuPyBackend(Backend):  # pragma: no cover - needs a GPU
    """CuPy on an NVIDIA GPU: the same interface; no cache blocking (a GPU gains nothing from it)."""

    name = "cuda"
    block = 0

    def __init__(self, cupy: ModuleType) -> None:
        self.xp = cupy

    def special(self) -> ModuleType:
        import cupyx.scipy.special  # type: ignore[import-not-found]

        return cupyx.scipy.special

    def scatter_add(self, out: Array, index: Any, values: Array) -> None:
        import cupyx  # type: ignore[import-not-found]

        cupyx.scatter_add(out, index, values)

    def sliding_windows(self, x: Array, window_shape: tuple[int, ...], axis: tuple[int, ...]) -> Array:
        return self.xp.lib.stride_tricks.sliding_window_view(x, window_shape, axis=axis)

    def from_host(self, a: np.ndarray) -> Array:
        return self.xp.asarray(a)

    def to_host(self, a: Array) -> np.ndarray:
        return self.xp.asnumpy(a)


CPU = Backend()
_CUDA = CuPyBackend(_cupy) if _cupy is not None else None


def backend_of(*arrays: Any) -> Backend:
    """The backend of the arrays: CuPy's if any argument is a CuPy array, else the CPU's."""
    if _CUDA is not None:
        for a in arrays:
            if isinstance(a, _CUDA.xp.ndarray):
                return _CUDA
    return CPU


def backend_for(device: str) -> Backend:
    """The backend of a device name ("cpu", "cuda", "cuda:0")."""
    kind = str(device).split(":")[0]
    if kind == "cpu":
        return CPU
    if kind == "cuda":
        if _CUDA is None:
            raise RuntimeError("to('cuda'): CuPy is not installed, so there is no GPU backend on this machine")
        return _CUDA
    raise ValueError(f"to(): unknown device {device!r}; expected 'cpu' or 'cuda'")


def get_array_module(*arrays: Any) -> ModuleType:
    """The array module of the arrays' backend: ``numpy`` (or ``cupy`` for CuPy arrays)."""
    return np if _CUDA is None else backend_of(*arrays).xp  # (called by every op: the CPU-only case first)


def device_of(array: Array) -> str:
    """``"cpu"`` for NumPy arrays, ``"cuda"`` for CuPy arrays."""
    return backend_of(array).name


def move_to(array: Array, device: str) -> Array:
    """Copy an array to ``device`` ("cpu" or "cuda"); no copy when already there."""
    target, source = backend_for(device), backend_of(array)
    if target is source:
        return array
    return target.from_host(source.to_host(array))


def blocks(*arrays: Array | None) -> Iterator[tuple[Any, ...]]:
    """Yield matching slices of same-shaped ``arrays``, ``BLOCK`` elements at a time.

    The slices are flat *views*, so in-place updates of a block update the array. ``None``
    entries (an unused state buffer) pass through as ``None``. Small arrays, non-contiguous
    arrays and arrays of a backend without cache blocking (a GPU) are yielded whole, once.
    """
    if _CUDA is None:  # (called per parameter by every optimizer step: the CPU-only case first)
        return CPU.blocks(*arrays)
    return backend_of(*[a for a in arrays if a is not None]).blocks(*arrays)


def tune_allocator() -> bool:
    """Performance setting: ask glibc's malloc to keep freed memory for reuse instead of
    returning it to the OS. Returns whether the setting was applied.

    ``import gradstudent`` calls this once (the package's ``__init__``), unless the
    environment variable ``GRADSTUDENT_MALLOC_TUNING=0`` is set; it changes no result,
    only speed, and affects the whole process (every library's ``malloc``).

    A training step allocates and frees the same large arrays (activations, gradients) every
    step. By default glibc serves large arrays with fresh ``mmap`` calls and trims freed heap
    memory back to the OS page by page, so every step pays page faults on memory it just gave
    back (~1 ms per 8 MB array). Growing and trimming the heap in 64 MiB steps and serving arrays
    up to 32 MiB from it made the GPT and LSTM benchmark steps (W5, W4) 20-25% faster; PyTorch's
    CPU allocator avoids the same cost by caching. Opt out with ``GRADSTUDENT_MALLOC_TUNING=0``;
    with another C library this does nothing.
    """
    if not sys.platform.startswith("linux") or os.environ.get("GRADSTUDENT_MALLOC_TUNING", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl or another libc: leave its defaults
        return False
    M_TOP_PAD, M_MMAP_THRESHOLD = -2, -3
    mallopt(M_TOP_PAD, 64 << 20)         # grow and trim the heap in 64 MiB steps
    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # arrays up to 32 MiB come from the reusable heap
    return True
