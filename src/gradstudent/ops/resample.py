"""Padding and resampling: ``pad``, ``interpolate``, adaptive average pooling.

Every resampling here is *separable and linear*: along one axis of length n,
the output is ``A @ x`` for a fixed (m, n) matrix A, e.g. for bilinear
interpolation each row of A holds the two weights (1 - t, t) of the nearest
input pixels, and for adaptive average pooling each row averages a window.
Built from ``matmul``, they get exact gradients (of any order) from the engine.
Nearest-neighbour upsampling instead *selects* input pixels: an index lookup,
or for integer factors a broadcast (each pixel repeated s times).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor


# ---------------------------------------------------------------- padding
@register("constant_pad")
class ConstantPad(Function):
    """z = x inside a frame filled with ``value``; ``pads`` is ((lo, hi), ...) per axis"""

    def forward(self, x: Array, *, pads: tuple[tuple[int, int], ...], value: float) -> Array:
        xp = get_array_module(x)
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, x.shape))
        out = xp.full(tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, pads)), value, dtype=x.dtype)
        out[self.inner] = x
        return out

    def backward(self, grad: Tensor) -> Tensor:
        return grad[self.inner]  # x.grad = z.grad without the frame


def _edge_index(n: int, lo: int, hi: int, mode: str, op: str) -> np.ndarray:
    """Source index of each padded position along one axis of length n."""
    pos = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        if lo > n or hi > n:
            raise ValueError(f"{op}: circular padding ({lo}, {hi}) may not exceed the size {n} of the axis")
        return pos % n
    if mode == "reflect":  # mirror without repeating the edge: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
        if lo >= n or hi >= n:
            raise ValueError(f"{op}: reflect padding ({lo}, {hi}) must be smaller than the size {n} of the axis")
        period = 2 * (n - 1) if n > 1 else 1
        pos = np.abs(pos) % period
        return np.where(pos >= n, period - pos, pos)
    raise ValueError(f"{op}: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """``torch.nn.functional.pad``: ``pad = (left, right, top, bottom, ...)`` from the last axis backwards.

    Negative amounts crop. ``'reflect'``, ``'replicate'`` and ``'circular'``
    read border pixels by an index lookup per axis (so gradients add up there).
    """
    op = "pad"
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"{op}: pad must have an even length of at most 2*{input.ndim}, got {tuple(pad)}")
    pairs = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        pairs[input.ndim - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    # negative amounts: crop first, then pad the positive amounts
    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, input.shape))
    x = input[crop] if any(lo < 0 or hi < 0 for lo, hi in pairs) else input
    pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if all(p == (0, 0) for p in pairs):
        return x
    if mode == "constant":
        return ConstantPad.apply(x, pads=tuple(pairs), value=0.0 if value is None else float(value))
    if value not in (None, 0, 0.0):
        raise ValueError(f"{op}: value is only used with mode='constant'")
    for d, (lo, hi) in enumerate(pairs):
        if lo or hi:
            idx = _edge_index(x.shape[d], lo, hi, mode, op)
            x = x.index_select(d, Tensor._make(get_array_module(x._data).asarray(idx)))
    return x


# ---------------------------------------------------------------- separable linear resampling
def _along(x: Tensor, matrix: np.ndarray, dim: int) -> Tensor:
    """Apply ``matrix`` (m, n) along axis ``dim`` of x (length n): one big GEMM."""
    xp = get_array_module(x._data)
    a = Tensor._make(xp.asarray(matrix, dtype=x.dtype))
    if dim == x.ndim - 1:
        lead = x.shape[:-1]
        return (x.reshape(-1, x.shape[-1]) @ a.mT).reshape(lead + (matrix.shape[0],))
    moved = x.movedim(dim, -1)
    return _along(moved, matrix, moved.ndim - 1).movedim(-1, dim)


def linear_weights(n_in: int, n_out: int, align_corners: bool, scale: float | None) -> np.ndarray:
    """(n_out, n_in) linear-interpolation matrix, PyTorch's source-pixel convention.

    ``align_corners=True``: the corner pixels' centres line up, src = dst*(n_in-1)/(n_out-1).
    ``False``: pixel areas line up, src = (dst + 0.5)*n_in/n_out - 0.5, clamped at 0.
    """
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        step = 1.0 / scale if scale else n_in / n_out
        src = np.maximum((dst + 0.5) * step - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = src - i0
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), i0), 1.0 - t)
    np.add.at(weights, (np.arange(n_out), i1), t)
    return weights


def adaptive_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) averaging matrix of adaptive pooling: window i is
    [floor(i*n_in/n_out), ceil((i+1)*n_in/n_out)), each of its pixels weighted 1/length."""
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):  # n_out rows of a small constant matrix, not a loop over data
        lo, hi = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        weights[i, lo:hi] = 1.0 / (hi - lo)
    return weights


