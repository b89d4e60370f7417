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
from ..autograd.grad_mode import no_grad, state
from ..backend import Array, get_array_module
from ..tensor import Tensor


def _channel_shape(x: Any) -> tuple[int, ...]:
    """(1, C, 1, 1, ...): per-channel values broadcast against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _reduce_axes(x: Any) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


@register("batch_norm")
class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b with the batch's mean and (biased) variance.

    Inputs ``(x, [w], [b])``; ``mean`` and ``var`` (C,) are the statistics of x
    computed by the caller (it also needs them for the running averages).
    """

    def forward(self, *arrays: Array, mean: Array, var: Array, eps: float, has_weight: bool, has_bias: bool) -> Array:
        x = arrays[0]
        xp = get_array_module(x)
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias
        shape = _channel_shape(x)
        self.rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
        self.xhat = (x - mean.reshape(shape)) * self.rstd.reshape(shape)
        y = self.xhat * arrays[1].reshape(shape) if has_weight else self.xhat.copy()
        if has_bias:
            y += arrays[-1].reshape(shape)
        return y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        inputs = self.saved_inputs()
        if state.grad_enabled:  # create_graph: build the gradient from differentiable ops
            return self._backward_graph(grad, inputs)
        g, xhat, axes = grad.data, self.xhat, _reduce_axes(grad.data)
        shape = _channel_shape(g)
        m = g.size / g.shape[1]
        gb = g.sum(axis=axes)  # b.grad[c] = sum g
        gw = (g * xhat).sum(axis=axes)  # w.grad[c] = sum g * xhat
        scale = self.rstd * inputs[1].data if self.has_weight else self.rstd
        gx = (g - (gb / m).reshape(shape) - xhat * (gw / m).reshape(shape)) * scale.reshape(shape)
        out: list[Tensor | None] = [Tensor._make(gx) if self.needs_input_grad[0] else None]
        if self.has_weight:
            out.append(Tensor._make(gw.astype(g.dtype)))
        if self.has_bias:
            out.append(Tensor._make(gb.astype(g.dtype)))
        return tuple(out)

    def _backward_graph(self, grad: Tensor, inputs: tuple[Tensor, ...]) -> tuple[Tensor | None, ...]:
        x = inputs[0]
        axes = _reduce_axes(x)
        shape = _channel_shape(x)
        xc = x - x.mean(axes, keepdim=True)
        rstd = ((xc * xc).mean(axes, keepdim=True) + self.eps).rsqrt()
        xhat = xc * rstd
        gxhat = grad * inputs[1].reshape(shape) if self.has_weight else grad
        gx = rstd * (gxhat - gxhat.mean(axes, keepdim=True) - xhat * (gxhat * xhat).mean(axes, keepdim=True))
        out: list[Tensor | None] = [gx]
        if self.has_weight:
            out.append((grad * xhat).sum(axes))
        if self.has_bias:
            out.append(grad.sum(axes))
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

    m = x.numel() // c
    if m <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input shape {tuple(x.shape)}")
    axes = _reduce_axes(x)
    mean = x.data.mean(axis=axes)
    var = x.data.var(axis=axes)
    if running_mean is not None and running_var is not None:
        with no_grad():
            running_mean.mul_(1.0 - momentum).add_(Tensor._make(mean.astype(running_mean.dtype)), alpha=momentum)
            unbiased = (var * (m / (m - 1))).astype(running_var.dtype)
            running_var.mul_(1.0 - momentum).add_(Tensor._make(unbiased), alpha=momentum)
    inputs = [x] + [t for t in (weight, bias) if t is not None]
    return BatchNorm.apply(
        *inputs, mean=mean, var=var, eps=eps, has_weight=weight is not None, has_bias=bias is not None
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
