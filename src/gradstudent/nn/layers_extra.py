"""More layers, composed from existing differentiable ops: PReLU, Bilinear, RMSNorm,
InstanceNorm1d/2d (+ their functional forms)."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..creation import empty, ones
from ..ops.linalg import einsum
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["prelu", "bilinear", "rms_norm", "instance_norm", "PReLU", "Bilinear", "RMSNorm", "InstanceNorm1d", "InstanceNorm2d"]


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """max(0, x) + a · min(0, x), with one slope a per channel (dim 1) or one shared slope."""
    a = weight
    if weight.numel() > 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise RuntimeError(f"prelu: {weight.numel()} slopes need input.shape[1] == {weight.numel()}, got shape {tuple(input.shape)}")
        a = weight.reshape(1, -1, *([1] * (input.ndim - 2)))
    return input.relu() + a * input.clamp(max=0.0)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_o = Σ_ij x1_i W_oij x2_j + b_o, for inputs (*, in1) and (*, in2)."""
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x²) + ε) · w, the mean over the last ``len(normalized_shape)`` dims
    (ε defaults to the dtype's machine epsilon, as in PyTorch)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"rms_norm: expected input with shape [*, {', '.join(map(str, shape))}], got {tuple(input.shape)}")
    eps = float(np.finfo(input.dtype).eps) if eps is None else eps
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def instance_norm(
    input: Tensor, running_mean: Any = None, running_var: Any = None, weight: Tensor | None = None,
    bias: Tensor | None = None, use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Normalize each (sample, channel) over its spatial dims: (x − mean) / sqrt(var + ε) · γ_c + β_c
    (biased variance). Running statistics are not supported."""
    if running_mean is not None or running_var is not None or not use_input_stats:
        raise NotImplementedError("instance_norm: running statistics (track_running_stats=True) are not supported")
    dims = tuple(range(2, input.ndim))
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    out = centered * ((centered * centered).mean(dims, keepdim=True) + eps).rsqrt()
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(*shape)
    if bias is not None:
        out = out + bias.reshape(*shape)
    return out


class PReLU(Module):
    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        # stored as ``slopes``: ``num_parameters`` is Module's method (count of parameter elements)
        self.slopes = num_parameters
        self.weight = Parameter(ones(num_parameters, dtype=dtype) * init)

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.slopes}"


class Bilinear(Module):
    """y = x1ᵀ W x2 + b; W, b ~ U(−1/√in1, 1/√in1) as in PyTorch."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        bound = 1 / math.sqrt(in1_features)
        self.weight = Parameter(init.uniform_(empty(out_features, in1_features, in2_features, dtype=dtype), -bound, bound))
        self.bias = Parameter(init.uniform_(empty(out_features, dtype=dtype), -bound, bound)) if bias else None

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in1_features={self.in1_features}, in2_features={self.in2_features}, out_features={self.out_features}, bias={self.bias is not None}"


class RMSNorm(Module):
    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"


class _InstanceNorm(Module):
    _dims = 2

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
        track_running_stats: bool = False, dtype: Any = None,
    ) -> None:
        super().__init__()
        if track_running_stats:
            raise NotImplementedError(f"{type(self).__name__}: track_running_stats=True is not supported")
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        self.weight = Parameter(ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(ones(num_features, dtype=dtype) * 0.0) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"{type(self).__name__}: expected {self._dims + 1}D or {self._dims + 2}D input, got shape {tuple(x.shape)}")
        batched = x.ndim == self._dims + 2
        out = instance_norm(x if batched else x.unsqueeze(0), weight=self.weight, bias=self.bias, eps=self.eps)
        return out if batched else out.squeeze(0)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, track_running_stats=False"


class InstanceNorm1d(_InstanceNorm):
    """Per-(sample, channel) normalization of (N, C, L) inputs."""

    _dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Per-(sample, channel) normalization of (N, C, H, W) inputs."""

    _dims = 2
