"""Generalized linear models: logistic regression and Poisson / Gamma regression.

A GLM models E[y | x] = g⁻¹(x·w + b) for a link g and an exponential-family
noise model; fitting maximizes the (penalized) likelihood, a smooth convex
problem, solved here with L-BFGS (``scipy.optimize.minimize``) or Newton's
method. The objectives use scikit-learn's scaling so that fitted
coefficients agree with it:

* LogisticRegression (C = inverse regularization strength):
      min_{W,b}  (1/n) Σ_i -log p(y_i | x_i) + ‖W‖² / (2 C n)
  binary: p(y=1|x) = σ(x·w + b);  multiclass: p(y=k|x) = softmax(x Wᵀ + b)_k
  (the "multinomial" model with one weight vector per class).
* PoissonRegressor (log link, y ≥ 0):  min (1/n) Σ (μ_i - y_i log μ_i) + α/2 ‖w‖²,
  μ = exp(x·w + b); this is half the mean Poisson deviance up to a constant.
* GammaRegressor (log link, y > 0):    min (1/n) Σ (y_i/μ_i + log μ_i) + α/2 ‖w‖².
The intercept is never penalized.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np
from scipy import optimize
from scipy.special import expit, log_softmax, logsumexp

from gradstudent.classical.base import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["LogisticRegression", "PoissonRegressor", "GammaRegressor"]

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _lbfgs(objective: Objective, start: np.ndarray, max_iter: int, tol: float) -> tuple[np.ndarray, int]:
    """Minimize with L-BFGS-B; stop when the projected gradient's max-norm < tol."""
    result = optimize.minimize(
        objective,
        start,
        method="L-BFGS-B",
        jac=True,
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
    )
    return result.x, int(result.nit)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularized logistic regression (binary, or multinomial softmax for
    more than two classes).

    Parameters
    ----------
    C : inverse regularization strength (``np.inf`` = no penalty).
    solver : "lbfgs" (any number of classes) or "newton" (binary only:
        iteratively reweighted least squares, w ← w - H⁻¹∇ with
        H = XᵀSX/n + I/(Cn), S = diag(p(1-p))).

    Fitted attributes: ``classes_``, ``coef_`` (1, d) for binary / (K, d),
    ``intercept_`` (1,) / (K,), ``n_iter_``.
    """

    def __init__(
        self,
        C: float = 1.0,
        *,
        fit_intercept: bool = True,
        solver: Literal["lbfgs", "newton"] = "lbfgs",
        max_iter: int = 100,
        tol: float = 1e-4,
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    # The parameter vector packs the weights (K_out × d, row-major) then the K_out intercepts.
    def _objective(self, X: np.ndarray, y_index: np.ndarray, n_out: int) -> Objective:
        n_samples, n_features = X.shape
        penalty = 0.0 if np.isinf(self.C) else 1.0 / (self.C * n_samples)
        targets = np.eye(n_out)[y_index] if n_out > 1 else y_index.astype(float)

        def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
            weights = params[: n_out * n_features].reshape(n_out, n_features)
            bias = params[n_out * n_features :] if self.fit_intercept else np.zeros(n_out)
            logits = X @ weights.T + bias  # (n, n_out)
            if n_out == 1:  # binary: loss = log(1 + e^z) - y z,  dloss/dz = σ(z) - y
                z = logits[:, 0]
                loss = np.mean(np.logaddexp(0.0, z) - targets * z)
                residual = (expit(z) - targets)[:, None]
            else:  # multinomial: loss = logsumexp(z) - z_y,  dloss/dz = softmax(z) - onehot(y)
                log_norm = logsumexp(logits, axis=1, keepdims=True)
                loss = np.mean(log_norm[:, 0] - np.sum(logits * targets, axis=1))
                residual = np.exp(logits - log_norm) - targets
            value = loss + 0.5 * penalty * np.sum(weights * weights)
            grad_weights = residual.T @ X / n_samples + penalty * weights
            gradient = [grad_weights.ravel()]
            if self.fit_intercept:
                gradient.append(residual.mean(axis=0))
            return float(value), np.concatenate(gradient)

        return objective

    def _newton(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
        """Binary Newton / IRLS on the augmented design [X, 1]."""
        n_samples, n_features = X.shape
        design = np.hstack([X, np.ones((n_samples, 1))]) if self.fit_intercept else X
        ridge = np.full(design.shape[1], 0.0 if np.isinf(self.C) else 1.0 / (self.C * n_samples))
        if self.fit_intercept:
            ridge[-1] = 0.0  # the intercept is not penalized
        params = np.zeros(design.shape[1])
        iteration = 0
        for iteration in range(1, self.max_iter + 1):
            p = expit(design @ params)
            gradient = design.T @ (p - y) / n_samples + ridge * params
            if np.max(np.abs(gradient)) < self.tol:
                iteration -= 1
                break
            hessian = (design.T * (p * (1 - p))) @ design / n_samples + np.diag(ridge)
            params -= np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        return params, iteration

    def fit(self, X: Any, y: Any) -> "LogisticRegression":
        X, y = self._validate_X_y(X, y, y_dtype=None)
        y_index = self._encode_classes(y)
        if not self.C > 0:
            raise ValueError(f"LogisticRegression: C must be positive, got {self.C!r}.")
        n_classes = len(self.classes_)
        n_out = 1 if n_classes == 2 else n_classes
        n_features = X.shape[1]
        if self.solver == "newton":
            if n_out != 1:
                raise ValueError(f"LogisticRegression: solver='newton' supports binary problems only, got {n_classes} classes.")
            params, self.n_iter_ = self._newton(X, y_index.astype(float))
        elif self.solver == "lbfgs":
            start = np.zeros(n_out * n_features + (n_out if self.fit_intercept else 0))
            params, self.n_iter_ = _lbfgs(self._objective(X, y_index, n_out), start, self.max_iter, self.tol)
        else:
            raise ValueError(f"LogisticRegression: solver must be 'lbfgs' or 'newton', got {self.solver!r}.")
        self.coef_ = params[: n_out * n_features].reshape(n_out, n_features)
        self.intercept_ = params[n_out * n_features :].copy() if self.fit_intercept else np.zeros(n_out)
        return self

    def _scores(self, X: Any, method: str) -> np.ndarray:
        X = self._validate_X(X, method)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits X Wᵀ + b: shape (n,) for binary (log-odds of classes_[1]), else (n, K)."""
        return self._scores(X, "decision_function")

    def _log_proba(self, X: Any, method: str) -> np.ndarray:
        scores = self._scores(X, method)
        if scores.ndim == 1:
            scores = np.column_stack([np.zeros_like(scores), scores])  # log-odds → two logits
        return log_softmax(scores, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        return self._log_proba(X, "predict_log_proba")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, n_classes), columns in ``classes_`` order."""
        return np.exp(self._log_proba(X, "predict_proba"))

    def predict(self, X: Any) -> np.ndarray:
        scores = self._scores(X, "predict")
        index = (scores > 0).astype(int) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return self.classes_[index]


class _LogLinkRegressor(RegressorMixin, BaseEstimator):
    """GLM with log link μ = exp(x·w + b) and L2 penalty α/2 ‖w‖², by L-BFGS."""

    def __init__(self, *, alpha: float = 1.0, fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-4) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _unit_loss(self, y: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample loss ℓ(y, η) and dℓ/dη (η = linear predictor)."""
        raise NotImplementedError

    def _check_target(self, y: np.ndarray) -> None:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True  # counts (Poisson) and positive amounts (Gamma)
        return tags

    def fit(self, X: Any, y: Any) -> "_LogLinkRegressor":
        X, y = self._validate_X_y(X, y)
        self._check_target(y)
        if self.alpha < 0:
            raise ValueError(f"{type(self).__name__}: alpha must be >= 0, got {self.alpha!r}.")
        n_samples, n_features = X.shape

        def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
            w = params[:n_features]
            eta = X @ w + (params[-1] if self.fit_intercept else 0.0)
            loss, dloss = self._unit_loss(y, eta)
            value = loss.mean() + 0.5 * self.alpha * (w @ w)
            gradient = [X.T @ dloss / n_samples + self.alpha * w]
            if self.fit_intercept:
                gradient.append([dloss.mean()])
            return float(value), np.concatenate(gradient)

        start = np.zeros(n_features + int(self.fit_intercept))
        if self.fit_intercept:
            start[-1] = np.log(np.mean(y))  # the best constant model: μ = ȳ
        params, self.n_iter_ = _lbfgs(objective, start, self.max_iter, self.tol)
        self.coef_ = params[:n_features]
        self.intercept_ = float(params[-1]) if self.fit_intercept else 0.0
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted mean μ = exp(X w + b)."""
        X = self._validate_X(X, "predict")
        return np.exp(X @ self.coef_ + self.intercept_)


class PoissonRegressor(_LogLinkRegressor):
    """Poisson regression: y | x ~ Poisson(μ), μ = exp(x·w + b).
    Per-sample loss ℓ = μ - y η (negative log-likelihood up to a constant),
    dℓ/dη = μ - y."""

    def _check_target(self, y: np.ndarray) -> None:
        if np.any(y < 0) or np.sum(y) <= 0:
            raise ValueError("PoissonRegressor.fit: y must be non-negative with a positive sum.")

    def _unit_loss(self, y: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = np.exp(eta)
        return mu - y * eta, mu - y


class GammaRegressor(_LogLinkRegressor):
    """Gamma regression: y | x ~ Gamma with mean μ = exp(x·w + b).
    Per-sample loss ℓ = y e^{-η} + η (up to constants), dℓ/dη = 1 - y e^{-η}."""

    def _check_target(self, y: np.ndarray) -> None:
        if np.any(y <= 0):
            raise ValueError("GammaRegressor.fit: y must be strictly positive.")

    def _unit_loss(self, y: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaled = y * np.exp(-eta)
        return scaled + eta, 1.0 - scaled
