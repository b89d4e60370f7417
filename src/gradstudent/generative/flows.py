"""Normalizing flows: an invertible map z = f(x) from data to a standard-normal base, trained by exact likelihood.

Change of variables (x, z: (N, D); context c: (N, C) or none)::

    log p(x | c) = log N(f(x; c); 0, I) + log |det ∂f(x; c)/∂x|,     f = f_K ∘ … ∘ f_1,
    log |det ∂f/∂x| = Σ_k log |det ∂f_k/∂h_{k-1}|                      (h_0 = x, h_K = z)

    objective (maximum likelihood):  L = -1/N Σ_n log p(x_n | c_n)
    sampling:  z ~ N(0, I),  x = f⁻¹(z; c) = f_1⁻¹ ∘ … ∘ f_K⁻¹(z)

Every transform here maps data → noise in ``forward(x, context) -> (z, log|det J|)`` (log-det shape (N,)) and
noise → data in ``inverse(z, context) -> x``. The layers:

- ``AffineCoupling`` (RealNVP, Dinh et al. 2017): split the features by a binary mask into a kept part x_a and
  a changed part x_b; with (s, t) = NN(x_a, c),  z_a = x_a,  z_b = x_b ⊙ exp(s) + t,  log|det| = Σ s.
  The log-scale is bounded, s = B tanh(ŝ / B), so a single step can never scale by more than e^B.
  The last layer of NN starts at zero: every coupling starts as the identity.
- ``ActNorm`` (Glow): z = (x + b) ⊙ exp(ℓ), log|det| = Σ ℓ; b and ℓ set from the first training batch so
  that its output has zero mean and unit variance per feature.
- ``Permutation``: z = x[:, π], log|det| = 0 (reverse order, or a seeded random permutation).
- ``MAFLayer``/``MADE`` (autoregressive) live in ``flows_autoregressive.py``.

``Flow(transforms, features, context)`` chains them over a standard-normal base; ``RealNVP`` and ``MAF``
build the usual stacks. A *conditional* flow feeds the context to every conditioner network:
``log_prob(x, context)`` and ``sample(n, context)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import randn, tensor, zeros
from ..dtypes import int64
from ..ops.shape import cat
from ..tensor import Tensor

__all__ = [
    "FlowTransform", "AffineCoupling", "ActNorm", "Permutation", "Flow", "RealNVP", "conditioner_mlp",
    "standard_normal_log_prob", "check_context",
]

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def standard_normal_log_prob(z: Tensor) -> Tensor:
    """log N(z; 0, I) summed over the features: -½‖z‖² - (D/2) log 2π; (N, D) -> (N,)."""
    return z.square().sum(-1) * -0.5 - HALF_LOG_2PI * z.shape[-1]


def conditioner_mlp(n_in: int, n_out: int, hidden: Sequence[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """MLP n_in -> hidden... -> n_out whose last layer starts at zero (the transform starts as the identity)."""
    sizes = [n_in, *hidden]
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), activation()]
    last = nn.Linear(sizes[-1], n_out)
    nn.init.zeros_(last.weight)
    nn.init.zeros_(last.bias)
    layers.append(last)
    return nn.Sequential(*layers)


def check_context(where: str, n: int, context: Tensor | None, context_features: int) -> Tensor | None:
    """The context as an (n, C) tensor: (C,) and (1, C) are broadcast to n rows; errors name the shapes."""
    if context_features == 0:
        if context is not None:
            raise ValueError(f"{where}: this flow takes no context (context=0), but one of shape {tuple(context.shape)} was given")
        return None
    if context is None:
        raise ValueError(f"{where}: this conditional flow needs a context tensor with {context_features} features")
    c = context
    if c.ndim == 1:
        c = c.reshape(1, -1)
    if c.ndim != 2 or c.shape[1] != context_features or c.shape[0] not in (1, n):
        raise ValueError(f"{where}: context must have shape ({context_features},), (1, {context_features}) or "
                         f"({n}, {context_features}), got {tuple(context.shape)}")
    return c.expand(n, context_features) if c.shape[0] == 1 and n != 1 else c


class FlowTransform(nn.Module):
    """One invertible step: ``forward(x, context) -> (z, logdet)``, ``inverse(z, context) -> x``."""

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:  # pragma: no cover
        raise NotImplementedError

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:  # pragma: no cover
        raise NotImplementedError


class AffineCoupling(FlowTransform):
    """RealNVP affine coupling with mask m (1 = kept): z_b = x_b ⊙ exp(s(x_a, c)) + t(x_a, c), s bounded by ``scale_bound``."""

    def __init__(self, mask: Sequence[int], hidden: Sequence[int] = (64, 64), context: int = 0, scale_bound: float = 3.0) -> None:
        super().__init__()
        m = np.asarray(mask, dtype=bool).reshape(-1)
        if m.all() or not m.any():
            raise ValueError(f"AffineCoupling: the mask must keep some features and change others, got {m.astype(int).tolist()}")
        self.features, self.scale_bound = m.size, float(scale_bound)
        self.kept, self.changed = np.flatnonzero(m), np.flatnonzero(~m)
        order = np.concatenate([self.kept, self.changed])
        self.register_buffer("_kept", tensor(self.kept, dtype=int64), persistent=False)
        self.register_buffer("_changed", tensor(self.changed, dtype=int64), persistent=False)
        self.register_buffer("_unsort", tensor(np.argsort(order), dtype=int64), persistent=False)
        self.net = conditioner_mlp(self.kept.size + context, 2 * self.changed.size, hidden)

    def _scale_shift(self, x_a: Tensor, context: Tensor | None) -> tuple[Tensor, Tensor]:
        h = self.net(x_a if context is None else cat([x_a, context.to(x_a.dtype)], 1))
        raw_s, t = h.chunk(2, dim=1)
        return (raw_s * (1.0 / self.scale_bound)).tanh() * self.scale_bound, t  # s = B tanh(ŝ/B)

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        x_a, x_b = x.index_select(1, self._kept), x.index_select(1, self._changed)
        s, t = self._scale_shift(x_a, context)
        z_b = x_b * s.exp() + t
        return cat([x_a, z_b], 1).index_select(1, self._unsort), s.sum(1)

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        z_a, z_b = z.index_select(1, self._kept), z.index_select(1, self._changed)
        s, t = self._scale_shift(z_a, context)
        return cat([z_a, (z_b - t) * (-s).exp()], 1).index_select(1, self._unsort)


class ActNorm(FlowTransform):
    """z = (x + b) ⊙ exp(ℓ); b, ℓ initialised from the first batch seen in training (zero mean, unit variance)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(zeros(features))
        self.log_scale = nn.Parameter(zeros(features))
        self.register_buffer("initialized", tensor(0.0))

    def _maybe_init(self, x: Tensor) -> None:
        if self.training and self.initialized.item() == 0.0 and x.shape[0] > 1:
            a = x.detach().numpy().astype(np.float64)
            mu, sd = a.mean(0), a.std(0)
            with no_grad():
                self.bias.copy_(tensor(-mu, dtype=self.bias.dtype))
                self.log_scale.copy_(tensor(-np.log(np.maximum(sd, 1e-6)), dtype=self.log_scale.dtype))
                self.initialized.fill_(1.0)

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        self._maybe_init(x)
        z = (x + self.bias) * self.log_scale.exp()
        return z, self.log_scale.sum().expand(x.shape[0])

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        return z * (-self.log_scale).exp() - self.bias


