"""Functional forms of the convolutional layers (re-exported by ``nn.functional``).

Same names, arguments and defaults as ``torch.nn.functional``: ``conv2d``,
``max_pool2d``, ``batch_norm``, ``interpolate``, ``unfold`` and the rest below.
"""

from __future__ import annotations

import warnings

from typing import Any

from ..backend import get_array_module
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ..ops.norm_batch import batch_norm, group_norm
from ..ops.pool import AvgPool2d, Fold, MaxPool2d, MaxUnpool2d, Unfold, _divisor, max_pool2d_with_indices
from ..ops.resample import adaptive_avg_pool, interpolate, pad
from ..ops.window import Window, pair
from ..random import Generator, default_generator
from ..tensor import Tensor

__all__ = [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d", "max_unpool2d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "batch_norm", "group_norm",
    "dropout1d", "dropout2d", "interpolate", "upsample", "pad", "unfold", "fold",
]


def _pool_window(op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool) -> Window:
    k = pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else pair(stride, "stride", op)
    p, d = pair(padding, "padding", op), pair(dilation, "dilation", op)
    for i in range(2):
        if p[i] * 2 > d[i] * (k[i] - 1) + 1:
            raise ValueError(f"{op}: padding {p} should be at most half of the (dilated) kernel size {k}")
    if min(k) < 1 or min(s) < 1:
        raise ValueError(f"{op}: kernel_size {k} and stride {s} must be positive")
    return Window(k, s, (p[0], p[0], p[1], p[1]), d, ceil_mode)


def _batched(op: str, x: Tensor, spatial: int) -> tuple[Tensor, bool]:
    """Accept (N, C, *spatial) or unbatched (C, *spatial) inputs."""
    if x.ndim == spatial + 1:
        return x.unsqueeze(0), True
    if x.ndim != spatial + 2:
        raise ValueError(f"{op}: expected a {spatial + 2}-D (batched) or {spatial + 1}-D input, got shape {tuple(x.shape)}")
    return x, False


def max_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """Max over each KHxKW window: (N, C, H, W) -> (N, C, Ho, Wo) (and the flat indices if asked)."""
    x, unbatched = _batched("max_pool2d", input, 2)
    win = _pool_window("max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)
    if min(win.out_size(*x.shape[2:])) < 1:
        raise ValueError(f"max_pool2d: input {tuple(input.shape)} is too small for kernel {win.kernel}")
    if return_indices:
        y, idx = max_pool2d_with_indices(x, win)
        return (y.squeeze(0), idx.squeeze(0)) if unbatched else (y, idx)
    y = MaxPool2d.apply(x, win=win)
    return y.squeeze(0) if unbatched else y


def max_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """1-D max pooling (N, C, L) -> (N, C, Lo), as a 2-D pool over height-1 images."""
    one = lambda v: (1, v if isinstance(v, int) else int(tuple(v)[0]))  # noqa: E731
    out = max_pool2d(
        input.unsqueeze(-2), one(kernel_size), one(kernel_size if stride is None else stride),
        (0, one(padding)[1]), one(dilation), ceil_mode, return_indices,
    )
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, output_size: Any = None) -> Tensor:
    """Put each pooled value back at the position its index names; zeros elsewhere."""
    k = pair(kernel_size, "kernel_size", "max_unpool2d")
    s = k if stride is None else pair(stride, "stride", "max_unpool2d")
    p = pair(padding, "padding", "max_unpool2d")
    h, w = input.shape[-2:]
    default = ((h - 1) * s[0] - 2 * p[0] + k[0], (w - 1) * s[1] - 2 * p[1] + k[1])
    out_hw = default if output_size is None else tuple(int(v) for v in tuple(output_size)[-2:])
    x, unbatched = _batched("max_unpool2d", input, 2)
    idx = indices._data if not unbatched else indices._data[None]
    y = MaxUnpool2d.apply(x, indices=idx, out_hw=out_hw)
    return y.squeeze(0) if unbatched else y


