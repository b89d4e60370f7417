"""Checks of an amortized posterior: simulation-based calibration, expected coverage, C2ST.

SBC (Talts et al., 2018): draw θ* ~ p(θ), x* ~ p(x | θ*), then L samples θ₁..θ_L from the
approximate posterior q(θ | x*); the rank of θ*_j among the θ_{l,j} (how many are smaller) is
uniform on {0, ..., L} for every coordinate j if q is the true posterior. Too-narrow posteriors
give U-shaped rank histograms, too-wide ones ∩-shaped, biased ones slanted.

Expected coverage: for credibility level 1 - α, the fraction of θ* inside the 1 - α credible
region should be 1 - α. Regions here are highest-density regions ranked by q's log density
(when given) or central marginal intervals.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

PosteriorSampler = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]  # (x, n, rng) -> (n, dim)


def sbc_ranks(sample_prior: Callable[[int, np.random.Generator], np.ndarray],
              simulate: Callable[[np.ndarray, np.random.Generator], np.ndarray],
              posterior_sampler: PosteriorSampler, n_sbc: int, n_posterior: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SBC ranks, shape (n_sbc, dim) in {0..n_posterior}; also returns θ* and the posterior draws."""
    if n_sbc < 1 or n_posterior < 1:
        raise ValueError(f"sbc_ranks: need n_sbc >= 1 and n_posterior >= 1, got {n_sbc}, {n_posterior}")
    theta = sample_prior(n_sbc, rng)
    x = simulate(theta, rng)
    draws = np.stack([posterior_sampler(x[i], n_posterior, rng) for i in range(n_sbc)])   # (n_sbc, L, dim)
    ranks = (draws < theta[:, None, :]).sum(axis=1)
    return ranks, theta, draws


def sbc_uniformity_pvalues(ranks: np.ndarray, n_posterior: int, bins: int = 10) -> np.ndarray:
    """χ² test p-value per dimension that the ranks are uniform on {0..n_posterior} (``bins`` equal bins)."""
    ranks = np.atleast_2d(ranks)
    edges = np.linspace(0, n_posterior + 1, bins + 1)
    pvals = []
    for j in range(ranks.shape[1]):
        counts, _ = np.histogram(ranks[:, j], bins=edges)
        pvals.append(stats.chisquare(counts).pvalue)
    return np.array(pvals)


def sbc_histogram_figure(ranks: np.ndarray, n_posterior: int, bins: int = 10, names: list[str] | None = None,
                         title: str = "SBC rank histograms"):  # noqa: ANN201  (matplotlib Figure)
    """Rank histograms with the 99% band of a uniform histogram (binomial quantiles)."""
    from matplotlib.figure import Figure

    ranks = np.atleast_2d(ranks)
    dim = ranks.shape[1]
    fig = Figure(figsize=(2.6 * dim, 2.4))
    n = ranks.shape[0]
    lo, hi = stats.binom.ppf([0.005, 0.995], n, 1 / bins)
    for j in range(dim):
        ax = fig.add_subplot(1, dim, j + 1)
        ax.axhspan(lo, hi, color="0.85")
        ax.hist(ranks[:, j], bins=np.linspace(0, n_posterior + 1, bins + 1), color="C0", edgecolor="k")
        ax.set_title(names[j] if names else f"θ{j + 1}", fontsize=9)
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def expected_coverage(theta_true: np.ndarray, draws: np.ndarray, levels: np.ndarray,
                      log_prob: Callable[[np.ndarray, int], np.ndarray] | None = None) -> np.ndarray:
    """Empirical coverage at each credibility level; shape (len(levels),).

    With ``log_prob(points, i)`` (q's log density at points (m, dim) for observation i), θ* is
    inside the level-c HPD region iff fewer than a fraction c of the draws have a higher density
    than θ*. Without it, central marginal intervals are used and coverage is averaged over dims.
    """
    theta_true, draws = np.asarray(theta_true), np.asarray(draws)
    if draws.ndim != 3 or theta_true.shape != (draws.shape[0], draws.shape[2]):
        raise ValueError(f"expected_coverage: need theta_true (n, dim) and draws (n, L, dim), got {theta_true.shape}, {draws.shape}")
    levels = np.asarray(levels, np.float64)
    if log_prob is not None:
        frac = np.empty(draws.shape[0])
        for i in range(draws.shape[0]):
            lp_true = log_prob(theta_true[i:i + 1], i)[0]
            frac[i] = (log_prob(draws[i], i) > lp_true).mean()   # posterior mass "above" θ*
        return (frac[None, :] < levels[:, None]).mean(axis=1)
    u = (draws < theta_true[:, None, :]).mean(axis=1)          # (n, dim): marginal CDF at θ*
    inside = np.abs(u - 0.5)[None] <= levels[:, None, None] / 2
    return inside.mean(axis=(1, 2))


def coverage_figure(levels: np.ndarray, curves: dict[str, np.ndarray], title: str = "Expected coverage"):  # noqa: ANN201
    """Coverage vs credibility level; the diagonal is perfect calibration."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    for name, cov in curves.items():
        ax.plot(levels, cov, label=name)
    ax.set_xlabel("credibility level")
    ax.set_ylabel("empirical coverage")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def c2st_score(samples: np.ndarray, reference: np.ndarray, seed: int = 0, folds: int = 5) -> float:
    """C2ST accuracy of posterior samples against reference samples (0.5 best, 1.0 worst).

    Uses ``gradstudent.metrics.c2st`` (sbibm's MLP classifier on z-scored data, k-fold).
    """
    from ..metrics import c2st

    return float(c2st(np.asarray(samples, np.float64), np.asarray(reference, np.float64), seed=seed, folds=folds))


__all__ = ["sbc_ranks", "sbc_uniformity_pvalues", "sbc_histogram_figure", "expected_coverage", "coverage_figure",
           "c2st_score"]
