"""Pooling and ``unfold``/``fold``: window ops with a loop over kernel offsets.

Each op below is a few whole-array operations per kernel offset (4 for a 2x2
pool), using the strided views of :mod:`.window`; none loops over pixels.

Gradients come in adjoint pairs, each registered Function being the other's
backward, so second derivatives work:

* max-pool:  ``select`` the arg-max of each window  <->  ``scatter`` a gradient back to it
* avg-pool:  average each window                    <->  spread a gradient evenly over it
* unfold:    copy windows into columns (im2col)     <->  fold: add columns back (col2im)
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from .window import Window, col2im, crop2d, im2col, pad2d


def _overlaps(win: Window) -> bool:
    """True when two windows can share an input pixel (then gradients must add, not assign)."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(win.kernel, win.stride, win.dilation))


def _running_max(x: Array, win: Window) -> tuple[Array, Array]:
    """The max of every window and the offset k = a*KW + b that holds it (first one on ties)."""
    xp = get_array_module(x)
    out_hw = win.out_size(*x.shape[-2:])
    xpad = pad2d(x, win, value=-xp.inf)
    best = win.view(xpad, 0, 0, out_hw)
    arg = xp.zeros(best.shape, dtype=xp.int8 if win.size < 128 else xp.int32)
    for k, a, b in win.offsets():
        if k == 0:
            continue
        v = win.view(xpad, a, b, out_hw)
        better = v > best  # strict: an earlier offset keeps a tie, as in PyTorch
        best = xp.maximum(best, v)  # (and NaN propagates, as in PyTorch)
        arg += better * (arg.dtype.type(k) - arg)  # arg = k where better
    return (best if best.base is None else best.copy()), arg


# ---------------------------------------------------------------- max pooling
@register("max_pool2d")
class MaxPool2d(Function):
    """y[n, c, i, j] = max_{a, b} xpad[n, c, SH*i + DH*a, SW*j + DW*b]  (padding is -inf)

    A running maximum over the kernel offsets; ``arg`` records which offset
    won (the first one on ties, as PyTorch), so backward needs no search.
    """

    def forward(self, x: Array, *, win: Window) -> Array:
        self.win, self.in_hw = win, x.shape[-2:]
        best, self.arg = _running_max(x, win)
        return best

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[n, c, h, w] += y.grad[n, c, i, j] where (h, w) is the arg-max of window (i, j)
        return MaxPoolScatter.apply(grad, arg=self.arg, win=self.win, in_hw=self.in_hw)


@register("max_pool2d_scatter")
class MaxPoolScatter(Function):
    """z = zeros(in_hw) with z[arg-max of window (i, j)] += g[i, j]: max-pool's gradient"""

    def forward(self, g: Array, *, arg: Array, win: Window, in_hw: tuple[int, int]) -> Array:
        xp = get_array_module(g)
        self.arg, self.win = arg, win
        out_hw = g.shape[-2:]
        zpad = xp.zeros(g.shape[:-2] + win.padded_size(*in_hw), dtype=g.dtype)
        for k, a, b in win.offsets():
            view = win.view(zpad, a, b, out_hw)
            if _overlaps(win):
                view += g * (arg == k)
            else:  # disjoint windows: each view is written once, no add needed
                xp.multiply(g, arg == k, out=view)
        return crop2d(zpad, win, in_hw)

    def backward(self, grad: Tensor) -> Tensor:
        return MaxPoolGather.apply(grad, arg=self.arg, win=self.win)


@register("max_pool2d_gather")
class MaxPoolGather(Function):
    """y[i, j] = x[arg-max of window (i, j)] for a fixed ``arg``: the adjoint of the scatter"""

    def forward(self, x: Array, *, arg: Array, win: Window) -> Array:
        xp = get_array_module(x)
        self.arg, self.win, self.in_hw = arg, win, x.shape[-2:]
        xpad = pad2d(x, win)
        out = xp.zeros(arg.shape, dtype=x.dtype)
        for k, a, b in win.offsets():
            out += win.view(xpad, a, b, arg.shape[-2:]) * (arg == k)
        return out

    def backward(self, grad: Tensor) -> Tensor:
        return MaxPoolScatter.apply(grad, arg=self.arg, win=self.win, in_hw=self.in_hw)


def max_pool2d_with_indices(x: Tensor, win: Window) -> tuple[Tensor, Tensor]:
    """Max-pool and the flat indices of the maxima (computed from the same arg-max)."""
    best, arg = _running_max(x._data, win)
    idx = _flat_indices(arg, win, x.shape[-2:])
    # the gather recomputes the maxima, but records a graph whose backward is the scatter
    y = MaxPoolGather.apply(x, arg=arg, win=win) if x.requires_grad else Tensor._make(best)
    return y, idx


def _flat_indices(arg: Array, win: Window, in_hw: tuple[int, ...]) -> Tensor:
    """PyTorch's ``return_indices``: the flat position ``h*W + w`` of each maximum in its input plane."""
    xp = get_array_module(arg)
    arg = arg.astype(xp.int64)
    a, b = arg // win.kernel[1], arg % win.kernel[1]
    ho, wo = arg.shape[-2:]
    rows = xp.arange(ho).reshape(-1, 1) * win.stride[0] + a * win.dilation[0] - win.padding[0]
    cols = xp.arange(wo) * win.stride[1] + b * win.dilation[1] - win.padding[2]
    return Tensor._make((rows * in_hw[1] + cols).astype(xp.int64))


