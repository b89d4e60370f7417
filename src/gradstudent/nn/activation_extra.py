"""More activations and distance layers, composed from existing differentiable ops.

Each functional form is a formula of clamp/exp/tanh/softplus/sigmoid/where,
so gradients (and second derivatives) come from those ops; the modules are
thin wrappers, as in PyTorch.
"""

from __future__ import annotations

import math

from ..ops.elementwise import where
from ..tensor import Tensor
from .module import Module

__all__ = [
    "relu6", "hardtanh", "softsign", "selu", "celu", "mish", "hardswish", "hardsigmoid", "softmin", "glu",
    "threshold", "cosine_similarity", "pairwise_distance", "ReLU6", "Hardtanh", "Softsign", "SELU", "CELU", "Mish",
    "Hardswish", "Hardsigmoid", "Softmin", "GLU", "Threshold", "CosineSimilarity", "PairwiseDistance",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val)."""
    return x.clamp(min_val, max_val)


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return x.clamp(0.0, 6.0)


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return x / (1 + x.abs())


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, α (e^{x/α} − 1))."""
    return x.relu() + (alpha * ((x / alpha).clamp(max=0.0).exp() - 1)).clamp(max=0.0)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """scale · (max(0, x) + min(0, α (eˣ − 1))), with the self-normalizing α and scale."""
    return _SELU_SCALE * (x.relu() + _SELU_ALPHA * (x.clamp(max=0.0).exp() - 1))


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """x · tanh(softplus(x))."""
    from .functional import softplus

    return x * softplus(x).tanh()


def hardsigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return (x + 3.0).clamp(0.0, 6.0) / 6.0


def hardswish(x: Tensor, inplace: bool = False) -> Tensor:
    """x · relu6(x + 3) / 6."""
    return x * hardsigmoid(x)


def softmin(x: Tensor, dim: int | None = None) -> Tensor:
    """softmax(−x)."""
    if dim is None:
        raise TypeError("softmin: pass dim explicitly (PyTorch's implicit dim choice is deprecated)")
    return (-x).softmax(dim)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """a · σ(b), where a and b are the two halves of x along ``dim``."""
    if x.shape[dim] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {dim} is size {x.shape[dim]}")
    a, b = x.chunk(2, dim)
    return a * b.sigmoid()


def threshold(x: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x if x > threshold else value."""
    return where(x > threshold, x, value)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1·x2 / max(‖x1‖ ‖x2‖, eps) along ``dim``."""
    dot = (x1 * x2).sum(dim)
    norms = ((x1 * x1).sum(dim) * (x2 * x2).sum(dim)).clamp(min=eps * eps).sqrt()
    return dot / norms


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dimension."""
    diff = (x1 - x2 + eps).abs()
    if p == math.inf:
        return diff.amax(-1, keepdim=keepdim)
    return (diff**p).sum(-1, keepdim=keepdim) ** (1.0 / p)


class _Simple(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()


class ReLU6(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return relu6(x)


class Softsign(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return softsign(x)


class SELU(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return selu(x)


class Mish(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return mish(x)


class Hardswish(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return hardswish(x)


class Hardsigmoid(_Simple):
    def forward(self, x: Tensor) -> Tensor:
        return hardsigmoid(x)


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class CELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmin(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value = threshold, value

    def forward(self, x: Tensor) -> Tensor:
        return threshold(x, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}"


class CosineSimilarity(Module):
    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
