"""Generative adversarial networks: MLP GAN, DCGAN, non-saturating loss and WGAN-GP.

A generator G maps noise z ~ N(0, I) to samples; a discriminator D (logit output ``l``,
D = sigmoid(l)) tells real from generated. With l_r = D-logits on real x, l_f on G(z)::

    discriminator:      L_D = -E log D(x) - E log(1 - D(G(z))) = E softplus(-l_r) + E softplus(l_f)
    generator, minimax:  L_G = E log(1 - D(G(z)))  = -E softplus(l_f)   (saturates when D wins)
    non-saturating:      L_G = -E log D(G(z))      =  E softplus(-l_f)  (Goodfellow et al. 2014)

WGAN-GP (Gulrajani et al. 2017): a critic f (no sigmoid) estimates the Wasserstein-1 distance;
the 1-Lipschitz constraint becomes a penalty on the gradient norm at x̂ = εx + (1-ε)G(z), ε ~ U(0,1)::

    critic:     L_f = E f(G(z)) - E f(x) + λ E (‖∇_x̂ f(x̂)‖₂ - 1)²
    generator:  L_G = -E f(G(z))

The penalty differentiates a gradient: ∇_x̂ f is computed with ``create_graph=True`` so
that backward reaches the critic's weights through it (second-order autodiff).
"""

from __future__ import annotations

from .. import nn
from ..autograd import grad as autograd_grad
from ..creation import rand
from ..nn import functional as F
from ..tensor import Tensor

__all__ = [
    "MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator", "discriminator_loss",
    "generator_loss", "gradient_penalty", "critic_loss", "wgan_generator_loss",
]


def _mlp(sizes: list[int], activation: type[nn.Module]) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([activation()] if i < len(sizes) - 2 else [])
    return layers


class MLPGenerator(nn.Module):
    """G: ``(N, latent) -> (N, out_features)``, ReLU hidden layers, linear output."""

    def __init__(self, latent: int, out_features: int, hidden: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        self.latent = latent
        self.net = nn.Sequential(*_mlp([latent, *hidden, out_features], nn.ReLU))

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """D (or a WGAN critic): ``(N, in_features) -> (N,)`` logits/scores, LeakyReLU(0.2) hidden layers."""

    def __init__(self, in_features: int, hidden: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        self.net = nn.Sequential(*_mlp([in_features, *hidden, 1], lambda: nn.LeakyReLU(0.2)))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).reshape(-1)


class DCGANGenerator(nn.Module):
    """DCGAN generator for ``(N, C, 8, 8)`` images in [0, 1] (Radford et al. 2016, scaled down)::

        z (N, K, 1, 1) -ConvT(K→4w, 2, s1)→ 2×2 -BN-ReLU-ConvT(4w→2w, 4, s2, p1)→ 4×4
                       -BN-ReLU-ConvT(2w→C, 4, s2, p1)→ 8×8 -sigmoid
    """

    def __init__(self, latent: int = 16, channels: int = 1, width: int = 16) -> None:
        super().__init__()
        self.latent = latent
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent, 4 * width, 2, stride=1, padding=0, bias=False), nn.BatchNorm2d(4 * width), nn.ReLU(),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, channels, 4, stride=2, padding=1), nn.Sigmoid(),
        )

    def forward(self, z: Tensor) -> Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent:
            raise ValueError(f"DCGANGenerator: z must have shape (N, {self.latent}), got {tuple(z.shape)}")
        return self.net(z.reshape(z.shape[0], self.latent, 1, 1))


class DCGANDiscriminator(nn.Module):
    """``(N, C, 8, 8) -> (N,)`` logits: Conv(C→w, 4, s2, p1) 8→4, LeakyReLU, Conv(w→2w, 4, s2, p1) 4→2,
    LeakyReLU, flatten, Linear(8w → 1). No batch norm, so it also serves as a WGAN-GP critic."""

    def __init__(self, channels: int = 1, width: int = 32) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(8 * width, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).reshape(-1)


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """L_D = E softplus(-l_r) + E softplus(l_f) (binary cross-entropy: real → 1, fake → 0)."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits: Tensor, non_saturating: bool = True) -> Tensor:
    """Non-saturating E softplus(-l_f) (default) or the minimax -E softplus(l_f)."""
    return F.softplus(-fake_logits).mean() if non_saturating else -F.softplus(fake_logits).mean()


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    """E (‖∇_x̂ f(x̂)‖₂ - 1)² at random interpolates x̂ = ε x + (1 - ε) x̃ (one ε per example).

    ``create_graph=True`` keeps the gradient differentiable, so the penalty's backward
    reaches the critic's parameters (and ``fake``'s generator, if not detached).
    """
    if tuple(real.shape) != tuple(fake.shape):
        raise ValueError(f"gradient_penalty: real {tuple(real.shape)} and fake {tuple(fake.shape)} must have the same shape")
    eps = rand(real.shape[0], *([1] * (real.ndim - 1)), dtype=real.dtype)
    x_hat = (eps * real.detach() + (1.0 - eps) * fake.detach()).requires_grad_()
    (g,) = autograd_grad(critic(x_hat).sum(), [x_hat], create_graph=True)
    norms = (g.reshape(g.shape[0], -1).square().sum(1) + 1e-12).sqrt()
    return ((norms - 1.0) ** 2).mean()


def critic_loss(critic: nn.Module, real: Tensor, fake: Tensor, gp_weight: float = 10.0) -> Tensor:
    """WGAN-GP critic loss: E f(x̃) - E f(x) + λ · gradient_penalty."""
    return critic(fake).mean() - critic(real).mean() + gp_weight * gradient_penalty(critic, real, fake)


def wgan_generator_loss(fake_scores: Tensor) -> Tensor:
    """L_G = -E f(G(z))."""
    return -fake_scores.mean()