@register("max_unpool2d")
class MaxUnpool2d(Function):
    """z = zeros(N, C, H*W) with z[n, c, idx[n, c, k]] = x[n, c, k]: puts pooled values back"""

    def forward(self, x: Array, *, indices: Array, out_hw: tuple[int, int]) -> Array:
        xp = get_array_module(x)
        self.indices = indices
        n, c = x.shape[:2]
        z = xp.zeros((n, c, out_hw[0] * out_hw[1]), dtype=x.dtype)
        xp.put_along_axis(z, indices.reshape(n, c, -1), x.reshape(n, c, -1), axis=2)
        return z.reshape(n, c, *out_hw)

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[n, c, k] += z.grad[n, c, idx[n, c, k]]
        n, c = grad.shape[:2]
        idx = Tensor._make(self.indices.reshape(n, c, -1))
        return grad.reshape(n, c, -1).gather(2, idx).reshape(self.indices.shape)


# ---------------------------------------------------------------- average pooling
def _divisor(xp: Any, win: Window, in_hw: tuple[int, ...], count_include_pad: bool, dtype: Any) -> Array:
    """How many pixels each window averages over, as an (Ho, Wo) array.

    Counted by pooling a mask of ones: the padded frame counts when
    ``count_include_pad``, the extra ``ceil_mode`` rows never do (as PyTorch).
    """
    h, w = in_hw
    t, b, l, r = win.padding
    mask = xp.zeros(win.padded_size(h, w), dtype=dtype)
    if count_include_pad:
        mask[: h + t + b, : w + l + r] = 1
    else:
        mask[t : t + h, l : l + w] = 1
    out_hw = win.out_size(h, w)
    count = xp.zeros(out_hw, dtype=dtype)
    for _, a, bb in win.offsets():
        count += win.view(mask, a, bb, out_hw)
    return count


@register("avg_pool2d")
class AvgPool2d(Function):
    """y[n, c, i, j] = sum_{a, b} xpad[n, c, SH*i + DH*a, SW*j + DW*b] / divisor[i, j]"""

    def forward(self, x: Array, *, win: Window, divisor: Array) -> Array:
        xp = get_array_module(x)
        self.win, self.divisor, self.in_hw = win, divisor, x.shape[-2:]
        out_hw = win.out_size(*x.shape[-2:])
        xpad = pad2d(x, win)
        total = xp.zeros(x.shape[:-2] + out_hw, dtype=x.dtype)
        for _, a, b in win.offsets():
            total += win.view(xpad, a, b, out_hw)
        total /= divisor
        return total

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[n, c, h, w] += sum over windows (i, j) containing (h, w) of y.grad[n, c, i, j] / divisor[i, j]
        return AvgPoolSpread.apply(grad, win=self.win, divisor=self.divisor, in_hw=self.in_hw)


@register("avg_pool2d_spread")
class AvgPoolSpread(Function):
    """z = the adjoint of average pooling: g[i, j] / divisor[i, j] added to every pixel of window (i, j)"""

    def forward(self, g: Array, *, win: Window, divisor: Array, in_hw: tuple[int, int]) -> Array:
        xp = get_array_module(g)
        self.win, self.divisor = win, divisor
        share = g / divisor
        zpad = xp.zeros(g.shape[:-2] + win.padded_size(*in_hw), dtype=g.dtype)
        for _, a, b in win.offsets():
            win.view(zpad, a, b, g.shape[-2:])[...] += share
        return crop2d(zpad, win, in_hw)

    def backward(self, grad: Tensor) -> Tensor:
        return AvgPool2d.apply(grad, win=self.win, divisor=self.divisor)


# ---------------------------------------------------------------- unfold / fold
@register("unfold")
class Unfold(Function):
    """cols = unfold(x): x (N, C, H, W) -> (N, C*KH*KW, L), L = Ho*Wo sliding positions (im2col)

    ``cols[n, c*KH*KW + a*KW + b, i*Wo + j] = xpad[n, c, SH*i + DH*a, SW*j + DW*b]``
    """

    def forward(self, x: Array, *, win: Window) -> Array:
        self.win, self.in_hw = win, x.shape[-2:]
        n, c = x.shape[:2]
        ho, wo = win.out_size(*x.shape[-2:])
        xpad = pad2d(x, win).reshape((n * c, 1) + win.padded_size(*x.shape[-2:]))
        return im2col(xpad, win, (ho, wo)).reshape(n, c * win.size, ho * wo)

    def backward(self, grad: Tensor) -> Tensor:
        return Fold.apply(grad, win=self.win, out_hw=self.in_hw)  # adds every column back


@register("fold")
class Fold(Function):
    """x = fold(cols): (N, C*KH*KW, L) -> (N, C, H, W), adding overlapping values (col2im)"""

    def forward(self, cols: Array, *, win: Window, out_hw: tuple[int, int]) -> Array:
        self.win = win
        n, ck, _ = cols.shape
        c = ck // win.size
        ho, wo = win.out_size(*out_hw)
        blocks = cols.reshape(n * c, win.size, 1, ho, wo)
        zpad = col2im(blocks, win, win.padded_size(*out_hw))
        return crop2d(zpad, win, out_hw).reshape(n, c, *out_hw)

    def backward(self, grad: Tensor) -> Tensor:
        return Unfold.apply(grad, win=self.win)
