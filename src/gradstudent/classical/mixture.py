"""Gaussian mixture models fitted by expectation-maximization.

Model: p(x) = Σ_k π_k N(x; μ_k, Σ_k). EM maximizes the log-likelihood
L = Σ_i log p(x_i) by alternating

* E-step: responsibilities r_ik = π_k N(x_i; μ_k, Σ_k) / p(x_i)
  (the posterior of component k given x_i);
* M-step: with N_k = Σ_i r_ik,
      π_k = N_k / n,   μ_k = Σ_i r_ik x_i / N_k,
      Σ_k = Σ_i r_ik (x_i - μ_k)(x_i - μ_k)ᵀ / N_k + reg_covar · I.

Each step cannot decrease L; we stop when the mean log-likelihood changes
by less than ``tol``. ``reg_covar`` keeps covariances invertible when a
component collapses onto few points. Covariance types: "full" (any Σ_k),
"diag" (diagonal Σ_k) and "spherical" (σ_k² I).

Log-densities use the Cholesky factor Σ = L Lᵀ:
log N(x; μ, Σ) = -½ (d log 2π + ‖L⁻¹(x - μ)‖²) - Σ_j log L_jj.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy import linalg
from scipy.special import logsumexp

from gradstudent.classical.base import BaseEstimator, check_random_state
from gradstudent.classical.cluster import KMeans

__all__ = ["GaussianMixture"]

CovarianceType = Literal["full", "diag", "spherical"]


def _log_gaussian(X: np.ndarray, means: np.ndarray, covariances: np.ndarray, kind: str) -> np.ndarray:
    """log N(x_i; μ_k, Σ_k) for all i, k: shape (n, K)."""
    n, d = X.shape
    out = np.empty((n, len(means)))
    for k, mean in enumerate(means):
        centered = X - mean
        if kind == "full":
            cholesky = linalg.cholesky(covariances[k], lower=True)
            solved = linalg.solve_triangular(cholesky, centered.T, lower=True)
            mahalanobis = np.sum(solved**2, axis=0)
            log_det = 2.0 * np.sum(np.log(np.diag(cholesky)))
        elif kind == "diag":
            mahalanobis = np.sum(centered**2 / covariances[k], axis=1)
            log_det = np.sum(np.log(covariances[k]))
        else:  # spherical
            mahalanobis = np.sum(centered**2, axis=1) / covariances[k]
            log_det = d * np.log(covariances[k])
        out[:, k] = -0.5 * (d * np.log(2 * np.pi) + mahalanobis + log_det)
    return out


class GaussianMixture(BaseEstimator):
    """Gaussian mixture model (EM).

    Parameters
    ----------
    n_components : number of Gaussians K.
    covariance_type : "full", "diag" or "spherical".
    init_params : "kmeans" (responsibilities from a k-means run) or "random".
    weights_init, means_init, precisions_init : optional starting values that
        override the ones derived from ``init_params``. Precisions are inverse
        covariances: (K, d, d) for full, (K, d) for diag, (K,) for spherical.
    n_init : number of EM runs from different initializations; the best
        (highest final lower bound) is kept.

    Fitted attributes: ``weights_`` (K,), ``means_`` (K, d), ``covariances_``,
    ``precisions_``, ``converged_``, ``n_iter_``, ``lower_bound_`` (the mean
    log-likelihood at the last E-step).
    """

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: CovarianceType = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: Literal["kmeans", "random"] = "kmeans",
        weights_init: np.ndarray | None = None,
        means_init: np.ndarray | None = None,
        precisions_init: np.ndarray | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    # ------------------------------------------------------------------ EM steps
    def _m_step(self, X: np.ndarray, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n, d = X.shape
        counts = resp.sum(axis=0) + 10 * np.finfo(float).eps  # N_k (never exactly 0)
        means = resp.T @ X / counts[:, None]
        if self.covariance_type == "full":
            covariances = np.empty((len(counts), d, d))
            for k in range(len(counts)):
                centered = X - means[k]
                covariances[k] = (resp[:, k] * centered.T) @ centered / counts[k]
                covariances[k].flat[:: d + 1] += self.reg_covar
        else:
            # E[x²] - μ² per feature, from responsibility-weighted moments
            diagonal = resp.T @ (X * X) / counts[:, None] - means**2 + self.reg_covar
            covariances = diagonal if self.covariance_type == "diag" else diagonal.mean(axis=1)
        return counts / n, means, covariances

    def _log_weighted(self, X: np.ndarray, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray) -> np.ndarray:
        """log π_k + log N(x_i; μ_k, Σ_k), shape (n, K)."""
        return _log_gaussian(X, means, covariances, self.covariance_type) + np.log(weights)

    def _initial_parameters(self, X: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n, k = X.shape[0], self.n_components
        if self.init_params == "kmeans":
            labels = KMeans(k, n_init=1, random_state=int(rng.integers(2**31))).fit(X).labels_
            resp = np.zeros((n, k))
            resp[np.arange(n), labels] = 1.0
        elif self.init_params == "random":
            resp = rng.uniform(size=(n, k))
            resp /= resp.sum(axis=1, keepdims=True)
        else:
            raise ValueError(f"GaussianMixture: init_params must be 'kmeans' or 'random', got {self.init_params!r}.")
        weights, means, covariances = self._m_step(X, resp)
        if self.weights_init is not None:
            weights = np.asarray(self.weights_init, dtype=float)
        if self.means_init is not None:
            means = np.asarray(self.means_init, dtype=float)
        if self.precisions_init is not None:
            precisions = np.asarray(self.precisions_init, dtype=float)
            covariances = np.linalg.inv(precisions) if self.covariance_type == "full" else 1.0 / precisions
        self._check_initial(weights, means, covariances, X.shape[1])
        return weights, means, covariances

    def _check_initial(self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray, d: int) -> None:
        k = self.n_components
        expected = {"full": (k, d, d), "diag": (k, d), "spherical": (k,)}[self.covariance_type]
        for name, array, shape in (("weights_init", weights, (k,)), ("means_init", means, (k, d)), ("precisions_init", covariances, expected)):
            if array.shape != shape:
                raise ValueError(f"GaussianMixture: {name} has shape {array.shape}, expected {shape}.")
        if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
            raise ValueError(f"GaussianMixture: weights_init must be non-negative and sum to 1, got {weights}.")

    def fit(self, X: Any, y: Any = None) -> "GaussianMixture":
        X = self._validate_X(X, "fit", reset=True, min_samples=2)
        if self.covariance_type not in ("full", "diag", "spherical"):
            raise ValueError(f"GaussianMixture: covariance_type must be 'full', 'diag' or 'spherical', got {self.covariance_type!r}.")
        if not 1 <= self.n_components <= X.shape[0]:
            raise ValueError(f"GaussianMixture: n_components={self.n_components} must be in [1, n_samples={X.shape[0]}].")
        rng = check_random_state(self.random_state)
        best_bound, best = -np.inf, None
        for _ in range(self.n_init):
            params = self._initial_parameters(X, rng)
            bound, converged, iteration = -np.inf, False, 0
            for iteration in range(1, self.max_iter + 1):
                previous = bound
                log_weighted = self._log_weighted(X, *params)  # E-step
                log_norm = logsumexp(log_weighted, axis=1)
                bound = float(np.mean(log_norm))
                params = self._m_step(X, np.exp(log_weighted - log_norm[:, None]))  # M-step
                if abs(bound - previous) < self.tol:
                    converged = True
                    break
            if bound > best_bound or best is None:
                best_bound, best = bound, (params, converged, iteration)
        if best is None:
            raise ValueError(f"GaussianMixture: n_init must be at least 1, got {self.n_init}")
        (self.weights_, self.means_, self.covariances_), self.converged_, self.n_iter_ = best
        self.lower_bound_ = best_bound
        if self.covariance_type == "full":
            self.precisions_ = np.linalg.inv(self.covariances_)
        else:
            self.precisions_ = 1.0 / self.covariances_
        return self

    # ------------------------------------------------------------------ inference
    def _log_joint(self, X: Any, method: str) -> np.ndarray:
        X = self._validate_X(X, method)
        return self._log_weighted(X, self.weights_, self.means_, self.covariances_)

    def score_samples(self, X: Any) -> np.ndarray:
        """log p(x) for each sample, shape (n,)."""
        return logsumexp(self._log_joint(X, "score_samples"), axis=1)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per sample."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Responsibilities p(k | x), shape (n, K)."""
        log_joint = self._log_joint(X, "predict_proba")
        return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component."""
        return np.argmax(self._log_joint(X, "predict"), axis=1)

    def _n_parameters(self) -> int:
        k, d = self.means_.shape
        covariance_parameters = {"full": k * d * (d + 1) // 2, "diag": k * d, "spherical": k}[self.covariance_type]
        return covariance_parameters + k * d + k - 1

    def bic(self, X: Any) -> float:
        """Bayesian information criterion -2 log L + p log n (lower is better)."""
        X = np.asarray(X, dtype=float)
        return -2.0 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X: Any) -> float:
        """Akaike information criterion -2 log L + 2p (lower is better)."""
        X = np.asarray(X, dtype=float)
        return -2.0 * self.score(X) * X.shape[0] + 2.0 * self._n_parameters()

    def sample(self, n_samples: int = 1, random_state: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Draw (X, component labels) from the fitted mixture."""
        self._check_is_fitted("sample")
        rng = check_random_state(random_state)
        labels = rng.choice(len(self.weights_), size=n_samples, p=self.weights_)
        d = self.means_.shape[1]
        X = np.empty((n_samples, d))
        for k in range(len(self.weights_)):
            chosen = labels == k
            if self.covariance_type == "full":
                X[chosen] = rng.multivariate_normal(self.means_[k], self.covariances_[k], size=int(chosen.sum()))
            else:
                std = np.sqrt(np.broadcast_to(self.covariances_[k], (d,)))
                X[chosen] = self.means_[k] + std * rng.standard_normal((int(chosen.sum()), d))
        return X, labels
