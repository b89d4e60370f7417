"""Kernel density estimation.

The density estimate at x from samples x_1..x_n in R^d with bandwidth h is

    p̂(x) = (1/n) Σ_i  c_d(h) · K(‖x - x_i‖ / h),

where K is a radial kernel profile and c_d(h) = 1 / ∫ K(‖u‖/h) du makes each
bump integrate to one. Profiles (r = distance / h):

    gaussian       exp(-r²/2)                 c = (2π)^{-d/2} h^{-d}
    tophat         1            (r < 1)       c = 1 / V_d(h), V_d(h) = π^{d/2} h^d / Γ(d/2 + 1)
    epanechnikov   1 - r²       (r < 1)       c = (d + 2) / (2 V_d(h))
    exponential    exp(-r)                    c = 1 / (S_d h^d Γ(d)), S_d = 2π^{d/2} / Γ(d/2)
    linear         1 - r        (r < 1)       c = d (d + 1) / (S_d h^d)
    cosine         cos(π r / 2) (r < 1)       c = 1 / (S_d h^d ∫₀¹ cos(πt/2) t^{d-1} dt)

(S_d is the surface area of the unit sphere in R^d; the radial integrals
∫ K(r) S_d r^{d-1} dr give the constants.) Everything is computed in log
space with log-sum-exp, so far-away points do not underflow to log(0).

Bandwidth: a float, Scott's rule n^{-1/(d+4)}, Silverman's rule
(n (d+2) / 4)^{-1/(d+4)} (both as in scikit-learn, i.e. for standardized
data), or ``"cv"``: the value in ``bandwidth_grid`` maximizing the
cross-validated held-out log-likelihood.
"""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
from scipy import integrate
from scipy.special import gammaln, logsumexp

from gradstudent.classical.base import BaseEstimator, check_random_state

__all__ = ["KernelDensity", "kernel_log_normalization"]

Kernel = Literal["gaussian", "tophat", "epanechnikov", "exponential", "linear", "cosine"]
KERNELS = ("gaussian", "tophat", "epanechnikov", "exponential", "linear", "cosine")


def kernel_log_normalization(kernel: str, bandwidth: float, d: int) -> float:
    """log c_d(h): minus the log of the integral of the kernel bump over R^d."""
    log_ball_volume = 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1) + d * np.log(bandwidth)
    log_sphere_area = np.log(2.0) + 0.5 * d * np.log(np.pi) - gammaln(0.5 * d) + d * np.log(bandwidth)
    if kernel == "gaussian":
        return -0.5 * d * np.log(2 * np.pi) - d * np.log(bandwidth)
    if kernel == "tophat":
        return -log_ball_volume
    if kernel == "epanechnikov":
        return np.log((d + 2) / 2.0) - log_ball_volume
    if kernel == "exponential":
        return -log_sphere_area - gammaln(d)
    if kernel == "linear":
        return np.log(d * (d + 1.0)) - log_sphere_area
    if kernel == "cosine":
        radial, _ = integrate.quad(lambda t: np.cos(np.pi * t / 2) * t ** (d - 1), 0.0, 1.0)
        return -log_sphere_area - np.log(radial)
    raise ValueError(f"unknown kernel {kernel!r}; choose one of {KERNELS}.")


def _log_profile(kernel: str, r: np.ndarray, r_squared: np.ndarray) -> np.ndarray:
    """log K(r) for scaled distances r (and r²); -inf outside compact supports."""
    with np.errstate(divide="ignore"):
        if kernel == "gaussian":
            return -0.5 * r_squared
        if kernel == "exponential":
            return -r
        inside = r < 1.0
        if kernel == "tophat":
            return np.where(inside, 0.0, -np.inf)
        if kernel == "epanechnikov":
            return np.where(inside, np.log(np.clip(1.0 - r_squared, 0.0, None)), -np.inf)
        if kernel == "linear":
            return np.where(inside, np.log(np.clip(1.0 - r, 0.0, None)), -np.inf)
        if kernel == "cosine":
            return np.where(inside, np.log(np.clip(np.cos(0.5 * np.pi * r), 0.0, None)), -np.inf)
    raise ValueError(f"unknown kernel {kernel!r}; choose one of {KERNELS}.")


