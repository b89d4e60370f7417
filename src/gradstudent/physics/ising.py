"""The 2-D Ising model: Monte Carlo (checkerboard Metropolis, Wolff clusters) and exact results.

Spins s_i = ±1 on an L×L periodic lattice, energy H = -J Σ_<ij> s_i s_j over nearest-neighbour
pairs (each pair once), Boltzmann weight exp(-H/T) (k_B = 1). Onsager solved the infinite
lattice: the critical temperature is T_c = 2J / ln(1 + √2) ≈ 2.2692 J.

Arrays here are NumPy (Monte Carlo is not differentiated); batches of independent chains have
shape (chains, L, L).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import ellipk

T_CRITICAL = 2.0 / np.log(1.0 + np.sqrt(2.0))


def _check_spins(spins: np.ndarray, fn: str) -> None:
    if spins.ndim < 2 or spins.shape[-1] != spins.shape[-2]:
        raise ValueError(f"{fn}: spins must have shape (..., L, L), got {spins.shape}")


def energy(spins: np.ndarray, J: float = 1.0) -> np.ndarray:
    """Total energy H = -J Σ_<ij> s_i s_j with periodic boundaries; shape (...,) for (..., L, L)."""
    _check_spins(spins, "ising.energy")
    s = spins.astype(np.float64)
    right = np.roll(s, -1, axis=-1)
    down = np.roll(s, -1, axis=-2)
    return -J * (s * (right + down)).sum(axis=(-2, -1))   # each bond counted once (right and down)


def magnetization(spins: np.ndarray) -> np.ndarray:
    """Total magnetisation M = Σ_i s_i; shape (...,)."""
    _check_spins(spins, "ising.magnetization")
    return spins.astype(np.float64).sum(axis=(-2, -1))


def _neighbour_sum(s: np.ndarray) -> np.ndarray:
    return (np.roll(s, 1, -1) + np.roll(s, -1, -1) + np.roll(s, 1, -2) + np.roll(s, -1, -2))


def metropolis_sweep(spins: np.ndarray, beta: float | np.ndarray, rng: np.random.Generator, J: float = 1.0) -> np.ndarray:
    """One checkerboard Metropolis sweep of every chain; returns the new spins (int8).

    ``beta`` is a number or one inverse temperature per chain (shape spins.shape[:-2]), so chains
    at many temperatures run in one vectorized batch.

    Sites with (i + j) even have all neighbours odd, so a whole sublattice is updated at once:
    flipping s_i costs ΔE = 2 J s_i Σ_nb s_j and is accepted with probability min(1, e^{-β ΔE}).
    Even then odd sublattice = one sweep (detailed balance holds for each half-step).
    """
    _check_spins(spins, "ising.metropolis_sweep")
    L = spins.shape[-1]
    if L % 2:
        raise ValueError(f"ising.metropolis_sweep: the checkerboard update needs an even L, got {L}")
    s = spins.astype(np.int8, copy=True)
    beta = np.asarray(beta, np.float64)
    if beta.ndim:
        if beta.shape != spins.shape[:-2]:
            raise ValueError(f"ising.metropolis_sweep: beta of shape {beta.shape} does not match the chains {spins.shape[:-2]}")
        beta = beta[..., None, None]
    ii, jj = np.indices((L, L))
    for parity in (0, 1):
        mask = ((ii + jj) % 2) == parity
        dE = 2.0 * J * s * _neighbour_sum(s)
        accept = (rng.random(s.shape) < np.exp(-beta * np.clip(dE, 0, None))) & mask
        s = np.where(accept, -s, s).astype(np.int8)
    return s


def wolff_update(spins: np.ndarray, beta: float, rng: np.random.Generator, J: float = 1.0) -> tuple[np.ndarray, int]:
    """One Wolff cluster flip of a single (L, L) configuration; returns (new spins, cluster size).

    Each bond between equal neighbours is activated with probability p = 1 - e^{-2βJ}; the
    cluster is the connected component of a uniformly chosen seed in the activated-bond graph
    (the same distribution as growing it site by site), and it is flipped (acceptance 1).
    """
    if spins.ndim != 2 or spins.shape[0] != spins.shape[1]:
        raise ValueError(f"ising.wolff_update: spins must have shape (L, L), got {spins.shape}")
    L = spins.shape[0]
    n = L * L
    idx = np.arange(n).reshape(L, L)
    p_add = 1.0 - np.exp(-2.0 * beta * J)
    rows, cols = [], []
    for axis in (0, 1):
        nb = np.roll(idx, -1, axis=axis)
        same = spins == np.roll(spins, -1, axis=axis)
        active = same & (rng.random((L, L)) < p_add)
        rows.append(idx[active])
        cols.append(nb[active])
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(r.size, np.int8), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    seed = rng.integers(n)
    cluster = (labels == labels[seed]).reshape(L, L)
    new = np.where(cluster, -spins, spins).astype(np.int8)
    return new, int(cluster.sum())


def swendsen_wang_sweep(spins: np.ndarray, beta: float | np.ndarray, rng: np.random.Generator, J: float = 1.0) -> np.ndarray:
    """One Swendsen–Wang update of every chain at once; spins (chains, L, L), beta scalar or (chains,).

    Bonds between equal neighbours are activated with p = 1 - e^{-2βJ}; every connected cluster
    (of one big block-diagonal graph holding all chains) is flipped with probability 1/2. Like
    Wolff it beats critical slowing down, and it is vectorized across chains.
    """
    _check_spins(spins, "ising.swendsen_wang_sweep")
    s = spins.reshape((-1,) + spins.shape[-2:]).astype(np.int8)
    C, L = s.shape[0], s.shape[-1]
    beta = np.broadcast_to(np.asarray(beta, np.float64), spins.shape[:-2]).reshape(-1)
    p_add = (1.0 - np.exp(-2.0 * beta * J))[:, None, None]
    idx = np.arange(C * L * L).reshape(C, L, L)
    rows, cols = [], []
    for axis in (1, 2):
        same = s == np.roll(s, -1, axis=axis)
        active = same & (rng.random(s.shape) < p_add)
        rows.append(idx[active])
        cols.append(np.roll(idx, -1, axis=axis)[active])
    r, c = np.concatenate(rows), np.concatenate(cols)
    n = C * L * L
    _, labels = connected_components(coo_matrix((np.ones(r.size, np.int8), (r, c)), shape=(n, n)), directed=False)
    flip = rng.random(labels.max() + 1) < 0.5
    out = np.where(flip[labels].reshape(s.shape), -s, s).astype(np.int8)
    return out.reshape(spins.shape)


@dataclass
class IsingSamples:
    """Per-measurement energy and magnetisation per spin, shape (chains, measurements)."""

    L: int
    T: float
    e: np.ndarray
    m: np.ndarray
    configs: np.ndarray | None = None


def simulate(L: int, T: float, n_measure: int, n_thermal: int = 200, chains: int = 4, method: str = "metropolis",
             seed: int = 0, J: float = 1.0, keep_configs: bool = False, every: int = 1) -> IsingSamples:
    """Run Monte Carlo at temperature T; measure e = E/N and m = M/N after each update (``every`` apart).

    ``method="metropolis"``: one measurement per checkerboard sweep of all chains at once;
    ``"wolff"``: one per cluster flip, chains one after another. Starts cold (all +1) below T_c,
    hot (random) above.
    """
    if method not in ("metropolis", "wolff", "swendsen-wang"):
        raise ValueError(f"ising.simulate: method must be 'metropolis', 'wolff' or 'swendsen-wang', got {method!r}")
    if T <= 0 or L < 2 or n_measure < 1:
        raise ValueError(f"ising.simulate: need T > 0, L >= 2, n_measure >= 1; got T={T}, L={L}, n_measure={n_measure}")
    rng = np.random.default_rng(seed)
    beta = 1.0 / T
    if T < T_CRITICAL:
        s = np.ones((chains, L, L), np.int8)
    else:
        s = rng.choice(np.array([-1, 1], np.int8), size=(chains, L, L))
    N = L * L
    es, ms, cs = [], [], []

    def update(s: np.ndarray) -> np.ndarray:
        if method == "metropolis":
            return metropolis_sweep(s, beta, rng, J)
        if method == "swendsen-wang":
            return swendsen_wang_sweep(s, beta, rng, J)
        return np.stack([wolff_update(x, beta, rng, J)[0] for x in s])

    for _ in range(n_thermal):
        s = update(s)
    for _ in range(n_measure):
        for _ in range(every):
            s = update(s)
        es.append(energy(s, J) / N)
        ms.append(magnetization(s) / N)
        if keep_configs:
            cs.append(s.copy())
    configs = np.stack(cs, axis=1) if keep_configs else None
    return IsingSamples(L, T, np.stack(es, axis=1), np.stack(ms, axis=1), configs)


def integrated_autocorrelation_time(x: np.ndarray, c: float = 5.0) -> float:
    """τ_int = 1/2 + Σ_{t=1}^{W} ρ(t) with Sokal's automatic window (smallest W >= c τ_int(W)).

    ``x`` has shape (n,) or (chains, n) (autocovariances averaged over chains). The variance
    of a mean of n correlated samples is 2 τ_int σ²/n.
    """
    x = np.atleast_2d(np.asarray(x, np.float64))
    n = x.shape[1]
    if n < 4:
        raise ValueError(f"integrated_autocorrelation_time: need at least 4 samples per chain, got {n}")
    xc = x - x.mean(axis=1, keepdims=True)
    f = np.fft.rfft(xc, n=2 * n, axis=1)
    acov = np.fft.irfft(f * np.conj(f), axis=1)[:, :n].mean(axis=0) / n
    if acov[0] <= 0:
        return 0.5
    rho = acov / acov[0]
    tau = 0.5
    for w in range(1, n):
        tau += rho[w]
        if w >= c * tau:
            break
    return float(max(tau, 0.5))


def mean_and_error(x: np.ndarray) -> tuple[float, float]:
    """Sample mean over all chains and its standard error, inflated by the autocorrelation: sqrt(2τ σ²/n)."""
    x = np.atleast_2d(np.asarray(x, np.float64))
    tau = integrated_autocorrelation_time(x)
    return float(x.mean()), float(np.sqrt(2 * tau * x.var() / x.size))


def observables(samples: IsingSamples) -> dict[str, float]:
    """⟨e⟩, ⟨|m|⟩ (with autocorrelation-aware errors), C = β² N Var(e), χ = β N (⟨m²⟩ - ⟨|m|⟩²), τ_int."""
    N, beta = samples.L ** 2, 1.0 / samples.T
    e_mean, e_err = mean_and_error(samples.e)
    am = np.abs(samples.m)
    m_mean, m_err = mean_and_error(am)
    return {
        "energy": e_mean, "energy_err": e_err, "abs_magnetization": m_mean, "abs_magnetization_err": m_err,
        "specific_heat": float(beta ** 2 * N * samples.e.var()),
        "susceptibility": float(beta * N * ((samples.m ** 2).mean() - am.mean() ** 2)),
        "tau_energy": integrated_autocorrelation_time(samples.e), "tau_abs_m": integrated_autocorrelation_time(am),
    }


def onsager_energy(T: float, J: float = 1.0) -> float:
    """Exact energy per spin of the infinite lattice (Onsager 1944).

    u = -J coth(2βJ) [1 + (2/π)(2 tanh²(2βJ) - 1) K(κ)],  κ = 2 sinh(2βJ) / cosh²(2βJ),
    K the complete elliptic integral of the first kind (scipy's ellipk takes m = κ²).
    """
    b = 2.0 * J / T
    kappa = 2.0 * np.sinh(b) / np.cosh(b) ** 2
    fac = 2.0 * np.tanh(b) ** 2 - 1.0
    k_term = 0.0 if abs(fac) < 1e-12 else fac * ellipk(min(kappa ** 2, 1.0))   # at T_c: 0 · ∞ -> 0
    return float(-J / np.tanh(b) * (1.0 + (2.0 / np.pi) * k_term))


def onsager_magnetization(T: float, J: float = 1.0) -> float:
    """Spontaneous magnetisation per spin (Yang 1952): (1 - sinh(2βJ)^{-4})^{1/8} below T_c, 0 above."""
    if T >= T_CRITICAL * J:
        return 0.0
    return float((1.0 - np.sinh(2.0 * J / T) ** -4) ** 0.125)


def kaufman_log_partition(L: int, T: float, J: float = 1.0) -> float:
    """Exact log Z of the periodic L×L lattice (Kaufman 1949), for checking free energies.

    With K = βJ and cosh γ_k = cosh 2K coth 2K - cos(πk/L) (k ≥ 1), γ_0 = 2K + ln tanh K
    (negative above T_c):
        Z = ½ (2 sinh 2K)^{L²/2} (Z₁ + Z₂ + Z₃ + Z₄),
        Z₁,₂ = Π_{r=0}^{L-1} 2 cosh, 2 sinh (L γ_{2r+1} / 2),   Z₃,₄ = Π_{r=0}^{L-1} 2 cosh, 2 sinh (L γ_{2r} / 2).
    Evaluated in logs (Z₄ can be negative), so large L does not overflow. F = -T log Z.
    """
    if L < 2 or T <= 0:
        raise ValueError(f"ising.kaufman_log_partition: need L >= 2 and T > 0, got L={L}, T={T}")
    K = J / T
    k = np.arange(2 * L)
    gamma = np.arccosh(np.cosh(2 * K) / np.tanh(2 * K) - np.cos(np.pi * k / L))
    gamma[0] = 2 * K + np.log(np.tanh(K))
    odd, even = 0.5 * L * gamma[1::2], 0.5 * L * gamma[0::2]

    def log_2cosh(a: np.ndarray) -> np.ndarray:
        return np.abs(a) + np.log1p(np.exp(-2 * np.abs(a)))

    def log_2sinh(a: np.ndarray) -> tuple[float, float]:  # (log |Π 2 sinh a|, sign of the product)
        sign = float(np.prod(np.sign(a)))
        return float(np.sum(np.abs(a) + np.log(-np.expm1(-2 * np.abs(a))))), sign

    terms = [(float(log_2cosh(odd).sum()), 1.0), log_2sinh(odd), (float(log_2cosh(even).sum()), 1.0), log_2sinh(even)]
    top = max(t for t, _ in terms)
    total = sum(sign * np.exp(t - top) for t, sign in terms)
    return float(-np.log(2.0) + 0.5 * L * L * np.log(2 * np.sinh(2 * K)) + top + np.log(total))


__all__ = [
    "T_CRITICAL", "energy", "magnetization", "metropolis_sweep", "wolff_update", "swendsen_wang_sweep", "IsingSamples", "simulate",
    "integrated_autocorrelation_time", "mean_and_error", "observables", "onsager_energy", "onsager_magnetization",
    "kaufman_log_partition",
]
