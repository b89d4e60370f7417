"""The few distributions the generative models need, with ``torch.distributions``' names.

Every log-density is elementwise (no summing over event dimensions): sum over the
features yourself, e.g. ``Normal(mu, sigma).log_prob(x).sum(-1)`` for a diagonal Gaussian.

- ``Normal(loc, scale)``:  log N(x; μ, σ²) = -(x-μ)²/(2σ²) - log σ - ½ log 2π
- ``Bernoulli(logits=l)``:  log p(x) = x l - softplus(l)    (x ∈ [0, 1]; stable for any l)
- ``kl_normal_normal(q, p)``: KL(N(μ₁,σ₁²) ‖ N(μ₂,σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁-μ₂)²)/(2σ₂²) - ½
- ``kl_standard_normal(mu, logvar)``: KL(N(μ, e^{logvar}) ‖ N(0, 1)) = ½(μ² + e^{logvar} - 1 - logvar)
"""

from __future__ import annotations

import math

from ..autograd.grad_mode import no_grad
from ..creation import randn, rand
from ..nn import functional as F
from ..tensor import Tensor

__all__ = ["Normal", "Bernoulli", "kl_normal_normal", "kl_standard_normal"]

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _tensor(x: Tensor | float, like: Tensor) -> Tensor:
    from ..creation import full

    return x if isinstance(x, Tensor) else full(tuple(like.shape), float(x), dtype=like.dtype)


class Normal:
    """Gaussian with mean ``loc`` and standard deviation ``scale`` (broadcast together)."""

    def __init__(self, loc: Tensor, scale: Tensor | float) -> None:
        self.loc = loc
        self.scale = _tensor(scale, loc)
        with no_grad():
            if float(self.scale.min().item()) <= 0.0:
                raise ValueError("Normal: scale must be positive")

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self.scale * self.scale

    def log_prob(self, x: Tensor) -> Tensor:
        z = (x - self.loc) / self.scale
        return -0.5 * z * z - self.scale.log() - HALF_LOG_2PI

    def rsample(self, sample_shape: tuple[int, ...] = ()) -> Tensor:
        """Reparameterized draw μ + σ ε, ε ~ N(0, I): gradients flow to μ and σ. Shape ``sample_shape + batch``."""
        shape = tuple(sample_shape) + tuple((self.loc + self.scale).shape)
        return self.loc + self.scale * randn(*shape, dtype=self.loc.dtype)

    def sample(self, sample_shape: tuple[int, ...] = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def entropy(self) -> Tensor:
        return self.scale.log() + 0.5 + HALF_LOG_2PI


class Bernoulli:
    """Bernoulli with ``logits`` l (or ``probs`` p = sigmoid(l)); log_prob accepts x in [0, 1]
    (the continuous relaxation used for grey-level pixels)."""

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: pass exactly one of probs and logits")
        if logits is None:
            eps = 1e-7 if probs.dtype.itemsize == 4 else 1e-15
            p = probs.clamp(eps, 1.0 - eps)
            logits = p.log() - (1.0 - p).log()
        self.logits = logits

    @property
    def probs(self) -> Tensor:
        return self.logits.sigmoid()

    @property
    def mean(self) -> Tensor:
        return self.probs

    def log_prob(self, x: Tensor) -> Tensor:
        return x * self.logits - F.softplus(self.logits)

    def sample(self, sample_shape: tuple[int, ...] = ()) -> Tensor:
        with no_grad():
            shape = tuple(sample_shape) + tuple(self.logits.shape)
            return (rand(*shape, dtype=self.logits.dtype) < self.probs).to(self.logits.dtype)

    def entropy(self) -> Tensor:
        p = self.probs
        return F.softplus(self.logits) - p * self.logits


def kl_normal_normal(q: Normal, p: Normal) -> Tensor:
    """Elementwise KL(q ‖ p) between two Gaussians (closed form, see the module docstring)."""
    ratio = q.variance / p.variance
    diff = q.loc - p.loc
    return 0.5 * (ratio + diff * diff / p.variance - 1.0 - ratio.log())


def kl_standard_normal(mu: Tensor, logvar: Tensor) -> Tensor:
    """Elementwise KL(N(μ, σ²) ‖ N(0, 1)) with σ² = exp(logvar): the VAE's KL term."""
    return 0.5 * (mu * mu + logvar.exp() - 1.0 - logvar)
