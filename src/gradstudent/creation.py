"""Creating tensors: from data, filled, ranges, identity and random."""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from . import dtypes
from .backend import move_to
from .devices import get_default_device
from .random import Generator, default_generator
from .tensor import Tensor


def _shape(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = size[0]
    bad = [s for s in size if not hasattr(s, "__index__")]
    if bad:  # ones(2.5) is a TypeError (as torch), never silently 2
        raise TypeError(f"size must be a tuple of ints, but found element of type {type(bad[0]).__name__} ({bad[0]!r}) in {tuple(size)}")
    shape = tuple(operator.index(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return shape


def _float(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _finish(data: Any, requires_grad: bool, device: str | None) -> Tensor:
    if device is None:
        device = get_default_device()  # "cpu" unless gs.set_default_device changed it
    data = move_to(data, device)
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers or arrays)."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, list | tuple) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    t = Tensor(data, dtype=dtype)
    return _finish(t._data, requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: str | None = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a NumPy array when no conversion is needed."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.type(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return _finish(data, False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return Tensor._make(array)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.zeros(_shape(size), dtype=_float(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.ones(_shape(size), dtype=_float(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.empty(_shape(size), dtype=_float(dtype)), requires_grad, device)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    if dtype is None:
        dtype = dtypes.infer_dtype(fill_value)
    return _finish(np.full(_shape((size,)), fill_value, dtype=dtype), requires_grad, device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad, device or t.device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad, device or t.device)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.empty(t.shape, dtype=dtype or t.dtype), requires_grad, device or t.device)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad, device or t.device)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _finish(np.arange(start, end, step).astype(dtype), requires_grad, device)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad, device)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    """Uniform samples in [0, 1)."""
    g = generator or default_generator()
    return _finish(g.random(_shape(size), _float(dtype)), requires_grad, device)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, requires_grad: bool = False, device: str | None = None) -> Tensor:
    """Standard normal samples."""
    g = generator or default_generator()
    return _finish(g.normal(0.0, 1.0, _shape(size), _float(dtype)), requires_grad, device)


def randint(
    low: int, high: int | None = None, size: Sequence[int] = (), generator: Generator | None = None, dtype: Any = None,
    device: str | None = None,
) -> Tensor:
    """Integers in [low, high): ``randint(low, high, size)`` or ``randint(high, size)``, as in torch."""
    if isinstance(high, tuple | list):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    g = generator or default_generator()
    return _finish(g.integers(low, high, tuple(size)).astype(dtype or dtypes.int64), False, device)


def randperm(n: int, generator: Generator | None = None, dtype: Any = None, device: str | None = None) -> Tensor:
    g = generator or default_generator()
    return _finish(g.permutation(n).astype(dtype or np.int64), False, device)


def rand_like(t: Tensor, generator: Generator | None = None, dtype: Any = None, device: str | None = None) -> Tensor:
    return rand(*t.shape, generator=generator, dtype=dtype or t.dtype, device=device or t.device)


def randn_like(t: Tensor, generator: Generator | None = None, dtype: Any = None, device: str | None = None) -> Tensor:
    return randn(*t.shape, generator=generator, dtype=dtype or t.dtype, device=device or t.device)


def bernoulli(p: Tensor, generator: Generator | None = None) -> Tensor:
    g = generator or default_generator()
    return Tensor._make((g.random(p.shape, p.dtype) < p._data).astype(p.dtype))


def normal(
    mean: float, std: float, size: Sequence[int], generator: Generator | None = None, dtype: Any = None,
    device: str | None = None,
) -> Tensor:
    g = generator or default_generator()
    return _finish(g.normal(mean, std, tuple(size), _float(dtype)), False, device)


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False, generator: Generator | None = None) -> Tensor:
    """Draw category indices from each row of (unnormalized) ``probs``."""
    g = generator or default_generator()
    p = np.asarray(probs._data, dtype=np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = np.stack([g.rng.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor._make(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))