class KernelDensity(BaseEstimator):
    """Kernel density estimator (brute force over all training points).

    Parameters
    ----------
    bandwidth : float, "scott", "silverman" or "cv".
    kernel : one of "gaussian", "tophat", "epanechnikov", "exponential",
        "linear", "cosine".
    bandwidth_grid : candidate bandwidths for "cv" (default: 20 values,
        log-spaced over [0.05, 5] × Scott's bandwidth × mean feature std).
    cv : number of folds for "cv".

    Fitted attributes: ``bandwidth_`` (the value used), ``cv_log_likelihood_``
    (mean held-out log-likelihood per candidate, for "cv").
    """

    def __init__(
        self,
        *,
        bandwidth: float | Literal["scott", "silverman", "cv"] = 1.0,
        kernel: Kernel = "gaussian",
        bandwidth_grid: Sequence[float] | None = None,
        cv: int = 5,
        random_state: int | None = 0,
    ) -> None:
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.bandwidth_grid = bandwidth_grid
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> "KernelDensity":
        X = self._validate_X(X, "fit", reset=True)
        if self.kernel not in KERNELS:
            raise ValueError(f"KernelDensity: kernel must be one of {KERNELS}, got {self.kernel!r}.")
        n, d = X.shape
        if self.bandwidth == "scott":
            bandwidth = n ** (-1.0 / (d + 4))
        elif self.bandwidth == "silverman":
            bandwidth = (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
        elif self.bandwidth == "cv":
            bandwidth = self._cross_validate(X)
        elif isinstance(self.bandwidth, (int, float, np.number)) and self.bandwidth > 0:
            bandwidth = float(self.bandwidth)
        else:
            raise ValueError(
                f"KernelDensity: bandwidth must be a positive float, 'scott', 'silverman' or 'cv', got {self.bandwidth!r}."
            )
        self.bandwidth_ = float(bandwidth)
        self.X_fit_ = X
        return self

    def _cross_validate(self, X: np.ndarray) -> float:
        n, d = X.shape
        if self.bandwidth_grid is None:
            scale = n ** (-1.0 / (d + 4)) * float(np.mean(X.std(axis=0)) or 1.0)
            grid = scale * np.logspace(np.log10(0.05), np.log10(5.0), 20)
        else:
            grid = np.asarray(self.bandwidth_grid, dtype=float)
        folds = np.array_split(check_random_state(self.random_state).permutation(n), self.cv)
        scores = np.zeros(len(grid))
        for test in folds:
            train = np.setdiff1d(np.arange(n), test)
            squared = _squared_distances(X[test], X[train])
            for i, bandwidth in enumerate(grid):
                scores[i] += np.sum(_log_density(squared, bandwidth, self.kernel, d, len(train)))
        self.bandwidth_grid_ = grid
        self.cv_log_likelihood_ = scores / n
        return float(grid[int(np.argmax(scores))])

    def score_samples(self, X: Any) -> np.ndarray:
        """log p̂(x) for each row of X, shape (n,)."""
        X = self._validate_X(X, "score_samples")
        out = np.empty(X.shape[0])
        chunk = max(1, 2_000_000 // max(len(self.X_fit_), 1))  # bound the distance block to ~16 MB
        for start in range(0, X.shape[0], chunk):
            squared = _squared_distances(X[start : start + chunk], self.X_fit_)
            out[start : start + chunk] = _log_density(
                squared, self.bandwidth_, self.kernel, X.shape[1], len(self.X_fit_)
            )
        return out

    def score(self, X: Any, y: Any = None) -> float:
        """Total log-likelihood Σ log p̂(x_i) of X."""
        return float(np.sum(self.score_samples(X)))

    def sample(self, n_samples: int = 1, random_state: int | None = None) -> np.ndarray:
        """Draw from p̂ (gaussian and tophat kernels): pick a training point
        uniformly, then add kernel-shaped noise."""
        self._check_is_fitted("sample")
        rng = check_random_state(random_state)
        centers = self.X_fit_[rng.integers(0, len(self.X_fit_), n_samples)]
        d = self.X_fit_.shape[1]
        if self.kernel == "gaussian":
            return centers + self.bandwidth_ * rng.standard_normal((n_samples, d))
        if self.kernel == "tophat":  # uniform in the ball: direction × radius ∝ U^{1/d}
            direction = rng.standard_normal((n_samples, d))
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            radius = self.bandwidth_ * rng.uniform(size=(n_samples, 1)) ** (1.0 / d)
            return centers + radius * direction
        raise NotImplementedError(f"KernelDensity.sample supports 'gaussian' and 'tophat', not {self.kernel!r}.")


def _squared_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    squared = np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
    return np.maximum(squared, 0.0)


def _log_density(squared: np.ndarray, bandwidth: float, kernel: str, d: int, n_train: int) -> np.ndarray:
    """log[(1/n) Σ_i c K(‖x - x_i‖/h)] for each row of the (queries × train) squared-distance block."""
    r_squared = squared / (bandwidth * bandwidth)
    r = np.sqrt(r_squared) if kernel != "gaussian" else r_squared  # r unused by the gaussian profile
    with np.errstate(divide="ignore"):
        log_sum = logsumexp(_log_profile(kernel, r, r_squared), axis=1)
    return log_sum - np.log(n_train) + kernel_log_normalization(kernel, bandwidth, d)