class Permutation(FlowTransform):
    """z = x[:, π] with π the reversal (``seed=None``) or a seeded random permutation; log|det| = 0."""

    def __init__(self, features: int, seed: int | None = None) -> None:
        super().__init__()
        perm = np.arange(features)[::-1].copy() if seed is None else np.random.default_rng(seed).permutation(features)
        self.register_buffer("perm", tensor(perm, dtype=int64))
        self.register_buffer("inv_perm", tensor(np.argsort(perm), dtype=int64))

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return x.index_select(1, self.perm), zeros(x.shape[0], dtype=x.dtype)

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        return z.index_select(1, self.inv_perm)


class Flow(nn.Module):
    """A chain of ``FlowTransform``s (data → noise) over a standard-normal base in ``features`` dimensions."""

    def __init__(self, transforms: Sequence[FlowTransform], features: int, context: int = 0) -> None:
        super().__init__()
        self.transforms = nn.ModuleList(list(transforms))
        self.features, self.context_features = int(features), int(context)

    def _check_x(self, where: str, x: Tensor) -> None:
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(f"{where}: expected x of shape (N, {self.features}), got {tuple(x.shape)}")

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """z = f(x; c) and log|det ∂f/∂x|, shapes (N, D) and (N,)."""
        self._check_x("Flow.forward", x)
        c = check_context("Flow.forward", x.shape[0], context, self.context_features)
        logdet: Tensor | None = None
        for t in self.transforms:
            x, ld = t(x, c)
            logdet = ld if logdet is None else logdet + ld
        return x, logdet if logdet is not None else zeros(x.shape[0], dtype=x.dtype)

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        """x = f⁻¹(z; c), shape (N, D)."""
        self._check_x("Flow.inverse", z)
        c = check_context("Flow.inverse", z.shape[0], context, self.context_features)
        for t in reversed(list(self.transforms)):
            z = t.inverse(z, c)
        return z

    def log_prob(self, x: Tensor, context: Tensor | None = None) -> Tensor:
        """Exact log p(x | c) = log N(f(x); 0, I) + log|det ∂f/∂x|, shape (N,)."""
        z, logdet = self.forward(x, context)
        return standard_normal_log_prob(z) + logdet

    def sample(self, n: int, context: Tensor | None = None) -> Tensor:
        """n samples x = f⁻¹(z), z ~ N(0, I); a context of shape (C,)/(1, C) is shared, (n, C) is one row per sample."""
        dtype = self._dtype()
        return self.inverse(randn(n, self.features, dtype=dtype), context)

    def sample_and_log_prob(self, n: int, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """n samples and their exact log-density log p(x | c) (evaluated by mapping the samples back)."""
        x = self.sample(n, context)
        return x, self.log_prob(x, context)

    def _dtype(self) -> object:
        for p in self.parameters():
            return p.dtype
        return "float32"


class RealNVP(Flow):
    """RealNVP: ``transforms`` affine couplings with alternating masks (even/odd features), optional ActNorm.

    ``RealNVP(features, context=0, transforms=8, hidden=(64, 64), scale_bound=3.0, actnorm=False)``.
    """

    def __init__(self, features: int, context: int = 0, transforms: int = 8, hidden: Sequence[int] = (64, 64),
                 scale_bound: float = 3.0, actnorm: bool = False) -> None:
        if features < 2:
            raise ValueError(f"RealNVP: needs features >= 2 to split, got {features}")
        layers: list[FlowTransform] = []
        for k in range(transforms):
            mask = [(i + k) % 2 == 0 for i in range(features)]
            if actnorm:
                layers.append(ActNorm(features))
            layers.append(AffineCoupling(mask, hidden, context, scale_bound))
        super().__init__(layers, features, context)
