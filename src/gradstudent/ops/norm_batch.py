"""Batch normalization and group normalization.

Batch norm, for x: (N, C, *) and per-channel statistics over the batch and
all positions (every axis but 1, M values per channel)::

    mean[c] = 1/M sum x[., c, .]          var[c] = 1/M sum (x[., c, .] - mean[c])^2
    xhat    = (x - mean[c]) / sqrt(var[c] + eps)
    y       = xhat * w[c] + b[c]

Its gradient (the statistics depend on x too, which couples the batch)::

    b.grad[c] = sum g[., c, .]            w.grad[c] = sum g * xhat
    x.grad    = w[c] / sqrt(var[c] + eps) * (g - b.grad[c]/M - xhat * w.grad[c]/M)

``backward`` uses this closed form on arrays (fast); when a graph of the
gradient is wanted (``create_graph=True``) it recomputes it from tensor ops
so that second derivatives are exact.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor


def _channel_shape(x: Any) -> tuple[int, ...]:
    """(1, C, 1, 1, ...): per-channel values broadcast against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _reduce_axes(x: Any) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


def _rows(x: Array) -> tuple[Array, int]:
    """x (N, C, *) as a 2-D array with the channels on one axis, and that axis.

    Channels-last memory gives (M, C) and axis 1, anything else (C, M) and
    axis 0, a view (no copy) when x is channels-last or channel-major in memory,
    as convolution outputs are. Per-channel sums are then fast 2-D reductions.
    """
    xp = get_array_module(x)
    c = x.shape[1]
    last = xp.moveaxis(x, 1, -1)  # (N, *, C)
    if last.flags.c_contiguous and c > 1:
        return last.reshape(-1, c), 1
    return xp.ascontiguousarray(xp.moveaxis(x, 1, 0)).reshape(c, -1), 0


def _unrows(rows: Array, axis: int, like_shape: tuple[int, ...]) -> Array:
    """Inverse of :func:`_rows`: back to (N, C, *), a view of the rows' memory."""
    xp = get_array_module(rows)
    n, c = like_shape[:2]
    if axis == 1:
        return xp.moveaxis(rows.reshape((n,) + tuple(like_shape[2:]) + (c,)), -1, 1)
    return rows.reshape((c, n) + tuple(like_shape[2:])).swapaxes(0, 1)


def _match_layout(g: Array, axis: int) -> Array:
    """The upstream gradient as 2-D rows in the same orientation as forward's (copying if needed)."""
    xp = get_array_module(g)
    c = g.shape[1]
    if axis == 1:
        return xp.ascontiguousarray(xp.moveaxis(g, 1, -1)).reshape(-1, c)
    return xp.ascontiguousarray(xp.moveaxis(g, 1, 0)).reshape(c, -1)


def _channel_sum(a: Array, axis: int) -> Array:
    """Per-channel sums of the 2-D rows (einsum: NumPy's sum(axis=0) is slow for a few wide columns)."""
    xp = get_array_module(a)
    return xp.einsum("cm->c", a) if axis == 0 else xp.einsum("mc->c", a)


def _channel_dot(a: Array, b: Array, axis: int) -> Array:
    """Per-channel sums of a * b without the temporary product."""
    xp = get_array_module(a)
    return xp.einsum("cm,cm->c", a, b) if axis == 0 else xp.einsum("mc,mc->c", a, b)


def _per_channel(v: Array, axis: int) -> Array:
    """A (C,) vector shaped to broadcast along the channel axis of the 2-D rows."""
    return v[:, None] if axis == 0 else v[None, :]


