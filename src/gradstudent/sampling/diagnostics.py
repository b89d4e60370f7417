"""MCMC diagnostics: autocorrelation, effective sample size and split R-hat.

Conventions: draws are an array of shape ``(chains, draws)`` for one scalar
quantity, or ``(chains, draws, dim)`` for a vector (one value per dimension is
returned). Tensors are accepted and converted to NumPy (these are statistics
of finished chains, nothing to differentiate).

Effective sample size (Geyer 1992; Gelman et al., BDA3 §11.5; Vehtari et al. 2021)::

    ρ_t   = 1 - (W - mean_c γ_c(t)) / var⁺          (combined autocorrelation at lag t)
    var⁺  = (n-1)/n · W + B/n                        (W: mean within-chain variance,
                                                      B/n: variance of the chain means)
    P_k   = ρ_{2k} + ρ_{2k+1}                        (Geyer's pairs: positive for a reversible chain)
    τ     = -1 + 2 Σ_{k<K} P_k                       (K: first negative pair; P made non-increasing)
    ESS   = m n / τ

For one AR(1) chain ``x_t = φ x_{t-1} + ε_t`` the exact integrated time is
``τ = (1 + φ) / (1 - φ)``, which the tests use.

Split R-hat (Gelman & Rubin 1992, BDA3): cut every chain in half, so ``2m``
chains of ``n/2`` draws, and compare the between- and within-chain variances::

    R̂ = sqrt(var⁺ / W)        (→ 1 as the chains mix; > 1.01 is a warning)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["autocovariance", "autocorrelation", "effective_sample_size", "split_rhat"]


def _as_draws(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """(chains, draws, dim) float64 array and whether the input was scalar per draw."""
    a = np.asarray(x.detach().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if a.ndim == 2:
        return a[:, :, None], True
    if a.ndim == 3:
        return a, False
    raise ValueError(f"{name}: expected draws of shape (chains, draws) or (chains, draws, dim), got {a.shape}")


def autocovariance(x: np.ndarray) -> np.ndarray:
    """Biased autocovariance of each series along axis 1, by FFT.

    ``γ(t) = (1/n) Σ_{s<n-t} (x_s - x̄)(x_{s+t} - x̄)`` for ``t = 0..n-1``.
    Input ``(chains, n, ...)``, output the same shape.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))  # zero-pad to >= 2n: no circular wrap-around
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    return np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n


def autocorrelation(x: Any) -> np.ndarray:
    """ρ(t) = γ(t) / γ(0) of each chain: input ``(chains, n)``, output ``(chains, n)``."""
    draws, _ = _as_draws(x, "autocorrelation")
    acov = autocovariance(draws)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return acov / acov[:, :1]


def _ess_one(x: np.ndarray) -> float:
    """ESS of one scalar quantity, ``x`` of shape (chains, n)."""
    m, n = x.shape
    if n < 4:
        return float("nan")
    acov = autocovariance(x)  # (m, n)
    chain_var = acov[:, 0] * n / (n - 1)
    within = chain_var.mean()
    var_plus = within * (n - 1) / n + (x.mean(axis=1).var(ddof=1) if m > 1 else 0.0)
    if not np.isfinite(var_plus) or var_plus <= 0:
        return float("nan")  # a constant chain: nothing to estimate
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    pairs = rho[: 2 * (n // 2)].reshape(-1, 2).sum(axis=1)  # P_k = ρ_2k + ρ_2k+1
    negative = np.nonzero(pairs < 0)[0]
    pairs = pairs[: negative[0]] if negative.size else pairs  # initial positive sequence
    pairs = np.minimum.accumulate(pairs)  # initial monotone sequence
    tau = -1.0 + 2.0 * pairs.sum()
    tau = max(tau, 1.0 / np.log10(m * n))  # antithetic chains: cap ESS at n log10(n), as Stan does
    return float(m * n / tau)


def effective_sample_size(x: Any) -> np.ndarray | float:
    """Multi-chain effective sample size of each dimension (see the module docstring).

    ``x``: ``(chains, draws)`` -> a float; ``(chains, draws, dim)`` -> an array ``(dim,)``.
    """
    draws, scalar = _as_draws(x, "effective_sample_size")
    ess = np.array([_ess_one(draws[:, :, d]) for d in range(draws.shape[2])])
    return float(ess[0]) if scalar else ess


def split_rhat(x: Any) -> np.ndarray | float:
    """Split R-hat of each dimension (see the module docstring).

    ``x``: ``(chains, draws)`` -> a float; ``(chains, draws, dim)`` -> an array ``(dim,)``.
    Needs at least 4 draws per chain.
    """
    draws, scalar = _as_draws(x, "split_rhat")
    m, n, _ = draws.shape
    if n < 4:
        raise ValueError(f"split_rhat: needs at least 4 draws per chain, got {n}")
    half = n // 2
    split = np.concatenate([draws[:, :half], draws[:, n - half :]], axis=0)  # (2m, half, dim)
    within = split.var(axis=1, ddof=1).mean(axis=0)
    between_over_n = split.mean(axis=1).var(axis=0, ddof=1)  # B / n
    var_plus = within * (half - 1) / half + between_over_n
    with np.errstate(invalid="ignore", divide="ignore"):
        rhat = np.sqrt(var_plus / within)
    return float(rhat[0]) if scalar else rhat
