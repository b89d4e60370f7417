"""Sliding windows over the last two axes: the geometry that convolution,
pooling and ``unfold``/``fold`` share.

A 2-D window op with kernel (KH, KW), stride (SH, SW), dilation (DH, DW) and
padding (top, bottom, left, right) combines, for output pixel (i, j) and
kernel offset (a, b), the input pixel::

    (SH*i + DH*a - top,  SW*j + DW*b - left)

The trick that makes these ops fast in NumPy: loop over the KH*KW kernel
*offsets* (9 for a 3x3 kernel), never over pixels. For a fixed offset (a, b)
the pixels read by all outputs form one strided *view* of the padded input,
of exactly the output's size::

    view(a, b) = xpad[..., DH*a : DH*a + SH*(Ho-1) + 1 : SH,
                           DW*b : DW*b + SW*(Wo-1) + 1 : SW]

so a convolution is ``sum_{a,b} W[:, :, a, b] @ view(a, b)``, a max-pool is
``max_{a,b} view(a, b)`` and an average pool ``mean_{a,b} view(a, b)``, each a
handful of whole-array operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator, Sequence, cast

from ..backend import Array, get_array_module


def pair(value: int | Sequence[int], name: str, op: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(2, 3)`` stays; anything else is an error naming ``op``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    values = tuple(int(v) for v in cast(Sequence[int], value))  # (a bool fails here: not iterable)
    if len(values) == 1:
        return (values[0], values[0])
    if len(values) != 2:
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return values  # type: ignore[return-value]


@dataclass(frozen=True)
class Window:
    """Geometry of a 2-D sliding window (all fields are (vertical, horizontal) pairs).

    ``padding`` is (top, bottom, left, right): convolutions pad symmetrically,
    but ``padding='same'`` with an even kernel and ``ceil_mode`` pooling do not.
    """

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False

    @property
    def size(self) -> int:
        """Number of kernel offsets, KH*KW."""
        return self.kernel[0] * self.kernel[1]

    def out_size(self, h: int, w: int) -> tuple[int, int]:
        """Output height and width for an (h, w) input.

        ``Ho = floor((H + top + bottom - DH*(KH-1) - 1) / SH) + 1`` (ceil instead of floor
        in ``ceil_mode``, keeping the last window from starting inside the bottom padding).
        """
        t, b, l, r = self.padding
        return (
            self._out_1d(h, t, b, self.kernel[0], self.stride[0], self.dilation[0]),
            self._out_1d(w, l, r, self.kernel[1], self.stride[1], self.dilation[1]),
        )

    def _out_1d(self, n: int, lo: int, hi: int, k: int, s: int, d: int) -> int:
        span = n + lo + hi - d * (k - 1) - 1
        if span < 0:
            return 0
        if not self.ceil_mode:
            return span // s + 1
        out = math.ceil(span / s) + 1
        if (out - 1) * s >= n + lo:  # a window must start inside the input or the top/left padding
            out -= 1
        return out

    def padded_size(self, h: int, w: int) -> tuple[int, int]:
        """Size of the padded input that every view fits in (ceil_mode may need extra rows)."""
        (ho, wo), (kh, kw), (sh, sw), (dh, dw) = self.out_size(h, w), self.kernel, self.stride, self.dilation
        t, b, l, r = self.padding
        need_h = dh * (kh - 1) + sh * (ho - 1) + 1
        need_w = dw * (kw - 1) + sw * (wo - 1) + 1
        return max(h + t + b, need_h), max(w + l + r, need_w)

    def offsets(self) -> Iterator[tuple[int, int, int]]:
        """``(k, a, b)`` for every kernel offset, k = a*KW + b (PyTorch's weight order)."""
        kh, kw = self.kernel
        for a in range(kh):
            for b in range(kw):
                yield a * kw + b, a, b

    def view(self, xpad: Array, a: int, b: int, out_hw: tuple[int, int]) -> Array:
        """The strided view of ``xpad`` (..., Hp, Wp) read at kernel offset (a, b): (..., Ho, Wo)."""
        (ho, wo), (sh, sw), (dh, dw) = out_hw, self.stride, self.dilation
        return xpad[..., dh * a : dh * a + sh * (ho - 1) + 1 : sh, dw * b : dw * b + sw * (wo - 1) + 1 : sw]


def pad2d(x: Array, win: Window, value: float = 0.0) -> Array:
    """``x`` (..., H, W) inside a ``value``-filled frame of ``win.padded_size``; ``x`` itself if none is needed."""
    h, w = x.shape[-2:]
    hp, wp = win.padded_size(h, w)
    if (hp, wp) == (h, w):
        return x
    t, l = win.padding[0], win.padding[2]
    xp = get_array_module(x)
    out = xp.full(x.shape[:-2] + (hp, wp), value, dtype=x.dtype)
    out[..., t : t + h, l : l + w] = x
    return out


def crop2d(xpad: Array, win: Window, hw: tuple[int, int]) -> Array:
    """Undo :func:`pad2d`: the (..., h, w) interior of a padded array (a view)."""
    t, l = win.padding[0], win.padding[2]
    return xpad[..., t : t + hw[0], l : l + hw[1]]


def im2col(xpad: Array, win: Window, out_hw: tuple[int, int]) -> Array:
    """Stack the KH*KW views of ``xpad`` (A, B, Hp, Wp) into columns (A, KH*KW, B, Ho, Wo).

    ``cols[c, k, n, i, j] = xpad[c, n, SH*i + DH*a, SW*j + DW*b]`` with ``k = a*KW + b``.
    One copy of KH*KW times the output's size: the price of turning a
    convolution into a single large matrix product.
    """
    xp = get_array_module(xpad)
    a_, b_ = xpad.shape[:2]
    cols = xp.empty((a_, win.size, b_) + tuple(out_hw), dtype=xpad.dtype)
    for k, a, b in win.offsets():
        cols[:, k] = win.view(xpad, a, b, out_hw)
    return cols


def col2im(cols: Array, win: Window, padded_hw: tuple[int, int]) -> Array:
    """The adjoint of :func:`im2col`: add each column back where it was read.

    ``out[c, n, SH*i + DH*a, SW*j + DW*b] += cols[c, k, n, i, j]`` for every k;
    overlapping windows add up. Returns (A, B, Hp, Wp).
    """
    xp = get_array_module(cols)
    a_, _, b_, ho, wo = cols.shape
    out = xp.zeros((a_, b_) + tuple(padded_hw), dtype=cols.dtype)
    for k, a, b in win.offsets():
        win.view(out, a, b, (ho, wo))[...] += cols[:, k]
    return out


def check_input(op: str, x: Any, ndim: int, what: str) -> None:
    """Raise a clear error unless ``x`` has ``ndim`` dimensions."""
    if x.ndim != ndim:
        raise ValueError(f"{op}: expected a {ndim}-D input {what}, got shape {tuple(x.shape)}")
