"""What every sampler needs: the target's log-density (and its gradient), a step-size
adapter, and the result record.

The state of ``C`` chains in ``D`` dimensions is one array ``x`` of shape ``(C, D)``;
``log_prob`` maps a tensor of that shape to a tensor ``(C,)`` of unnormalized
log-densities. Gradients come from autodiff: ``∇ log p(x)`` is
``gs.autograd.grad(log_prob(x).sum(), x)`` (the chains do not interact, so the
gradient of the sum holds each chain's own gradient in its row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..autograd import grad as autograd_grad
from ..autograd.grad_mode import enable_grad, no_grad
from ..creation import from_numpy
from ..tensor import Tensor
from .diagnostics import effective_sample_size, split_rhat

LogProb = Callable[[Tensor], Tensor]


class Target:
    """Wraps a ``log_prob`` callable; counts evaluations; returns NumPy arrays."""

    def __init__(self, log_prob: LogProb, sampler: str) -> None:
        if not callable(log_prob):
            raise TypeError(f"{sampler}: log_prob must be callable, got {type(log_prob).__name__}")
        self.log_prob = log_prob
        self.sampler = sampler
        self.n_log_prob = 0
        self.n_grad = 0

    def _check(self, lp: Any, x: np.ndarray) -> np.ndarray:
        if not isinstance(lp, Tensor):
            raise TypeError(f"{self.sampler}: log_prob must return a Tensor, got {type(lp).__name__}")
        if tuple(lp.shape) != (x.shape[0],):
            raise ValueError(f"{self.sampler}: log_prob of a state of shape {x.shape} must have shape ({x.shape[0]},), got {tuple(lp.shape)}")
        return lp

    def value(self, x: np.ndarray) -> np.ndarray:
        """log p(x) for each chain: ``(C, D) -> (C,)``; NaN is mapped to -inf (a rejected proposal)."""
        self.n_log_prob += x.shape[0]
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # wild proposals are rejected
            lp = self._check(self.log_prob(from_numpy(x)), x).numpy().astype(np.float64)
        return np.where(np.isnan(lp), -np.inf, lp)

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log p(x), ∇ log p(x)): ``(C,)`` and ``(C, D)``."""
        self.n_log_prob += x.shape[0]
        self.n_grad += x.shape[0]
        with enable_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            xt = from_numpy(np.array(x)).requires_grad_()
            lp = self._check(self.log_prob(xt), x)
            (g,) = autograd_grad(lp.sum(), [xt])
        lp_np = lp.detach().numpy().astype(np.float64)
        g_np = g.numpy()
        bad = ~np.isfinite(lp_np) | ~np.all(np.isfinite(g_np), axis=1)
        return np.where(bad, -np.inf, lp_np), np.where(bad[:, None], 0.0, g_np).astype(x.dtype)


class DualAveraging:
    """Step-size adaptation to a target acceptance δ (Hoffman & Gelman 2014, Alg. 5).

    With α_t the acceptance probability at warm-up iteration t (mean over chains)::

        H̄_t     = (1 - 1/(t+t₀)) H̄_{t-1} + (δ - α_t) / (t+t₀)
        log ε_t = μ - √t / γ · H̄_t                 (μ = log(10 ε₀))
        log ε̄_t = t^{-κ} log ε_t + (1 - t^{-κ}) log ε̄_{t-1}

    ε_t is used during warm-up, the averaged ε̄ afterwards.
    """

    def __init__(self, step_size: float, target_accept: float, gamma: float = 0.05, t0: float = 10.0, kappa: float = 0.75) -> None:
        if not 0.0 < target_accept < 1.0:
            raise ValueError(f"DualAveraging: target_accept must be in (0, 1), got {target_accept}")
        self.mu = math.log(10.0 * step_size)
        self.target, self.gamma, self.t0, self.kappa = target_accept, gamma, t0, kappa
        self.t, self.h_bar, self.log_eps_bar = 0, 0.0, 0.0
        self.log_eps = math.log(step_size)

    def update(self, accept_prob: float) -> float:
        """Record one warm-up iteration's acceptance probability; return the next step size."""
        self.t += 1
        w = 1.0 / (self.t + self.t0)
        self.h_bar = (1.0 - w) * self.h_bar + w * (self.target - accept_prob)
        self.log_eps = self.mu - math.sqrt(self.t) / self.gamma * self.h_bar
        eta = self.t ** (-self.kappa)
        self.log_eps_bar = eta * self.log_eps + (1.0 - eta) * self.log_eps_bar
        return math.exp(self.log_eps)

    @property
    def final_step_size(self) -> float:
        return math.exp(self.log_eps_bar) if self.t > 0 else math.exp(self.log_eps)


@dataclass
class MCMCResult:
    """Samples and diagnostics of a run.

    ``samples``: Tensor ``(chains, draws, dim)`` (warm-up discarded);
    ``log_prob``: ``(chains, draws)``; ``acceptance_rate``: mean acceptance
    probability after warm-up (1.0 for unadjusted Langevin); ``ess`` and
    ``rhat``: per-dimension effective sample size and split R-hat;
    ``n_grad_evals`` / ``n_log_prob_evals``: per chain, warm-up included.
    """

    sampler: str
    samples: Tensor
    log_prob: np.ndarray
    acceptance_rate: float
    acceptance_per_chain: np.ndarray
    step_size: float
    n_grad_evals: int
    n_log_prob_evals: int
    wall_time_s: float
    ess: np.ndarray = field(init=False)
    rhat: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        draws = self.samples.numpy()
        self.ess = np.atleast_1d(effective_sample_size(draws))
        self.rhat = np.atleast_1d(split_rhat(draws)) if draws.shape[1] >= 4 else np.full(draws.shape[2], np.nan)

    def summary(self) -> dict[str, float]:
        """Scalars for tables and metrics.json (min ESS over dimensions, max R-hat)."""
        return {
            "acceptance_rate": float(self.acceptance_rate),
            "step_size": float(self.step_size),
            "min_ess": float(np.min(self.ess)),
            "max_rhat": float(np.max(self.rhat)),
            "n_grad_evals": int(self.n_grad_evals),
            "wall_time_s": float(self.wall_time_s),
        }


def initial_state(x0: Any, sampler: str) -> np.ndarray:
    """The starting points as a fresh ``(chains, dim)`` floating-point array."""
    a = np.array(x0.detach().numpy() if isinstance(x0, Tensor) else x0)
    if a.ndim != 2:
        raise ValueError(f"{sampler}: x0 must have shape (chains, dim), got {a.shape}")
    if a.dtype.kind != "f":
        a = a.astype(np.float32)
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{sampler}: x0 must have at least one chain and one dimension, got {a.shape}")
    return a


def check_run_args(sampler: str, n_samples: int, n_warmup: int, step_size: float) -> None:
    if int(n_samples) < 1 or int(n_warmup) < 0:
        raise ValueError(f"{sampler}: need n_samples >= 1 and n_warmup >= 0, got {n_samples} and {n_warmup}")
    if not (step_size > 0 and math.isfinite(step_size)):
        raise ValueError(f"{sampler}: step_size must be positive and finite, got {step_size}")