@register("batch_norm")
class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b with the batch's mean and (biased) variance.

    Inputs ``(x, [w], [b])``. Forward also updates ``running_mean`` and
    ``running_var`` (arrays, in place) when given, as PyTorch's kernel does:
    ``running = (1 - momentum) * running + momentum * batch`` (variance unbiased).
    """

    def forward(
        self, *arrays: Array, eps: float, has_weight: bool, has_bias: bool,
        running_mean: Array | None = None, running_var: Array | None = None, momentum: float = 0.1,
    ) -> Array:
        x = arrays[0]
        xp = get_array_module(x)
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias
        xr, ax = _rows(x)  # (C, M) or (M, C)
        self.axis, m = ax, xr.shape[1 - ax]
        mean = _channel_sum(xr, ax) / m
        xc = xr - _per_channel(mean, ax)
        var = _channel_dot(xc, xc, ax) / m
        if running_mean is not None and running_var is not None:
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
            running_var *= 1.0 - momentum
            running_var += (momentum * m / max(m - 1, 1)) * var
        self.rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
        xc *= _per_channel(self.rstd, ax)  # now xhat
        self.xhat = xc
        y = xc * _per_channel(arrays[1], ax) if has_weight else xc.copy()
        if has_bias:
            y += _per_channel(arrays[-1], ax)
        return _unrows(y, ax, x.shape)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        """The gradient from differentiable ops on a recomputed xhat (the reference)."""
        inputs = self.saved_inputs()
        x = inputs[0]
        axes = _reduce_axes(x)
        shape = _channel_shape(x)
        xc = x - x.mean(axes, keepdim=True)
        rstd = ((xc * xc).mean(axes, keepdim=True) + self.eps).rsqrt()
        xhat = xc * rstd
        gxhat = grad * inputs[1].reshape(shape) if self.has_weight else grad
        # x.grad = rstd (gxhat - mean(gxhat) - xhat mean(gxhat xhat)), means over all but the channel axis
        gx = rstd * (gxhat - gxhat.mean(axes, keepdim=True) - xhat * (gxhat * xhat).mean(axes, keepdim=True))
        out: list[Tensor | None] = [gx]
        if self.has_weight:
            out.append((grad * xhat).sum(axes))  # w.grad[c] = sum g * xhat
        if self.has_bias:
            out.append(grad.sum(axes))  # b.grad[c] = sum g
        return tuple(out)

    def backward_arrays(self, grad: Array) -> tuple[Array | None, ...]:
        """The same on the arrays saved by forward, in the forward's row layout."""
        inputs = self.saved_arrays()
        ax, xhat = self.axis, self.xhat
        g = _match_layout(grad, ax)
        m = g.shape[1 - ax]
        gb = _channel_sum(g, ax)  # b.grad[c] = sum g
        gw = _channel_dot(g, xhat, ax)  # w.grad[c] = sum g * xhat
        scale = self.rstd * inputs[1] if self.has_weight else self.rstd
        # x.grad = scale * (g - gb/M - xhat * gw/M), in three passes
        gx = xhat * _per_channel(-scale * gw / m, ax)
        gx += g * _per_channel(scale, ax)
        gx -= _per_channel(scale * gb / m, ax)
        out: list[Array | None] = [_unrows(gx, ax, grad.shape) if self.needs_input_grad[0] else None]
        if self.has_weight:
            out.append(gw.astype(g.dtype))
        if self.has_bias:
            out.append(gb.astype(g.dtype))
        return tuple(out)


def batch_norm(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
    bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over (N, C, *) inputs, as ``torch.nn.functional.batch_norm``.

    Training: normalize with the batch statistics and update the running ones
    in place, ``running = (1 - momentum) * running + momentum * batch`` (the
    variance unbiased, M/(M-1)). Evaluation: normalize with the running ones.
    """
    x = input
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, *), got {tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for an input with {c} channels, got {tuple(t.shape)}")
    shape = _channel_shape(x)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation mode (training=False) needs running_mean and running_var")
        # a per-channel affine map: x * scale + shift with scale = w / sqrt(var + eps)
        scale = (running_var + eps).rsqrt()
        if weight is not None:
            scale = scale * weight
        shift = -running_mean * scale
        if bias is not None:
            shift = shift + bias
        return x * scale.reshape(shape) + shift.reshape(shape)

    if x.numel() // c <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input shape {tuple(x.shape)}")
    inputs = [x] + [t for t in (weight, bias) if t is not None]
    stats: dict[str, Array] = {}
    if running_mean is not None and running_var is not None:
        running_mean._bump_version()  # the running averages change in place: record it for autograd's version checks
        running_var._bump_version()
        stats = {"running_mean": running_mean._data, "running_var": running_var._data}
    return BatchNorm.apply(
        *inputs, eps=eps, has_weight=weight is not None, has_bias=bias is not None, momentum=momentum, **stats,
    )


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Group normalization: split the C channels into ``num_groups`` groups and
    normalize each sample's group over its channels and positions (no batch
    coupling, so it works with batch size 1); then a per-channel affine map.

    Written with tensor ops, so all its derivatives come from the engine.
    """
    x = input
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected an input of shape (N, C, *), got {tuple(x.shape)}")
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels cannot be split into {num_groups} groups")
    xg = x.reshape(n, num_groups, -1)
    mean = xg.mean(-1, keepdim=True)
    xc = xg - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc * (var + eps).rsqrt()).reshape(x.shape)
    shape = _channel_shape(x)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
