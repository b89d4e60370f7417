"""Linear and quadratic discriminant analysis: Gaussian generative classifiers.

Model each class as a Gaussian, x | y=k ~ N(μ_k, Σ_k), with prior π_k, and
classify by Bayes' rule. The log-posterior is, up to a constant shared by
all classes,

    δ_k(x) = -½ log|Σ_k| - ½ (x - μ_k)ᵀ Σ_k⁻¹ (x - μ_k) + log π_k.

* QDA: a separate covariance per class, so δ_k is quadratic in x.
* LDA: one shared covariance Σ; the quadratic term xᵀΣ⁻¹x is then the same
  for every class and cancels, leaving a linear score
      δ_k(x) = x·(Σ⁻¹μ_k) - ½ μ_kᵀΣ⁻¹μ_k + log π_k  =  x·w_k + b_k.

Both use maximum-likelihood (1/n) covariance estimates, like scikit-learn's
LDA with ``solver="lsqr"``/``"eigen"`` and QDA.
LDA also gives a supervised projection (Fisher's discriminant): the
directions v maximizing the between/within class variance ratio
vᵀS_b v / vᵀS_w v, i.e. the top generalized eigenvectors S_b v = λ S_w v.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg
from scipy.special import expit, log_softmax

from gradstudent.classical.base import BaseEstimator, ClassifierMixin, TransformerMixin

__all__ = ["LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis"]


def _covariance(X: np.ndarray, shrinkage: float | None) -> np.ndarray:
    """ML covariance (1/n), optionally shrunk towards a scaled identity:
    (1 - s) Σ + s (tr Σ / d) I."""
    centered = X - X.mean(axis=0)
    covariance = centered.T @ centered / X.shape[0]
    if shrinkage:
        target = np.trace(covariance) / covariance.shape[0]
        covariance = (1.0 - shrinkage) * covariance
        covariance.flat[:: covariance.shape[0] + 1] += shrinkage * target
    return covariance


class _DiscriminantBase(ClassifierMixin, BaseEstimator):
    """Shared prior handling and posterior computation."""

    priors: Any

    def _fit_priors(self, y_index: np.ndarray) -> None:
        n_classes = len(self.classes_)
        if self.priors is None:
            self.priors_ = np.bincount(y_index, minlength=n_classes) / len(y_index)
        else:
            priors = np.asarray(self.priors, dtype=float)
            if priors.shape != (n_classes,) or np.any(priors < 0):
                raise ValueError(
                    f"{type(self).__name__}: priors must be {n_classes} non-negative numbers, got {self.priors!r}."
                )
            self.priors_ = priors / priors.sum()

    def _log_posterior(self, X: Any, method: str) -> np.ndarray:
        """Unnormalized log-posteriors δ_k(x), shape (n, n_classes)."""
        raise NotImplementedError

    def predict_log_proba(self, X: Any) -> np.ndarray:
        return log_softmax(self._log_posterior(X, "predict_log_proba"), axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior p(y = k | x), shape (n, n_classes)."""
        return np.exp(log_softmax(self._log_posterior(X, "predict_proba"), axis=1))

    def predict(self, X: Any) -> np.ndarray:
        scores = self._log_posterior(X, "predict")
        return self.classes_[np.argmax(scores, axis=1)]


