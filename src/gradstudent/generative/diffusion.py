"""Diffusion models: DDPM (Ho et al. 2020) with ancestral and DDIM sampling, and the continuous-time
VP-SDE score model (Song et al. 2021) with reverse-SDE and probability-flow-ODE samplers.

DDPM. A fixed forward chain adds noise in T steps with variances β_1 … β_T; with α_t = 1 - β_t and
ᾱ_t = Π_{s≤t} α_s it has the closed form q(x_t | x_0) = N(√ᾱ_t x_0, (1 - ᾱ_t) I). A network ε_θ(x_t, t)
predicts the noise, trained with the simplified objective

    L(θ) = E_{t ~ U{1..T}, x_0, ε ~ N(0, I)} ‖ε - ε_θ(√ᾱ_t x_0 + √(1 - ᾱ_t) ε, t)‖²

Ancestral sampling runs the learned reverse chain from x_T ~ N(0, I):

    x_{t-1} = (x_t - β_t/√(1 - ᾱ_t) ε_θ(x_t, t)) / √α_t + σ_t z,   σ_t² = β̃_t = β_t (1 - ᾱ_{t-1})/(1 - ᾱ_t)

(T network evaluations). DDIM (Song, Meng & Ermon 2021) reuses the same network on a subsequence
τ_1 < … < τ_S of the steps: x̂_0 = (x_τ - √(1 - ᾱ_τ) ε_θ)/√ᾱ_τ, then
x_{τ'} = √ᾱ_{τ'} x̂_0 + √(1 - ᾱ_{τ'} - σ²) ε_θ + σ z with σ = η √((1-ᾱ_{τ'})/(1-ᾱ_τ)) √(1 - ᾱ_τ/ᾱ_{τ'})
(η = 0: deterministic, S evaluations).

VP-SDE. dx = -½ β(t) x dt + √β(t) dw on t ∈ [0, 1], β(t) = β_min + t (β_max - β_min). Its marginal is
q(x_t | x_0) = N(m_t x_0, s_t² I) with m_t = exp(-¼ t² (β_max - β_min) - ½ t β_min), s_t² = 1 - m_t².
The score is parametrized by a noise predictor, ∇ log p_t(x) ≈ -ε_θ(x, t)/s_t, trained by denoising score
matching weighted by s_t² (which is again ‖ε - ε_θ(m_t x_0 + s_t ε, t)‖², t ~ U(t_ε, 1)). Samplers:

    reverse SDE (Euler–Maruyama, t from 1 to t_ε):  dx = [-½β x - β ∇log p_t(x)] dt + √β dw̄
    probability-flow ODE (same marginals, deterministic):  dx/dt = -½β(t) [x + ∇log p_t(x)]

the ODE solved with ``gradstudent.integrate.odeint`` (Euler, RK4 or adaptive Dormand–Prince).
Shapes: x (N, D); the network is ``model(x, t)`` with t (N,) in [0, 1] (DDPM passes t/T).
"""

from __future__ import annotations

import math

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import full, rand, randint, randn, randn_like, tensor
from ..integrate import odeint
from ..tensor import Tensor
from .time_mlp import TimeMLP

__all__ = ["DDPM", "VPSDE", "linear_beta_schedule", "cosine_beta_schedule"]


def linear_beta_schedule(T: int, beta_1: float = 1e-4, beta_T: float = 0.02) -> np.ndarray:
    """β_t linear from beta_1 to beta_T (Ho et al., for T = 1000), float64 (T,).

    Both ends are scaled by 1000/T (as in Nichol & Dhariwal's code) so that ᾱ_T ≈ e^{-10} ≈ 0 for any T:
    the chain must end at N(0, I), where sampling starts.
    """
    scale = 1000.0 / T
    return np.linspace(beta_1 * scale, min(beta_T * scale, 0.999), T)


def cosine_beta_schedule(T: int, s: float = 0.008) -> np.ndarray:
    """ᾱ_t = cos²(π/2 (t/T + s)/(1 + s)) normalized (Nichol & Dhariwal); β_t = 1 - ᾱ_t/ᾱ_{t-1}, clipped at 0.999."""
    f = np.cos(0.5 * np.pi * (np.arange(T + 1) / T + s) / (1 + s)) ** 2
    return np.clip(1.0 - f[1:] / f[:-1], 0.0, 0.999)


