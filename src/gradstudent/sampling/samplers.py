"""Four MCMC samplers for an unnormalized density p(x) ∝ exp(log_prob(x)).

Each runs ``C`` independent chains at once (the state is ``(C, D)``), discards
``n_warmup`` iterations (during which the step size is adapted to a target
acceptance by dual averaging, when ``adapt``), and returns an
:class:`~gradstudent.sampling.target.MCMCResult`. Notation: ``h`` the step size,
``ξ ~ N(0, I)``, ``g(x) = ∇ log p(x)``.

- **Random-walk Metropolis–Hastings**: ``x' = x + h ξ``, accept with probability
  ``min(1, p(x') / p(x))`` (the proposal is symmetric).
- **Unadjusted Langevin (ULA)**: ``x' = x + h g(x) + √(2h) ξ``, always accepted:
  the Euler–Maruyama discretization of the Langevin diffusion ``dx = ∇log p dt + √2 dW``.
  Biased by O(h): for a Gaussian with precision Λ it samples N(0, (Λ - hΛ²/2)⁻¹).
- **MALA**: the same proposal, corrected by Metropolis–Hastings with
  ``q(x'|x) = N(x'; x + h g(x), 2h I)``:
  ``α = min(1, p(x') q(x|x') / (p(x) q(x'|x)))``.
- **HMC**: momentum ``p ~ N(0, I)``, Hamiltonian ``H(x, p) = -log p(x) + |p|²/2``,
  ``L`` leapfrog steps of size h::

      p ← p + h/2 g(x);  (x ← x + h p;  p ← p + h g(x)) × L, the last momentum step halved

  and accept with probability ``min(1, exp(H(x, p) - H(x', p')))``.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import numpy as np

from ..creation import from_numpy
from ..random import Generator, default_generator
from .target import DualAveraging, LogProb, MCMCResult, Target, check_run_args, initial_state

__all__ = ["metropolis_hastings", "langevin", "mala", "hmc"]

# A transition maps (x, log p(x), g(x), h) to (x', log p(x'), g(x'), acceptance probability per chain).
State = tuple[np.ndarray, np.ndarray, np.ndarray | None]
Transition = Callable[[np.ndarray, np.ndarray, Any, float], tuple[np.ndarray, np.ndarray, Any, np.ndarray]]


def _accept(gen: Generator, log_alpha: np.ndarray, new: tuple[np.ndarray, ...], old: tuple[np.ndarray, ...]) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Metropolis–Hastings accept/reject, chain by chain. NaN log α counts as rejection."""
    log_alpha = np.where(np.isnan(log_alpha), -np.inf, log_alpha)
    take = np.log(gen.random(log_alpha.shape, np.float64)) < log_alpha
    merged = tuple(np.where(take.reshape((-1,) + (1,) * (a.ndim - 1)), a, b) for a, b in zip(new, old))
    return merged, np.exp(np.minimum(log_alpha, 0.0))


def _drive(name: str, target: Target, x: np.ndarray, transition: Transition, needs_grad: bool, n_samples: int, n_warmup: int,
           step_size: float, adapt: bool, target_accept: float) -> MCMCResult:
    """The loop shared by all samplers: warm-up with adaptation, then recording."""
    start = time.perf_counter()
    lp, g = target.value_and_grad(x) if needs_grad else (target.value(x), None)
    if not np.all(np.isfinite(lp)):
        raise ValueError(f"{name}: log_prob is not finite at the starting points of chains {np.nonzero(~np.isfinite(lp))[0].tolist()}")
    adapter = DualAveraging(step_size, target_accept) if adapt and n_warmup > 0 else None
    h = step_size
    samples = np.empty((x.shape[0], n_samples, x.shape[1]), dtype=x.dtype)
    lps = np.empty((x.shape[0], n_samples))
    accept_sum = np.zeros(x.shape[0])
    for it in range(n_warmup + n_samples):
        x, lp, g, alpha = transition(x, lp, g, h)
        if it < n_warmup:
            if adapter is not None:
                h = adapter.update(float(alpha.mean()))
                if it == n_warmup - 1:
                    h = adapter.final_step_size
            continue
        i = it - n_warmup
        samples[:, i], lps[:, i] = x, lp
        accept_sum += alpha
    acc = accept_sum / n_samples
    return MCMCResult(name, from_numpy(samples), lps, float(acc.mean()), acc, float(h),
                      target.n_grad // x.shape[0], target.n_log_prob // x.shape[0], time.perf_counter() - start)


def metropolis_hastings(log_prob: LogProb, x0: Any, n_samples: int, n_warmup: int = 500, step_size: float = 0.5,
                        adapt: bool = True, target_accept: float = 0.3, generator: Generator | None = None) -> MCMCResult:
    """Random-walk Metropolis–Hastings with Gaussian proposals ``x' = x + h ξ`` (no gradients).

    ``x0``: ``(chains, dim)`` starting points. Default target acceptance 0.3
    (≈ 0.234 is optimal in high dimension, ≈ 0.44 in one).
    """
    check_run_args("metropolis_hastings", n_samples, n_warmup, step_size)
    gen, target, x = generator or default_generator(), Target(log_prob, "metropolis_hastings"), initial_state(x0, "metropolis_hastings")

    def transition(x: np.ndarray, lp: np.ndarray, g: Any, h: float) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray]:
        proposal = x + h * gen.normal(0.0, 1.0, x.shape, x.dtype)
        lp_new = target.value(proposal)
        (x, lp), alpha = _accept(gen, lp_new - lp, (proposal, lp_new), (x, lp))
        return x, lp, None, alpha

    return _drive("metropolis_hastings", target, x, transition, False, n_samples, n_warmup, step_size, adapt, target_accept)


