"""Variational autoencoders (Kingma & Welling 2014), β-VAE, the IWAE bound, conditional VAE.

Model: z ~ p(z) = N(0, I_K), x | z ~ p_θ(x | z) (Bernoulli or Gaussian decoder).
Inference: q_φ(z | x) = N(μ_φ(x), diag σ²_φ(x)) (Gaussian encoder).

ELBO, per example (x: ``(D,)``, z: ``(K,)``)::

    log p(x) ≥ ELBO(x) = E_q[log p_θ(x | z)] - KL(q_φ(z|x) ‖ p(z))
                         └ reconstruction ┘   └ KL, closed form: ½ Σ_k (μ_k² + σ_k² - 1 - log σ_k²) ┘

The expectation uses one reparameterized draw z = μ + σ ⊙ ε, ε ~ N(0, I), so
gradients reach φ. β-VAE (Higgins et al. 2017) weighs the KL: loss = -(rec - β KL).

Importance-weighted bound with K samples (Burda et al. 2016), tighter as K grows::

    log p(x) ≥ L_K = E[ log 1/K Σ_k p_θ(x | z_k) p(z_k) / q_φ(z_k | x) ],  z_k ~ q_φ(z | x)

Conditional VAE (Sohn et al. 2015): encoder and decoder also read a context c
(e.g. a one-hot class): q_φ(z | x, c), p_θ(x | z, c); sampling with a chosen c.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import randn
from ..ops.reduce import logsumexp
from ..ops.shape import cat
from ..tensor import Tensor
from .distributions import Bernoulli, Normal, kl_standard_normal

__all__ = ["GaussianEncoder", "BernoulliDecoder", "GaussianDecoder", "VAE", "ConditionalVAE", "ELBO"]


def _mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers)


class GaussianEncoder(nn.Module):
    """q_φ(z | x[, c]) = N(μ, diag exp(logvar)): ``(N, D[+C]) -> (μ, logvar)``, each ``(N, K)``."""

    def __init__(self, in_features: int, latent: int, hidden: tuple[int, ...] = (256,)) -> None:
        super().__init__()
        self.body = _mlp([in_features, *hidden])
        self.act = nn.ReLU()
        self.mu = nn.Linear(hidden[-1] if hidden else in_features, latent)
        self.logvar = nn.Linear(hidden[-1] if hidden else in_features, latent)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.act(self.body(x)) if len(self.body) else x
        return self.mu(h), self.logvar(h)


class BernoulliDecoder(nn.Module):
    """p_θ(x | z) = Π_d Bernoulli(x_d; sigmoid(logits_d)): ``(N, K) -> logits (N, D)``."""

    def __init__(self, latent: int, out_features: int, hidden: tuple[int, ...] = (256,)) -> None:
        super().__init__()
        self.net = _mlp([latent, *hidden, out_features])

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)

    def log_prob(self, x: Tensor, params: Tensor) -> Tensor:
        """log p(x | z) summed over features: ``(..., D) -> (...)``."""
        return Bernoulli(logits=params).log_prob(x).sum(-1)

    def mean(self, params: Tensor) -> Tensor:
        return params.sigmoid()


class GaussianDecoder(nn.Module):
    """p_θ(x | z) = N(x; μ_θ(z), σ² I) with one learned log σ per feature: ``(N, K) -> μ (N, D)``."""

    def __init__(self, latent: int, out_features: int, hidden: tuple[int, ...] = (256,), init_log_scale: float = 0.0) -> None:
        super().__init__()
        self.net = _mlp([latent, *hidden, out_features])
        from ..creation import full

        self.log_scale = nn.Parameter(full((out_features,), init_log_scale))

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)

    def log_prob(self, x: Tensor, params: Tensor) -> Tensor:
        return Normal(params, self.log_scale.exp()).log_prob(x).sum(-1)

    def mean(self, params: Tensor) -> Tensor:
        return params


@dataclass
class ELBO:
    """Per-example terms, each ``(N,)``: ``elbo = reconstruction - kl`` (β-weighted in ``loss``)."""

    reconstruction: Tensor
    kl: Tensor

    @property
    def elbo(self) -> Tensor:
        return self.reconstruction - self.kl

    def loss(self, beta: float = 1.0) -> Tensor:
        """-(1/N) Σ_n (rec_n - β KL_n): the quantity to minimize."""
        return -(self.reconstruction - beta * self.kl).mean()


class VAE(nn.Module):
    """VAE with a Gaussian encoder and a ``decoder`` of ``"bernoulli"`` or ``"gaussian"`` type.

    ``context_features > 0`` makes it conditional (see :class:`ConditionalVAE`).
    Shapes: x ``(N, D)``, context ``(N, C)``, z ``(N, K)``.
    """

    def __init__(self, in_features: int, latent: int = 2, hidden: tuple[int, ...] = (256,), decoder: str = "bernoulli",
                 context_features: int = 0) -> None:
        super().__init__()
        if decoder not in ("bernoulli", "gaussian"):
            raise ValueError(f"VAE: decoder must be 'bernoulli' or 'gaussian', got {decoder!r}")
        self.in_features, self.latent, self.context_features = in_features, latent, context_features
        self.encoder = GaussianEncoder(in_features + context_features, latent, hidden)
        dec = BernoulliDecoder if decoder == "bernoulli" else GaussianDecoder
        self.decoder = dec(latent + context_features, in_features, tuple(reversed(hidden)))

    def _join(self, a: Tensor, context: Tensor | None, what: str) -> Tensor:
        if self.context_features == 0:
            if context is not None:
                raise ValueError(f"VAE.{what}: this VAE takes no context (context_features=0)")
            return a
        if context is None or tuple(context.shape) != (a.shape[0], self.context_features):
            got = None if context is None else tuple(context.shape)
            raise ValueError(f"VAE.{what}: context must have shape ({a.shape[0]}, {self.context_features}), got {got}")
        return cat([a, context], dim=1)

    def encode(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(μ, logvar) of q(z | x[, c])."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"VAE.encode: x must have shape (N, {self.in_features}), got {tuple(x.shape)}")
        return self.encoder(self._join(x, context, "encode"))

    def decode(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        """Decoder parameters (Bernoulli logits or Gaussian means) of p(x | z[, c])."""
        return self.decoder(self._join(z, context, "decode"))

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """(decoder parameters, μ, logvar) for one reparameterized z per example."""
        mu, logvar = self.encode(x, context)
        z = mu + (0.5 * logvar).exp() * randn(*mu.shape, dtype=mu.dtype)  # z = μ + σ ε
        return self.decode(z, context), mu, logvar

    def elbo(self, x: Tensor, context: Tensor | None = None) -> ELBO:
        """Reconstruction E_q[log p(x|z)] (one draw) and the closed-form KL, per example."""
        params, mu, logvar = self(x, context)
        return ELBO(self.decoder.log_prob(x, params), kl_standard_normal(mu, logvar).sum(-1))

    def loss(self, x: Tensor, context: Tensor | None = None, beta: float = 1.0) -> Tensor:
        return self.elbo(x, context).loss(beta)

    @no_grad()
    def iwae_log_likelihood(self, x: Tensor, k: int = 100, context: Tensor | None = None, chunk: int = 100) -> Tensor:
        """The importance-weighted bound L_K per example ``(N,)`` (nats); an estimate of log p(x).

        Draws are made ``chunk`` at a time: memory O(chunk · N · D), not O(K · N · D).
        """
        if k < 1:
            raise ValueError(f"VAE.iwae_log_likelihood: k must be >= 1, got {k}")
        mu, logvar = self.encode(x, context)
        q = Normal(mu, (0.5 * logvar).exp())
        log_w = []
        for start in range(0, k, chunk):
            m = min(chunk, k - start)
            z = q.sample((m,))  # (m, N, K)
            flat_z = z.reshape(m * x.shape[0], self.latent)
            ctx = None if context is None else context.unsqueeze(0).expand(m, *context.shape).reshape(m * x.shape[0], -1)
            params = self.decode(flat_z, ctx).reshape(m, x.shape[0], self.in_features)
            log_px_z = self.decoder.log_prob(x.unsqueeze(0), params)  # (m, N)
            log_pz = (-0.5 * z * z - 0.5 * math.log(2 * math.pi)).sum(-1)
            log_w.append(log_px_z + log_pz - q.log_prob(z).sum(-1))
        return logsumexp(cat(log_w, dim=0), dim=0) - math.log(k)

    @no_grad()
    def sample(self, n: int, context: Tensor | None = None, mean: bool = True) -> Tensor:
        """n draws x ~ p(x | z), z ~ N(0, I) (``mean=True``: the decoder's mean instead of a draw)."""
        z = randn(n, self.latent, dtype=self.encoder.mu.weight.dtype)
        params = self.decode(z, context)
        if mean:
            return self.decoder.mean(params)
        if isinstance(self.decoder, BernoulliDecoder):
            return Bernoulli(logits=params).sample()
        return Normal(params, self.decoder.log_scale.exp()).sample()


class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder read a context (e.g. a one-hot class label)."""

    def __init__(self, in_features: int, context_features: int, latent: int = 2, hidden: tuple[int, ...] = (256,),
                 decoder: str = "bernoulli") -> None:
        if context_features < 1:
            raise ValueError(f"ConditionalVAE: context_features must be >= 1, got {context_features}")
        super().__init__(in_features, latent, hidden, decoder, context_features)