class DDPM(nn.Module):
    """Denoising diffusion with T discrete steps around a noise predictor ``model(x, t/T) -> (N, D)``."""

    def __init__(self, model: nn.Module, features: int, T: int = 1000, schedule: str = "linear") -> None:
        super().__init__()
        if T < 1:
            raise ValueError(f"DDPM: T must be >= 1, got {T}")
        betas = {"linear": linear_beta_schedule, "cosine": cosine_beta_schedule}.get(schedule)
        if betas is None:
            raise ValueError(f"DDPM: schedule must be 'linear' or 'cosine', got {schedule!r}")
        self.model, self.features, self.T = model, int(features), int(T)
        self.betas = betas(T)                                  # float64 (T,), index t-1 for step t
        self.alphas = 1.0 - self.betas
        self.alpha_bars = np.cumprod(self.alphas)

    @classmethod
    def mlp(cls, features: int, hidden: tuple[int, ...] = (128, 128, 128), T: int = 1000, schedule: str = "linear") -> "DDPM":
        return cls(TimeMLP(features, hidden), features, T, schedule)

    def _dtype(self) -> object:
        return next(iter(self.parameters())).dtype

    def _eps(self, x: Tensor, step: int | Tensor) -> Tensor:
        t = full((x.shape[0],), step / self.T, dtype=x.dtype) if isinstance(step, int) else step.to(x.dtype) * (1.0 / self.T)
        return self.model(x, t)

    def loss(self, x0: Tensor) -> Tensor:
        """Simplified DDPM loss on a batch x₀ (N, D): mean of ‖ε - ε_θ(x_t, t)‖² over the batch."""
        if x0.ndim != 2 or x0.shape[1] != self.features:
            raise ValueError(f"DDPM.loss: expected data of shape (N, {self.features}), got {tuple(x0.shape)}")
        n = x0.shape[0]
        step = randint(1, self.T + 1, (n,))                                   # t ∈ {1, …, T}
        ab = tensor(self.alpha_bars, dtype=x0.dtype).index_select(0, step - 1).reshape(n, 1)
        eps = randn_like(x0)
        xt = x0 * ab.sqrt() + eps * (1.0 - ab).sqrt()
        return (eps - self._eps(xt, step)).square().sum(1).mean()

    def sample(self, n: int) -> tuple[Tensor, int]:
        """Ancestral sampling, T network evaluations; returns (samples (n, D), evaluations)."""
        with no_grad():
            x = randn(n, self.features, dtype=self._dtype())
            for t in range(self.T, 0, -1):
                b, a, ab = self.betas[t - 1], self.alphas[t - 1], self.alpha_bars[t - 1]
                mean = (x - self._eps(x, t) * (b / math.sqrt(1.0 - ab))) * (1.0 / math.sqrt(a))
                if t > 1:
                    var = b * (1.0 - self.alpha_bars[t - 2]) / (1.0 - ab)
                    x = mean + randn_like(x) * math.sqrt(var)
                else:
                    x = mean
        return x, self.T

    def ddim_sample(self, n: int, steps: int = 50, eta: float = 0.0) -> tuple[Tensor, int]:
        """DDIM on ``steps`` evenly spaced steps (η = 0 deterministic); returns (samples, evaluations)."""
        if not 1 <= steps <= self.T:
            raise ValueError(f"DDPM.ddim_sample: steps must be in [1, T={self.T}], got {steps}")
        taus = np.unique(np.round(np.linspace(1, self.T, steps)).astype(int))[::-1]
        with no_grad():
            x = randn(n, self.features, dtype=self._dtype())
            for i, t in enumerate(taus):
                ab = self.alpha_bars[t - 1]
                ab_prev = self.alpha_bars[taus[i + 1] - 1] if i + 1 < len(taus) else 1.0
                eps = self._eps(x, int(t))
                x0 = (x - eps * math.sqrt(1.0 - ab)) * (1.0 / math.sqrt(ab))
                sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)) if ab_prev < 1.0 else 0.0
                x = x0 * math.sqrt(ab_prev) + eps * math.sqrt(max(1.0 - ab_prev - sigma**2, 0.0))
                if sigma > 0:
                    x = x + randn_like(x) * sigma
        return x, len(taus)