def langevin(log_prob: LogProb, x0: Any, n_samples: int, n_warmup: int = 500, step_size: float = 0.01,
             generator: Generator | None = None) -> MCMCResult:
    """Unadjusted Langevin algorithm ``x' = x + h ∇log p(x) + √(2h) ξ`` (no accept/reject, so
    no step-size adaptation: the bias is O(h), choose h small)."""
    check_run_args("langevin", n_samples, n_warmup, step_size)
    gen, target, x = generator or default_generator(), Target(log_prob, "langevin"), initial_state(x0, "langevin")

    def transition(x: np.ndarray, lp: np.ndarray, g: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray]:
        x = x + h * g + math.sqrt(2.0 * h) * gen.normal(0.0, 1.0, x.shape, x.dtype)
        lp, g = target.value_and_grad(x)
        return x, lp, g, np.ones(x.shape[0])

    return _drive("langevin", target, x, transition, True, n_samples, n_warmup, step_size, False, 0.5)


def mala(log_prob: LogProb, x0: Any, n_samples: int, n_warmup: int = 500, step_size: float = 0.1,
         adapt: bool = True, target_accept: float = 0.574, generator: Generator | None = None) -> MCMCResult:
    """Metropolis-adjusted Langevin: the ULA proposal plus an accept/reject step (target
    acceptance 0.574, the optimal scaling of Roberts & Rosenthal 1998)."""
    check_run_args("mala", n_samples, n_warmup, step_size)
    gen, target, x = generator or default_generator(), Target(log_prob, "mala"), initial_state(x0, "mala")

    def log_q(to: np.ndarray, frm: np.ndarray, g_frm: np.ndarray, h: float) -> np.ndarray:
        """log q(to | frm) up to a constant: -|to - frm - h g(frm)|² / (4h)."""
        return -((to - frm - h * g_frm) ** 2).sum(axis=1) / (4.0 * h)

    def transition(x: np.ndarray, lp: np.ndarray, g: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray]:
        proposal = x + h * g + math.sqrt(2.0 * h) * gen.normal(0.0, 1.0, x.shape, x.dtype)
        lp_new, g_new = target.value_and_grad(proposal)
        log_alpha = lp_new - lp + log_q(x, proposal, g_new, h) - log_q(proposal, x, g, h)
        (x, lp, g), alpha = _accept(gen, log_alpha, (proposal, lp_new, g_new), (x, lp, g))
        return x, lp, g, alpha

    return _drive("mala", target, x, transition, True, n_samples, n_warmup, step_size, adapt, target_accept)


def leapfrog(target: Target, x: np.ndarray, p: np.ndarray, g: np.ndarray, h: float, n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n_steps`` leapfrog steps of size h: returns (x', p', log p(x'), g(x')). Volume-preserving and
    time-reversible, so HMC's acceptance needs only the change in H."""
    lp = None
    p = p + 0.5 * h * g  # half step in momentum
    for k in range(n_steps):
        x = x + h * p  # full step in position
        lp, g = target.value_and_grad(x)
        p = p + (h if k < n_steps - 1 else 0.5 * h) * g  # full momentum steps, the last one halved
    return x, p, lp, g


def hmc(log_prob: LogProb, x0: Any, n_samples: int, n_warmup: int = 500, step_size: float = 0.1, n_leapfrog: int = 10,
        adapt: bool = True, target_accept: float = 0.8, generator: Generator | None = None) -> MCMCResult:
    """Hamiltonian Monte Carlo with ``n_leapfrog`` leapfrog steps and an identity mass matrix;
    the step size is adapted during warm-up to ``target_accept`` by dual averaging."""
    check_run_args("hmc", n_samples, n_warmup, step_size)
    if int(n_leapfrog) < 1:
        raise ValueError(f"hmc: n_leapfrog must be >= 1, got {n_leapfrog}")
    gen, target, x = generator or default_generator(), Target(log_prob, "hmc"), initial_state(x0, "hmc")

    def transition(x: np.ndarray, lp: np.ndarray, g: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray]:
        p = gen.normal(0.0, 1.0, x.shape, x.dtype)
        x_new, p_new, lp_new, g_new = leapfrog(target, x, p, g, h, int(n_leapfrog))
        h_old = -lp + 0.5 * (p.astype(np.float64) ** 2).sum(axis=1)
        with np.errstate(invalid="ignore", over="ignore"):
            h_new = -lp_new + 0.5 * (p_new.astype(np.float64) ** 2).sum(axis=1)
        (x, lp, g), alpha = _accept(gen, h_old - h_new, (x_new, lp_new, g_new), (x, lp, g))
        return x, lp, g, alpha

    return _drive("hmc", target, x, transition, True, n_samples, n_warmup, step_size, adapt, target_accept)
