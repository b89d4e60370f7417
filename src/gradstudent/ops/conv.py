"""Convolutions: ``conv2d``, its adjoint ``conv_transpose2d``, and the 1-D forms.

For input x: (N, C, H, W), weight W: (O, C/G, KH, KW) in G groups, bias b: (O,)::

    y[n, o, i, j] = b[o] + sum_{c, a, b} W[o, c, a, b] * xpad[n, g*C/G + c, SH*i + DH*a, SW*j + DW*b]

with g = o // (O/G) the group of output channel o.

How it is computed (see :mod:`.conv_kernels`)
---------------------------------------------
Never with a loop over pixels or images: a loop over the KH*KW kernel
*offsets* (9 for 3x3), each a whole-batch array operation.

* im2col: copy the input's KH*KW shifted views into one column matrix and do a
  single matrix product ``W.reshape(O, C*KH*KW) @ cols`` (any stride, groups);
* shifted GEMMs (stride 1, >= 8 channels): in a channels-last layout every
  kernel offset is a constant shift of the flattened pixel index, so its
  contribution is one GEMM on a contiguous slice, accumulated into the output;
  no column matrix at all (1.3-3x faster on this machine).

Outputs are returned as (N, O, Ho, Wo) *views* of whatever memory order the
kernel produced (like PyTorch's memory formats); elementwise ops keep it and
the next layer reads it without an extra copy.

Gradients: three registered Functions, each the others' chain rule
------------------------------------------------------------------
* ``conv2d(x, W)``                       y  (linear in x and in W)
* ``conv_transpose2d(g, W)``             x.grad = the adjoint of x -> conv2d(x, W)
* ``conv2d_weight(x, g)``                W.grad[o, c, a, b] = sum_{n,i,j} g[n, o, i, j] xpad[n, c, ...]

Each backward is written with these three ops, so gradients of gradients
(gradient penalties, Hessian-vector products) work to any order.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function, register
from ..autograd.grad_mode import state
from ..backend import Array
from ..creation import zeros
from ..tensor import Tensor
from .conv_kernels import conv_forward, conv_transpose, conv_weight
from .window import Window, pair


@register("conv2d")
class Conv2d(Function):
    """y = conv2d(x, W) + b: x (N, C, H, W), W (O, C/G, KH, KW), b (O,) -> y (N, O, Ho, Wo)"""

    def forward(
        self, x: Array, w: Array, b: Array | None = None, *, win: Window, groups: int, keep_cols: bool = True,
        out_hw: tuple[int, int] | None = None,
    ) -> Array:
        self.win, self.groups = win, groups
        y, cache = conv_forward(x, w, win, groups, out_hw)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        self.cols = cache if keep_cols else None  # columns / input rows, reused by the weight gradient
        return y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.saved_inputs()[:2]
        needs = self.needs_input_grad
        opts = {"win": self.win, "groups": self.groups}
        # x.grad[n, c, h, w] += sum_{o, a, b} y.grad[n, o, i, j] W[o, c, a, b]  over (i, j) that read (h, w)
        gx = ConvTranspose2d.apply(grad, w, in_hw=tuple(x.shape[2:]), **opts) if needs[0] else None
        # W.grad[o, c, a, b] += sum_{n, i, j} y.grad[n, o, i, j] xpad[n, c, SH*i + DH*a, SW*j + DW*b]
        gw = Conv2dWeight.apply(x, grad, cols=self.cols, **opts) if needs[1] else None
        if len(self.inputs) == 2:
            return gx, gw
        gb = grad.sum((0, 2, 3)) if needs[2] else None  # b.grad[o] += sum_{n,i,j} y.grad[n, o, i, j]
        return gx, gw, gb


@register("conv_transpose2d")
class ConvTranspose2d(Function):
    """z = conv_transpose2d(g, W): the adjoint of x -> conv2d(x, W).

    g (N, O, Ho, Wo), W (O, C/G, KH, KW) -> z (N, C, H, W) with (H, W) = ``in_hw``::

        z[n, c, SH*i + DH*a - top, SW*j + DW*b - left] += sum_o g[n, o, i, j] W[o, c, a, b]

    For stride 1 a convolution with the flipped kernel, otherwise a GEMM into
    columns, ``cols = W^T @ g``, then col2im (overlaps add up); see :mod:`.conv_kernels`.
    """

    def forward(self, g: Array, w: Array, *, win: Window, groups: int, in_hw: tuple[int, int]) -> Array:
        self.win, self.groups, self.in_hw = win, groups, in_hw
        return conv_transpose(g, w, win, groups, in_hw)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g, w = self.saved_inputs()
        needs = self.needs_input_grad
        opts = {"win": self.win, "groups": self.groups}
        # z is linear in g: its adjoint is the convolution itself
        gg = Conv2d.apply(grad, w, keep_cols=False, out_hw=tuple(g.shape[2:]), **opts) if needs[0] else None
        # W.grad[o, c, a, b] += sum g[n, o, i, j] z.grad[n, c, ...]: a weight gradient with x := z.grad
        gw = Conv2dWeight.apply(grad, g, **opts) if needs[1] else None
        return gg, gw


@register("conv2d_weight")
class Conv2dWeight(Function):
    """gW = conv2d_weight(x, g): the gradient of conv2d with respect to its weight.

    x (N, C, H, W), g (N, O, Ho, Wo) -> gW (O, C/G, KH, KW)::

        gW[o, c, a, b] = sum_{n, i, j} g[n, o, i, j] xpad[n, c, SH*i + DH*a, SW*j + DW*b]

    i.e. ``g.reshape(O, N*Ho*Wo) @ cols^T``. ``cols`` (the column matrix, or the
    channels-last input rows) may be handed over from the forward pass that built it.
    """

    def forward(self, x: Array, g: Array, *, win: Window, groups: int, cols: Array | None = None) -> Array:
        self.win, self.groups = win, groups
        return conv_weight(x, g, win, groups, cols)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, g = self.saved_inputs()
        needs = self.needs_input_grad
        opts = {"win": self.win, "groups": self.groups}
        # gW is bilinear in (x, g): x.grad = conv_transpose2d(g, gW.grad), g.grad = conv2d(x, gW.grad)
        gx = ConvTranspose2d.apply(g, grad, in_hw=tuple(x.shape[2:]), **opts) if needs[0] else None
        gg = Conv2d.apply(x, grad, keep_cols=False, out_hw=tuple(g.shape[2:]), **opts) if needs[1] else None
        return gx, gg


# ---------------------------------------------------------------- public functions
def _padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int], op: str) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an int, a pair, ``'valid'`` or ``'same'``."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride {stride})")
        pads: list[int] = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)  # as PyTorch: the extra pixel of an even kernel goes at the end
            pads += [total // 2, total - total // 2]
        return tuple(pads)  # type: ignore[return-value]
    ph, pw = pair(padding, "padding", op)
    if ph < 0 or pw < 0:
        raise ValueError(f"{op}: padding must be non-negative, got {padding!r}")
    return (ph, ph, pw, pw)


def _check_conv(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, groups: int, in_dim: int) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op}: expected a {in_dim}-D (batched) or {in_dim - 1}-D (unbatched) input, got shape {tuple(x.shape)}")
    if weight.ndim != 4:
        raise ValueError(f"{op}: expected a {in_dim}-D weight, got shape {tuple(weight.shape)}")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
        raise TypeError(f"{op}: input ({x.dtype}), weight ({weight.dtype}) and bias must have the same dtype")
    if groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups}")


def conv2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    dilation: Any = 1, groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch): (N, C, H, W) -> (N, O, Ho, Wo)."""
    op = "conv2d"
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    _check_conv(op, x, weight, bias, groups, 4)
    o, cg, kh, kw = weight.shape
    if x.shape[1] != cg * groups:
        raise ValueError(
            f"{op}: input has {x.shape[1]} channels (shape {tuple(input.shape)}) but weight expects "
            f"{cg * groups} (shape {tuple(weight.shape)}, groups={groups})"
        )
    if o % groups:
        raise ValueError(f"{op}: out_channels {o} is not divisible by groups {groups}")
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"{op}: bias must have shape ({o},), got {tuple(bias.shape)}")
    s, d = pair(stride, "stride", op), pair(dilation, "dilation", op)
    win = Window((kh, kw), s, _padding(padding, (kh, kw), d, s, op), d)
    ho, wo = win.out_size(*x.shape[2:])
    if ho < 1 or wo < 1:
        raise ValueError(
            f"{op}: the (padded) input {tuple(x.shape[2:])} is smaller than the (dilated) kernel {(kh, kw)}"
        )
    if x.shape[0] == 0:  # an empty batch gives an empty result, as torch (still in the graph: zero gradients)
        anchor = x.sum() * 0 + weight.sum() * 0 + (bias.sum() * 0 if bias is not None else 0)
        return anchor + zeros((0, o, ho, wo), dtype=x.dtype)
    keep_cols = state.grad_enabled and weight.requires_grad  # the weight gradient will need them
    args = (x, weight) if bias is None else (x, weight, bias)
    y = Conv2d.apply(*args, win=win, groups=groups, keep_cols=keep_cols)
    return y.squeeze(0) if unbatched else y


