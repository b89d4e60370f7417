"""Autoencoders: an encoder f and a decoder g trained so that g(f(x)) ≈ x.

Objectives (x: ``(N, D)`` or images ``(N, C, H, W)``; z = f(x): ``(N, K)``)::

    plain:      L = 1/N Σ_n ‖x_n - g(f(x_n))‖²
    denoising:  L = 1/N Σ_n ‖x_n - g(f(x̃_n))‖²,   x̃ = x + σ ε  (or x with pixels dropped)
    sparse L1:  L = plain + λ · 1/N Σ_n Σ_k |z_nk|
    sparse KL:  L = plain + β Σ_k KL(ρ ‖ ρ̂_k),  ρ̂_k = 1/N Σ_n z_nk ∈ (0, 1) (sigmoid codes),
                KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1-ρ) log((1-ρ)/(1-ρ̂))

A *linear* autoencoder (no nonlinearity) trained on centred data with the plain
loss spans the same subspace as the top-K principal components (Baldi & Hornik
1989): PCA is the optimal rank-K linear reconstruction, and any minimizer g∘f
is the projection onto that subspace (the weights themselves need not be orthogonal).
"""

from __future__ import annotations

from .. import nn
from ..creation import randn_like, rand_like
from ..tensor import Tensor

__all__ = [
    "Autoencoder", "DenseAutoencoder", "ConvAutoencoder", "reconstruction_loss", "corrupt",
    "l1_sparsity_penalty", "kl_sparsity_penalty",
]


def _mlp(sizes: list[int], activation: type[nn.Module], last_activation: nn.Module | None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    if last_activation is not None:
        layers.append(last_activation)
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """Any encoder/decoder pair: ``forward(x) -> (x_hat, z)``."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = self.encoder(x)
        return self.decoder(z), z


class DenseAutoencoder(Autoencoder):
    """MLP autoencoder ``D -> hidden... -> K -> ...hidden -> D``.

    ``linear=True`` drops every nonlinearity (and ``hidden``): the model PCA solves in closed form.
    ``code_activation``: e.g. ``nn.Sigmoid()`` for codes in (0, 1) (the KL sparsity penalty needs them),
    ``output_activation``: e.g. ``nn.Sigmoid()`` for pixels in [0, 1].
    """

    def __init__(self, in_features: int, latent: int, hidden: tuple[int, ...] = (128,), activation: type[nn.Module] = nn.ReLU,
                 linear: bool = False, code_activation: nn.Module | None = None, output_activation: nn.Module | None = None) -> None:
        hidden = () if linear else tuple(hidden)
        act = nn.Identity if linear else activation
        encoder = _mlp([in_features, *hidden, latent], act, code_activation)
        decoder = _mlp([latent, *reversed(hidden), in_features], act, output_activation)
        super().__init__(encoder, decoder)
        self.in_features, self.latent = in_features, latent


class ConvAutoencoder(Autoencoder):
    """Convolutional autoencoder for ``(N, C, 8, 8)`` images (the digits)::

        encoder: Conv(C→c1, 3, s2, p1) 8→4, ReLU, Conv(c1→c2, 3, s2, p1) 4→2, ReLU, flatten, Linear(4 c2 → K)
        decoder: Linear(K → 4 c2), ReLU, ConvTranspose(c2→c1, 4, s2, p1) 2→4, ReLU, ConvTranspose(c1→C, 4, s2, p1) 4→8
    """

    def __init__(self, channels: int = 1, latent: int = 16, widths: tuple[int, int] = (16, 32), output_activation: nn.Module | None = None) -> None:
        c1, c2 = widths
        encoder = nn.Sequential(
            nn.Conv2d(channels, c1, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(4 * c2, latent),
        )
        tail: list[nn.Module] = [output_activation] if output_activation is not None else []
        decoder = nn.Sequential(
            nn.Linear(latent, 4 * c2), nn.ReLU(), nn.Unflatten(1, (c2, 2, 2)),
            nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(c1, channels, 4, stride=2, padding=1), *tail,
        )
        super().__init__(encoder, decoder)


def reconstruction_loss(x_hat: Tensor, x: Tensor) -> Tensor:
    """1/N Σ_n ‖x_n - x̂_n‖² (squared error summed over features, averaged over the batch)."""
    if tuple(x_hat.shape) != tuple(x.shape):
        raise ValueError(f"reconstruction_loss: x_hat {tuple(x_hat.shape)} and x {tuple(x.shape)} must have the same shape")
    diff = x_hat - x
    return (diff * diff).sum() / max(x.shape[0], 1)


def corrupt(x: Tensor, noise_std: float = 0.0, drop_prob: float = 0.0) -> Tensor:
    """The denoising autoencoder's input x̃: Gaussian noise ``x + σ ε`` and/or masking noise
    (each feature set to 0 with probability ``drop_prob``). Not differentiable on purpose."""
    if noise_std < 0 or not 0.0 <= drop_prob < 1.0:
        raise ValueError(f"corrupt: need noise_std >= 0 and 0 <= drop_prob < 1, got {noise_std} and {drop_prob}")
    out = x.detach()
    if noise_std > 0:
        out = out + noise_std * randn_like(out)
    if drop_prob > 0:
        out = out * (rand_like(out) >= drop_prob).to(out.dtype)
    return out


def l1_sparsity_penalty(z: Tensor) -> Tensor:
    """1/N Σ_n Σ_k |z_nk| (multiply by λ): pushes most code entries to exactly 0."""
    return z.abs().sum() / max(z.shape[0], 1)


def kl_sparsity_penalty(z: Tensor, rho: float = 0.05, eps: float = 1e-6) -> Tensor:
    """Σ_k KL(ρ ‖ ρ̂_k) with ρ̂_k the mean activation of unit k over the batch (codes in (0, 1)):
    each unit is active on about a fraction ρ of the inputs."""
    if not 0.0 < rho < 1.0:
        raise ValueError(f"kl_sparsity_penalty: rho must be in (0, 1), got {rho}")
    rho_hat = z.mean(0).clamp(eps, 1.0 - eps)
    return (rho * (rho / rho_hat).log() + (1.0 - rho) * ((1.0 - rho) / (1.0 - rho_hat)).log()).sum()