class LinearDiscriminantAnalysis(TransformerMixin, _DiscriminantBase):
    """LDA: Gaussian classes with a shared covariance.

    Σ = Σ_k π_k Σ̂_k (prior-weighted ML class covariances, each shrunk if
    ``shrinkage`` is given). Weights w_k = Σ⁻¹ μ_k are computed by least
    squares (``lstsq``), which also works when Σ is singular (e.g. constant
    pixels in digits): then the minimum-norm solution is used.

    Fitted attributes: ``classes_``, ``priors_``, ``means_`` (K, d),
    ``covariance_`` (d, d), ``coef_`` / ``intercept_`` ((1, d)/(1,) for two
    classes: w_1 - w_0, as scikit-learn), ``scalings_`` (d, d) (Fisher
    directions, only if Σ is invertible), ``explained_variance_ratio_``.
    """

    def __init__(self, *, shrinkage: float | None = None, priors: Any = None, n_components: int | None = None) -> None:
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components

    def fit(self, X: Any, y: Any) -> "LinearDiscriminantAnalysis":
        X, y = self._validate_X_y(X, y, y_dtype=None)
        y_index = self._encode_classes(y)
        if self.shrinkage is not None and not 0.0 <= self.shrinkage <= 1.0:
            raise ValueError(f"LinearDiscriminantAnalysis: shrinkage must be in [0, 1], got {self.shrinkage!r}.")
        self._fit_priors(y_index)
        n_classes, n_features = len(self.classes_), X.shape[1]
        self.means_ = np.array([X[y_index == k].mean(axis=0) for k in range(n_classes)])
        self.covariance_ = sum(
            self.priors_[k] * _covariance(X[y_index == k], self.shrinkage) for k in range(n_classes)
        )
        coef = linalg.lstsq(self.covariance_, self.means_.T)[0].T  # rows: Σ⁻¹ μ_k
        intercept = -0.5 * np.sum(self.means_ * coef, axis=1) + np.log(self.priors_)
        if n_classes == 2:  # one score suffices: log-odds of classes_[1]
            coef, intercept = coef[1:] - coef[:1], intercept[1:] - intercept[:1]
        self.coef_, self.intercept_ = coef, intercept

        max_components = min(n_classes - 1, n_features)
        self._n_components = max_components if self.n_components is None else int(self.n_components)
        if not 1 <= self._n_components <= max_components:
            raise ValueError(
                f"LinearDiscriminantAnalysis: n_components must be in [1, min(n_classes - 1, n_features)] = "
                f"[1, {max_components}], got {self.n_components!r}."
            )
        # Fisher directions: S_b v = λ S_w v with S_b = S_total - S_w
        between = _covariance(X, self.shrinkage) - self.covariance_
        try:
            eigenvalues, eigenvectors = linalg.eigh(between, self.covariance_)
        except linalg.LinAlgError:
            self.scalings_ = None  # singular within-class covariance: no projection (use shrinkage)
        else:
            order = np.argsort(eigenvalues)[::-1]
            self.scalings_ = eigenvectors[:, order]
            self.explained_variance_ratio_ = (eigenvalues[order] / eigenvalues.sum())[: self._n_components]
        return self

    def _scores(self, X: Any, method: str) -> np.ndarray:
        X = self._validate_X(X, method)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear scores X wᵀ + b: (n,) log-odds for two classes, else (n, K)."""
        return self._scores(X, "decision_function")

    def _log_posterior(self, X: Any, method: str) -> np.ndarray:
        scores = self._scores(X, method)
        return np.column_stack([np.zeros_like(scores), scores]) if scores.ndim == 1 else scores

    def predict_proba(self, X: Any) -> np.ndarray:
        scores = self._scores(X, "predict_proba")
        if scores.ndim == 1:
            positive = expit(scores)
            return np.column_stack([1.0 - positive, positive])
        return np.exp(log_softmax(scores, axis=1))

    def transform(self, X: Any) -> np.ndarray:
        """Project on the top Fisher discriminant directions: X V[:, :n_components]."""
        X = self._validate_X(X, "transform")
        if self.scalings_ is None:
            raise ValueError(
                "LinearDiscriminantAnalysis.transform: the within-class covariance is singular, "
                "so Fisher directions are undefined; refit with shrinkage > 0."
            )
        return X @ self.scalings_[:, : self._n_components]


class QuadraticDiscriminantAnalysis(_DiscriminantBase):
    """QDA: one Gaussian per class with its own covariance.

    Σ_k = R_k diag(s_k) R_kᵀ from the ML class covariance's eigendecomposition,
    regularized as s_k ← (1 - reg_param) s_k + reg_param. The score uses
    log|Σ_k| = Σ log s_k and the Mahalanobis term ‖(x - μ_k) R_k s_k^{-½}‖².

    Fitted attributes: ``classes_``, ``priors_``, ``means_`` (K, d),
    ``rotations_`` (list of (d, d)), ``scalings_`` (list of (d,)).
    """

    def __init__(self, *, priors: Any = None, reg_param: float = 0.0, tol: float = 1e-4) -> None:
        self.priors = priors
        self.reg_param = reg_param
        self.tol = tol

    def fit(self, X: Any, y: Any) -> "QuadraticDiscriminantAnalysis":
        X, y = self._validate_X_y(X, y, y_dtype=None)
        y_index = self._encode_classes(y)
        if not 0.0 <= self.reg_param <= 1.0:
            raise ValueError(f"QuadraticDiscriminantAnalysis: reg_param must be in [0, 1], got {self.reg_param!r}.")
        self._fit_priors(y_index)
        means, rotations, scalings = [], [], []
        for k, label in enumerate(self.classes_):
            X_class = X[y_index == k]
            if len(X_class) < 2:
                raise ValueError(f"QuadraticDiscriminantAnalysis: class {label} has {len(X_class)} sample; need at least 2.")
            eigenvalues, eigenvectors = np.linalg.eigh(_covariance(X_class, None))
            order = np.argsort(eigenvalues)[::-1]
            scaling = (1.0 - self.reg_param) * np.clip(eigenvalues[order], 0.0, None) + self.reg_param
            if np.any(scaling <= self.tol):
                raise ValueError(
                    f"QuadraticDiscriminantAnalysis: the covariance of class {label} is singular "
                    f"(rank {int(np.sum(scaling > self.tol))} < {X.shape[1]} features); increase reg_param."
                )
            means.append(X_class.mean(axis=0))
            rotations.append(eigenvectors[:, order])
            scalings.append(scaling)
        self.means_, self.rotations_, self.scalings_ = np.array(means), rotations, scalings
        return self

    def _log_posterior(self, X: Any, method: str) -> np.ndarray:
        X = self._validate_X(X, method)
        columns = []
        for mean, rotation, scaling, prior in zip(self.means_, self.rotations_, self.scalings_, self.priors_):
            whitened = (X - mean) @ (rotation / np.sqrt(scaling))
            columns.append(-0.5 * (np.sum(whitened**2, axis=1) + np.sum(np.log(scaling))) + np.log(prior))
        return np.column_stack(columns)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-posterior up to a shared constant, (n, K) (log-odds (n,) for two classes)."""
        scores = self._log_posterior(X, "decision_function")
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores
