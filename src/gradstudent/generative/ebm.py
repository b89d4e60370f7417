"""Energy-based models: p_θ(x) = exp(-E_θ(x)) / Z_θ with a neural energy E_θ.

The log-likelihood gradient needs samples from the model itself::

    ∇_θ log p_θ(x) = -∇_θ E_θ(x) + E_{x'~p_θ}[∇_θ E_θ(x')]

so training minimizes the contrastive-divergence loss (x⁺ data, x⁻ model samples, detached)::

    L = 1/N Σ E_θ(x⁺_n) - 1/N Σ E_θ(x⁻_n) + α · 1/N Σ (E_θ(x⁺_n)² + E_θ(x⁻_n)²)

(the α term keeps energies bounded, Du & Mordatch 2019). x⁻ comes from k steps of
Langevin dynamics on the energy, x ← x - h ∇_x E(x) + √(2h) σ ε, started

- at the data (contrastive divergence, CD-k, Hinton 2002), or
- from persistent chains kept between updates (PCD, Tieleman 2008), a buffer of
  which a fraction is re-initialized from noise at each step.

σ < 1 (``noise_scale``) is the usual practical shortcut: a colder, sharper sampler.
"""

from __future__ import annotations

import math

from .. import nn
from ..autograd import grad as autograd_grad
from ..autograd.grad_mode import enable_grad
from ..creation import rand, randint, randn_like
from ..tensor import Tensor

__all__ = ["EnergyMLP", "langevin_dynamics", "contrastive_divergence_loss", "PersistentChains"]


class EnergyMLP(nn.Module):
    """E_θ: ``(N, D) -> (N,)``, an MLP with SiLU activations (smooth, so ∇_x E is too)."""

    def __init__(self, in_features: int, hidden: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        sizes = [in_features, *hidden, 1]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(a, b)] + ([nn.SiLU()] if i < len(sizes) - 2 else [])
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).reshape(-1)


def langevin_dynamics(energy: nn.Module, x: Tensor, steps: int, step_size: float, noise_scale: float = 1.0,
                      clamp: tuple[float, float] | None = None) -> Tensor:
    """``steps`` Langevin updates x ← x - h ∇E(x) + √(2h) σ ε; returns the final x (detached).

    The energy's parameters get no gradient from this (only ∇_x is taken).
    """
    if steps < 0 or step_size <= 0:
        raise ValueError(f"langevin_dynamics: need steps >= 0 and step_size > 0, got {steps} and {step_size}")
    x = x.detach()
    noise = math.sqrt(2.0 * step_size) * noise_scale
    for _ in range(steps):
        with enable_grad():
            xg = x.requires_grad_() if x.is_leaf else x.detach().requires_grad_()
            (g,) = autograd_grad(energy(xg).sum(), [xg])
        x = (xg.detach() - step_size * g + noise * randn_like(g)).detach()
        if clamp is not None:
            x = x.clamp(*clamp)
    return x


def contrastive_divergence_loss(energy: nn.Module, data: Tensor, samples: Tensor, alpha: float = 0.1) -> Tensor:
    """E(x⁺) - E(x⁻) averaged, plus α (E(x⁺)² + E(x⁻)²): see the module docstring."""
    if data.shape[1:] != samples.shape[1:]:
        raise ValueError(f"contrastive_divergence_loss: data {tuple(data.shape)} and samples {tuple(samples.shape)} differ in shape")
    e_pos, e_neg = energy(data), energy(samples.detach())
    return e_pos.mean() - e_neg.mean() + alpha * ((e_pos**2).mean() + (e_neg**2).mean())


class PersistentChains:
    """A buffer of persistent Langevin chains (PCD with a replay buffer).

    ``sample(energy, n)`` draws n chains from the buffer (a fraction ``reinit`` of them
    restarted from uniform noise on ``[low, high]^D``), runs ``steps`` Langevin updates,
    writes them back and returns them.
    """

    def __init__(self, size: int, features: int, low: float = -4.0, high: float = 4.0, reinit: float = 0.05) -> None:
        if size < 1 or features < 1 or not 0.0 <= reinit <= 1.0:
            raise ValueError(f"PersistentChains: need size, features >= 1 and 0 <= reinit <= 1, got {size}, {features}, {reinit}")
        self.low, self.high, self.reinit = low, high, reinit
        self.buffer = self._noise(size, features)

    def _noise(self, n: int, d: int) -> Tensor:
        return self.low + (self.high - self.low) * rand(n, d)

    def sample(self, energy: nn.Module, n: int, steps: int = 20, step_size: float = 0.01, noise_scale: float = 1.0) -> Tensor:
        idx = randint(0, self.buffer.shape[0], (n,))
        start = self.buffer[idx]
        fresh = (rand(n, 1) < self.reinit).to(start.dtype)
        start = fresh * self._noise(n, start.shape[1]) + (1.0 - fresh) * start
        x = langevin_dynamics(energy, start, steps, step_size, noise_scale, clamp=(self.low, self.high))
        buf = self.buffer.numpy().copy()
        buf[idx.numpy()] = x.numpy()  # duplicates in idx: the last write wins, as in any replay buffer
        from ..creation import from_numpy

        self.buffer = from_numpy(buf)
        return x

    def state_dict(self) -> dict[str, Tensor]:
        return {"buffer": self.buffer}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.buffer = state["buffer"]
