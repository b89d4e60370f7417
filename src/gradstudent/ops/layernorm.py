"""Layer normalization as one fused op.

Over the last ``k`` axes (the "normalized shape", ``D`` elements per row)::

    mu[n]    = 1/D sum_j x[n, j]
    var[n]   = 1/D sum_j (x[n, j] - mu[n])^2              (biased, as PyTorch)
    xhat[n, j] = (x[n, j] - mu[n]) / sqrt(var[n] + eps)
    y[n, j]  = xhat[n, j] * w[j] + b[j]

Backward (``gx = y.grad * w``, means over j)::

    x.grad[n, j] = rstd[n] * (gx[n, j] - mean_j gx[n, :] - xhat[n, j] * mean_j (gx[n, :] * xhat[n, :]))
    w.grad[j]    = sum_n y.grad[n, j] * xhat[n, j]
    b.grad[j]    = sum_n y.grad[n, j]

``backward`` writes these formulas with Tensor ops on a recomputed ``xhat`` (the
reference, differentiable again); ``backward_arrays`` runs the same lines on the
arrays saved by forward (the engine's choice when no graph is recorded).
"""

from __future__ import annotations

import math
from typing import Sequence

from ..autograd.function import Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import sum_first_axis, sum_last_axis


@register("layer_norm")
class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last ``ndim`` axes (w, b optional)"""

    def forward(self, x: Array, *affine: Array, ndim: int, eps: float, has_weight: bool) -> Array:
        xp = get_array_module(x)
        axes = tuple(range(x.ndim - ndim, x.ndim))
        self.axes, self.eps, self.has_weight = axes, eps, has_weight
        D = int(math.prod(x.shape[x.ndim - ndim :]))
        rows = xp.ascontiguousarray(x).reshape(-1, D)  # (N, D): one row per normalized group
        mu = sum_last_axis(rows) * (1.0 / D)                          # mu[n] = 1/D sum_j x[n, j]
        xhat = rows - mu[:, None]
        rstd = 1.0 / xp.sqrt(sum_last_axis(xhat * xhat) * (1.0 / D) + eps)  # 1 / sqrt(var[n] + eps)
        xhat *= rstd[:, None]
        self.xhat, self.rstd = xhat, rstd  # (N, D), (N,): for the fast (first-order) backward
        w = affine[0] if has_weight else None
        b = affine[-1] if len(affine) == 2 or (affine and not has_weight) else None
        y = xhat * w.reshape(-1) if w is not None else xhat.copy()
        if b is not None:
            y += b.reshape(-1)
        return y.reshape(x.shape)

    def _split(self) -> tuple[Tensor, Tensor | None, Tensor | None, tuple[bool, ...]]:
        ins = self.saved_inputs()
        needs = self.needs_input_grad
        x, rest = ins[0], list(ins[1:])
        w = rest.pop(0) if self.has_weight else None
        b = rest.pop(0) if rest else None
        return x, w, b, needs

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w, b, needs = self._split()
        # the formulas with differentiable ops on a recomputed xhat
        lead = tuple(range(x.ndim - len(self.axes)))  # the batch-like axes w and b are shared over
        mu = x.mean(self.axes, keepdim=True)
        xc = x - mu
        rstd = ((xc * xc).mean(self.axes, keepdim=True) + self.eps).rsqrt()
        xhat = xc * rstd
        gxhat = grad * w if w is not None else grad  # gx[n, j] = y.grad[n, j] * w[j]
        gx = None
        if needs[0]:
            m1 = gxhat.mean(self.axes, keepdim=True)
            m2 = (gxhat * xhat).mean(self.axes, keepdim=True)
            gx = rstd * (gxhat - m1 - xhat * m2)
        out: list[Tensor | None] = [gx]
        if w is not None:
            out.append((grad * xhat).sum(lead) if needs[len(out)] else None)  # w.grad[j] = sum_n g[n, j] xhat[n, j]
        if b is not None:
            out.append(grad.sum(lead) if needs[len(out)] else None)  # b.grad[j] = sum_n g[n, j]
        return tuple(out)

    def backward_arrays(self, g: Array) -> tuple[Array | None, ...]:
        """The same backward on the arrays saved by forward."""
        _, w, b, needs = self._split()
        xp = get_array_module(g)
        xhat, rstd = self.xhat, self.rstd
        N, D = xhat.shape
        shape, wshape = g.shape, g.shape[g.ndim - len(self.axes) :]
        g = xp.ascontiguousarray(g).reshape(N, D)
        gxhat = g * w._data.reshape(-1) if w is not None else g  # gx[n, j] = y.grad[n, j] * w[j]
        out: list[Array | None] = [None]
        if needs[0]:
            m1 = sum_last_axis(gxhat) * (1.0 / D)          # m1[n] = mean_j gx[n, j]
            m2 = sum_last_axis(gxhat * xhat) * (1.0 / D)   # m2[n] = mean_j gx[n, j] xhat[n, j]
            gx = xhat * m2[:, None]
            xp.subtract(gxhat, gx, out=gx)
            gx -= m1[:, None]
            gx *= rstd[:, None]               # x.grad[n, j] = rstd[n] (gx[n, j] - m1[n] - xhat[n, j] m2[n])
            out[0] = gx.reshape(shape)
        if w is not None:  # w.grad[j] = sum_n g[n, j] xhat[n, j]
            out.append(sum_first_axis(g * xhat).reshape(wshape) if needs[len(out)] else None)
        if b is not None:  # b.grad[j] = sum_n g[n, j]
            out.append(sum_first_axis(g).reshape(wshape) if needs[len(out)] else None)
        return tuple(out)


def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``F.layer_norm``: normalize over the trailing ``normalized_shape`` axes of ``x``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(x.shape[x.ndim - k :]) != shape or x.ndim < k:
        raise ValueError(
            f"layer_norm: normalized_shape {shape} does not match the trailing dims of the input (shape {tuple(x.shape)})"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise ValueError(f"layer_norm: {name} has shape {tuple(p.shape)}, expected {shape}")
    affine = [p for p in (weight, bias) if p is not None]
    return LayerNorm.apply(x, *affine, ndim=k, eps=float(eps), has_weight=weight is not None)