def avg_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """Mean over each KHxKW window: (N, C, H, W) -> (N, C, Ho, Wo)."""
    x, unbatched = _batched("avg_pool2d", input, 2)
    win = _pool_window("avg_pool2d", kernel_size, stride, padding, 1, ceil_mode)
    xp = get_array_module(x._data)
    if divisor_override:
        divisor = xp.full(win.out_size(*x.shape[2:]), float(divisor_override), dtype=x.dtype)
    else:
        divisor = _divisor(xp, win, x.shape[2:], count_include_pad, x.dtype)
    y = AvgPool2d.apply(x, win=win, divisor=divisor)
    return y.squeeze(0) if unbatched else y


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling (N, C, L) -> (N, C, Lo)."""
    one = lambda v: (1, v if isinstance(v, int) else int(tuple(v)[0]))  # noqa: E731
    return avg_pool2d(
        input.unsqueeze(-2), one(kernel_size), one(kernel_size if stride is None else stride), (0, one(padding)[1]),
        ceil_mode, count_include_pad,
    ).squeeze(-2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed (Ho, Wo) whatever the input size (``None`` keeps a size)."""
    size = (output_size, output_size) if isinstance(output_size, int) or output_size is None else tuple(output_size)
    x, unbatched = _batched("adaptive_avg_pool2d", input, 2)
    ho, wo = (x.shape[2] if size[0] is None else size[0]), (x.shape[3] if size[1] is None else size[1])
    h, w = x.shape[2:]
    if (ho, wo) != (1, 1) and h % ho == 0 and w % wo == 0:  # equal windows: a plain average pool is faster
        y = avg_pool2d(x, (h // ho, w // wo))
    else:
        y = adaptive_avg_pool(x, (ho, wo))
    return y.squeeze(0) if unbatched else y


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    return adaptive_avg_pool(input, (int(output_size) if not isinstance(output_size, tuple) else output_size[0],))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, generator: Generator | None = None) -> Tensor:
    """Zero whole channels with probability p (scaling the rest by 1/(1-p)).

    Neighbouring pixels of a feature map are strongly correlated, so dropping
    single pixels barely regularizes a CNN; dropping a channel does.
    Input (N, C, H, W). As in PyTorch 2.13, a mask is drawn per entry of the
    first two dimensions whatever the rank: a 3-D input is taken as (N, C, L)
    (1-D channel dropout, with PyTorch's warning), and other ranks (a 2-D
    (N, C) input drops single entries) are accepted with PyTorch's
    deprecation warning.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: probability has to be between 0 and 1, but got {p}")
    if input.ndim < 2:
        raise RuntimeError(
            f"dropout2d: Feature dropout requires at least 2 dimensions in the input, got shape {tuple(input.shape)}"
        )
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result in an "
            "error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, generator, 2)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, generator: Generator | None = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p."""
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a 2-D or 3-D input, got shape {tuple(input.shape)}")
    return _channel_dropout(input, p, training, generator, input.ndim - 1)


def _channel_dropout(x: Tensor, p: float, training: bool, generator: Generator | None, lead: int) -> Tensor:
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    g = generator or default_generator()
    shape = x.shape[:lead] + (1,) * (x.ndim - lead)
    keep = g.random(shape, x.dtype, x._data) >= p  # one draw per (sample, channel)
    return x * Tensor._make(keep.astype(x.dtype) * (1.0 / (1.0 - p)))


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate` (kept because PyTorch code still uses it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Extract sliding blocks (im2col): (N, C, H, W) -> (N, C*KH*KW, L)."""
    if input.ndim != 4:
        raise ValueError(f"unfold: expected a 4-D input (N, C, H, W), got shape {tuple(input.shape)}")
    k, d = pair(kernel_size, "kernel_size", "unfold"), pair(dilation, "dilation", "unfold")
    p, s = pair(padding, "padding", "unfold"), pair(stride, "stride", "unfold")
    win = Window(k, s, (p[0], p[0], p[1], p[1]), d)
    if min(win.out_size(*input.shape[2:])) < 1:
        raise ValueError(f"unfold: input {tuple(input.shape)} is too small for kernel {k}")
    return Unfold.apply(input, win=win)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Add sliding blocks back into an image (col2im): (N, C*KH*KW, L) -> (N, C, H, W)."""
    op = "fold"
    out_hw = pair(output_size, "output_size", op)
    k, d = pair(kernel_size, "kernel_size", op), pair(dilation, "dilation", op)
    p, s = pair(padding, "padding", op), pair(stride, "stride", op)
    win = Window(k, s, (p[0], p[0], p[1], p[1]), d)
    ho, wo = win.out_size(*out_hw)
    if input.ndim != 3 or input.shape[1] % win.size or input.shape[2] != ho * wo:
        raise ValueError(
            f"{op}: expected an input (N, C*{win.size}, {ho * wo}) for output size {out_hw} and kernel {k}, "
            f"got shape {tuple(input.shape)}"
        )
    return Fold.apply(input, win=win, out_hw=out_hw)