def conv1d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    dilation: Any = 1, groups: int = 1,
) -> Tensor:
    """1-D convolution (N, C, L) -> (N, O, Lo): a 2-D convolution over an image of height 1."""
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    if x.ndim != 3 or weight.ndim != 3:
        raise ValueError(f"conv1d: expected a 3-D input and weight, got shapes {tuple(input.shape)} and {tuple(weight.shape)}")
    pad = padding if isinstance(padding, str) else (0, _one(padding, "padding"))
    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, _one(stride, "stride")), pad, (1, _one(dilation, "dilation")), groups)
    y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def _one(value: Any, name: str) -> int:
    if isinstance(value, int):
        return value
    (v,) = tuple(value)
    return int(v)


def conv_transpose2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    output_padding: Any = 0, groups: int = 1, dilation: Any = 1,
) -> Tensor:
    """Transposed convolution ("deconvolution"): (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    ``weight`` is (C_in, C_out/G, KH, KW) and
    ``H_out = (H - 1)*SH - 2*PH + DH*(KH - 1) + output_padding + 1``. It spreads
    each input pixel over a KHxKW patch of the output, the adjoint of conv2d.
    """
    op = "conv_transpose2d"
    unbatched = input.ndim == 3
    g = input.unsqueeze(0) if unbatched else input
    _check_conv(op, g, weight, bias, groups, 4)
    cin, cg, kh, kw = weight.shape
    if g.shape[1] != cin:
        raise ValueError(f"{op}: input has {g.shape[1]} channels (shape {tuple(input.shape)}) but weight expects {cin} (shape {tuple(weight.shape)})")
    if cin % groups:
        raise ValueError(f"{op}: in_channels {cin} is not divisible by groups {groups}")
    s, d = pair(stride, "stride", op), pair(dilation, "dilation", op)
    p, opad = pair(padding, "padding", op), pair(output_padding, "output_padding", op)
    for k in range(2):
        if not (opad[k] < s[k] or opad[k] < d[k]):
            raise ValueError(f"{op}: output_padding {opad} must be smaller than either stride {s} or dilation {d}")
    h, w = g.shape[2:]
    in_hw = tuple((n - 1) * s[k] - 2 * p[k] + d[k] * ((kh, kw)[k] - 1) + opad[k] + 1 for k, n in enumerate((h, w)))
    if min(in_hw) < 1:
        raise ValueError(f"{op}: the output size {in_hw} would be empty for input {tuple(g.shape)}")
    win = Window((kh, kw), s, (p[0], p[0], p[1], p[1]), d)
    z = ConvTranspose2d.apply(g, weight, win=win, groups=groups, in_hw=in_hw)
    if bias is not None:
        z = z + bias.reshape(1, -1, 1, 1)
    return z.squeeze(0) if unbatched else z


def conv_transpose1d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    output_padding: Any = 0, groups: int = 1, dilation: Any = 1,
) -> Tensor:
    """1-D transposed convolution (N, C_in, L) -> (N, C_out, L_out), via height-1 images."""
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    y = conv_transpose2d(
        x.unsqueeze(2), weight.unsqueeze(2), bias, (1, _one(stride, "stride")), (0, _one(padding, "padding")),
        (0, _one(output_padding, "output_padding")), groups, (1, _one(dilation, "dilation")),
    ).squeeze(2)
    return y.squeeze(0) if unbatched else y