class VPSDE(nn.Module):
    """Variance-preserving SDE score model around a noise predictor ``model(x, t) -> (N, D)``, t ∈ [0, 1]."""

    def __init__(self, model: nn.Module, features: int, beta_min: float = 0.1, beta_max: float = 20.0, t_eps: float = 1e-3) -> None:
        super().__init__()
        if not 0 < beta_min < beta_max:
            raise ValueError(f"VPSDE: need 0 < beta_min < beta_max, got {beta_min}, {beta_max}")
        self.model, self.features = model, int(features)
        self.beta_min, self.beta_max, self.t_eps = float(beta_min), float(beta_max), float(t_eps)

    @classmethod
    def mlp(cls, features: int, hidden: tuple[int, ...] = (128, 128, 128), **kw: float) -> "VPSDE":
        return cls(TimeMLP(features, hidden), features, **kw)

    def beta(self, t: float) -> float:
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def marginal(self, t: Tensor) -> tuple[Tensor, Tensor]:
        """(m_t, s_t) of q(x_t | x_0) = N(m_t x_0, s_t² I)."""
        log_m = t.square() * (-0.25 * (self.beta_max - self.beta_min)) - t * (0.5 * self.beta_min)
        m = log_m.exp()
        return m, (1.0 - (log_m * 2.0).exp()).clamp(min=1e-12).sqrt()

    def score(self, x: Tensor, t: Tensor) -> Tensor:
        """∇ log p_t(x) ≈ -ε_θ(x, t) / s_t; t (N,)."""
        _, s = self.marginal(t)
        return self.model(x, t) * (-1.0 / s).reshape(-1, 1)

    def loss(self, x0: Tensor) -> Tensor:
        """Denoising score matching, weight s_t²: mean of ‖ε - ε_θ(m_t x₀ + s_t ε, t)‖², t ~ U(t_ε, 1)."""
        if x0.ndim != 2 or x0.shape[1] != self.features:
            raise ValueError(f"VPSDE.loss: expected data of shape (N, {self.features}), got {tuple(x0.shape)}")
        n = x0.shape[0]
        t = rand(n, dtype=x0.dtype) * (1.0 - self.t_eps) + self.t_eps
        m, s = self.marginal(t)
        eps = randn_like(x0)
        xt = x0 * m.reshape(n, 1) + eps * s.reshape(n, 1)
        return (eps - self.model(xt, t)).square().sum(1).mean()

    def sample_sde(self, n: int, steps: int = 500) -> tuple[Tensor, int]:
        """Euler–Maruyama on the reverse SDE from t = 1 to t_ε in ``steps`` steps; (samples, evaluations)."""
        dt = (1.0 - self.t_eps) / steps
        with no_grad():
            x = randn(n, self.features, dtype=next(iter(self.parameters())).dtype)
            for i in range(steps):
                t = 1.0 - i * dt
                b = self.beta(t)
                sc = self.score(x, full((n,), t, dtype=x.dtype))
                x = x + (x * (0.5 * b) + sc * b) * dt + randn_like(x) * math.sqrt(b * dt)   # dt > 0 going backwards
            # last denoising step: the posterior mean E[x_0 | x_t] by Tweedie's formula at t_ε
            m, s = self.marginal(full((n,), self.t_eps, dtype=x.dtype))
            x = (x + self.score(x, full((n,), self.t_eps, dtype=x.dtype)) * (s * s).reshape(-1, 1)) * (1.0 / m).reshape(-1, 1)
        return x, steps + 1

    def sample_ode(self, n: int, method: str = "dopri5", steps: int = 100, rtol: float = 1e-4, atol: float = 1e-4) -> tuple[Tensor, int]:
        """Probability-flow ODE dx/dt = -½β(t)(x + score) from t = 1 to t_ε; (samples, evaluations)."""
        counter = {"nfe": 0}

        def f(t: Tensor, x: Tensor) -> Tensor:
            counter["nfe"] += 1
            tt = t.reshape(1).expand(x.shape[0])
            return (x + self.score(x, tt)) * (-0.5 * self.beta(t.item()))

        with no_grad():
            x = randn(n, self.features, dtype=next(iter(self.parameters())).dtype)
            xs = odeint(f, x, [1.0, self.t_eps], method=method, step_size=(1.0 - self.t_eps) / steps, rtol=rtol, atol=atol)
        return xs[-1], counter["nfe"]