def adaptive_avg_pool(x: Tensor, output_size: Sequence[int | None]) -> Tensor:
    """Average pooling to a fixed output size over the last len(output_size) axes."""
    k = len(output_size)
    sizes = [x.shape[x.ndim - k + i] if s is None else int(s) for i, s in enumerate(output_size)]
    if all(s == 1 for s in sizes):  # global average pooling
        return x.mean(tuple(range(x.ndim - k, x.ndim)), keepdim=True)
    for i, m in enumerate(sizes):
        d = x.ndim - k + i
        if x.shape[d] != m:
            x = _along(x, adaptive_weights(x.shape[d], m), d)
    return x


# ---------------------------------------------------------------- interpolate
def _nearest(x: Tensor, dim: int, n_out: int, scale: float | None, exact: bool) -> Tensor:
    n_in = x.shape[dim]
    if not exact and n_out % n_in == 0 and (scale is None or scale == n_out // n_in):
        r = n_out // n_in  # integer factor: repeat every pixel r times by broadcasting
        shape = x.shape[: dim + 1] + (1,) + x.shape[dim + 1 :]
        big = x.shape[: dim + 1] + (r,) + x.shape[dim + 1 :]
        return x.reshape(shape).expand(big).reshape(x.shape[:dim] + (n_out,) + x.shape[dim + 1 :])
    step = 1.0 / scale if scale else n_in / n_out
    offset = 0.5 if exact else 0.0
    src = np.minimum(np.floor((np.arange(n_out) + offset) * step).astype(np.int64), n_in - 1)
    return x.index_select(dim, Tensor._make(get_array_module(x._data).asarray(src)))


def interpolate(
    input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
    align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
) -> Tensor:
    """``torch.nn.functional.interpolate`` for (N, C, L) and (N, C, H, W) inputs.

    Modes: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (1-D), ``'bilinear'`` (2-D), ``'area'``.
    """
    op = "interpolate"
    k = input.ndim - 2
    if k not in (1, 2):
        raise ValueError(f"{op}: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape {tuple(input.shape)}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor")
    linear_modes = {"linear": 1, "bilinear": 2}
    if mode in linear_modes and linear_modes[mode] != k:
        raise ValueError(f"{op}: mode {mode!r} expects a {linear_modes[mode] + 2}-D input, got shape {tuple(input.shape)}")
    if mode not in ("nearest", "nearest-exact", "area") and mode not in linear_modes:
        raise NotImplementedError(f"{op}: mode {mode!r} is not implemented (use nearest, nearest-exact, linear, bilinear or area)")
    if align_corners is not None and mode not in linear_modes:
        raise ValueError(f"{op}: align_corners only applies to the linear modes, not {mode!r}")
    in_sizes = input.shape[2:]
    if size is not None:
        out_sizes = [int(size)] * k if isinstance(size, int) else [int(s) for s in size]
        scales: list[float | None] = [None] * k
    else:
        factors = [float(scale_factor)] * k if isinstance(scale_factor, int | float) else [float(s) for s in scale_factor]
        out_sizes = [int(math.floor(n * f)) for n, f in zip(in_sizes, factors)]
        scales = [None] * k if recompute_scale_factor else factors  # type: ignore[assignment]
    if len(out_sizes) != k or min(out_sizes) < 1:
        raise ValueError(f"{op}: invalid output size {out_sizes} for input {tuple(input.shape)}")
    if mode == "area":
        return adaptive_avg_pool(input, out_sizes)
    x = input
    for i, (n_out, scale) in enumerate(zip(out_sizes, scales)):
        d = 2 + i
        if mode in linear_modes:
            if n_out != x.shape[d] or not align_corners and scale not in (None, 1.0):
                x = _along(x, linear_weights(x.shape[d], n_out, bool(align_corners), scale), d)
        elif n_out != x.shape[d] or scale not in (None, 1.0):
            x = _nearest(x, d, n_out, scale, exact=mode == "nearest-exact")
    return x
