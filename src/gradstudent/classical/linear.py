"""Linear regression: least squares, ridge, lasso and elastic net.

All models predict ŷ = X w + b. With ``fit_intercept`` the data are centered
first (Xc = X - x̄, yc = y - ȳ), the penalized problem is solved for w on the
centered data, and b = ȳ - x̄·w; so the intercept is never penalized.

* Ordinary least squares: min_w ‖yc - Xc w‖². Solved with ``lstsq`` (SVD),
  which returns the minimum-norm solution when the system is under-determined
  (more features than samples): the interpolating solution used in the
  double-descent experiment.
* Ridge: min_w ‖yc - Xc w‖² + α‖w‖², closed form (XcᵀXc + αI) w = Xcᵀ yc.
* Elastic net (scikit-learn's scaling):
      min_w  1/(2n) ‖yc - Xc w‖² + α ρ ‖w‖₁ + α (1 - ρ)/2 ‖w‖²,
  ρ = ``l1_ratio``; the lasso is ρ = 1. Solved by cyclic coordinate descent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradstudent.classical.base import BaseEstimator, RegressorMixin

__all__ = ["LinearRegression", "Ridge", "Lasso", "ElasticNet", "enet_coordinate_descent"]


class _LinearModel(RegressorMixin, BaseEstimator):
    """Shared centering and prediction for the linear regressors."""

    fit_intercept: bool

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y may be (n_samples, n_targets)
        return tags

    def _center(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        X = self._validate_X(X, "fit", reset=True)
        if y is None:
            raise ValueError(f"{type(self).__name__}.fit requires y to be passed, but the target y is None.")
        y = np.asarray(y, dtype=float)
        if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{type(self).__name__}.fit: y must have shape (n_samples,) or (n_samples, n_targets) "
                f"with n_samples={X.shape[0]} (X.shape={X.shape}), got y.shape={y.shape}."
            )
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{type(self).__name__}.fit: y contains NaN or infinity.")
        if self.fit_intercept:
            x_mean, y_mean = X.mean(axis=0), y.mean(axis=0)
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(y.shape[1:])
        return X - x_mean, y - y_mean, x_mean, y_mean

    def _set_intercept(self, x_mean: np.ndarray, y_mean: np.ndarray) -> None:
        # coef_ has shape (d,) for 1-D y and (n_targets, d) for 2-D y, like scikit-learn
        self.intercept_ = y_mean - self.coef_ @ x_mean if self.fit_intercept else np.zeros_like(y_mean) * 0.0
        if np.ndim(self.intercept_) == 0:
            self.intercept_ = float(self.intercept_)

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = X wᵀ + b, shape (n,) or (n, n_targets)."""
        X = self._validate_X(X, "predict")
        return X @ self.coef_.T + self.intercept_


class LinearRegression(_LinearModel):
    """Ordinary least squares, min ‖y - Xw - b‖², via SVD-based ``lstsq``
    (minimum-norm solution when under-determined).

    Fitted attributes: ``coef_`` (d,) or (t, d), ``intercept_``, ``rank_``,
    ``singular_values_``.
    """

    def __init__(self, *, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    def fit(self, X: Any, y: Any) -> "LinearRegression":
        Xc, yc, x_mean, y_mean = self._center(X, y)
        # treat singular values below max(n, d)·eps·s_max as zero: centering makes X exactly
        # rank-deficient when n ≤ d, and round-off must not turn that zero into a huge 1/s
        cutoff = max(Xc.shape) * np.finfo(float).eps
        coef, _, self.rank_, self.singular_values_ = np.linalg.lstsq(Xc, yc, rcond=cutoff)
        self.coef_ = coef.T
        self._set_intercept(x_mean, y_mean)
        return self


class Ridge(_LinearModel):
    """Ridge regression, min ‖y - Xw - b‖² + α‖w‖².

    Primal solve (XcᵀXc + αI) w = Xcᵀyc when n ≥ d; otherwise the equivalent
    dual form w = Xcᵀ (XcXcᵀ + αI)⁻¹ yc, which only needs an n × n system.
    (NumPy's LAPACK solve; using NumPy's linear algebra throughout keeps all
    the work in one BLAS library.)
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X: Any, y: Any) -> "Ridge":
        if not np.isscalar(self.alpha) or self.alpha < 0:
            raise ValueError(f"Ridge: alpha must be a non-negative float, got {self.alpha!r}.")
        Xc, yc, x_mean, y_mean = self._center(X, y)
        n_samples, n_features = Xc.shape
        if n_samples >= n_features:
            gram = Xc.T @ Xc
            gram.flat[:: n_features + 1] += self.alpha
            coef = np.linalg.solve(gram, Xc.T @ yc)
        else:
            kernel = Xc @ Xc.T
            kernel.flat[:: n_samples + 1] += self.alpha
            coef = Xc.T @ np.linalg.solve(kernel, yc)
        self.coef_ = coef.T
        self._set_intercept(x_mean, y_mean)
        return self


def enet_coordinate_descent(
    gram: np.ndarray,
    Xty: np.ndarray,
    yty: float,
    n_samples: int,
    alpha: float,
    l1_ratio: float,
    *,
    max_iter: int = 1000,
    tol: float = 1e-4,
    coef: np.ndarray | None = None,
) -> tuple[np.ndarray, float, int]:
    """Cyclic coordinate descent for the elastic net, on the Gram matrix.

    Minimizes (multiplied by n) P(w) = ½‖y - Xw‖² + λ₁‖w‖₁ + ½λ₂‖w‖² with
    λ₁ = nαρ, λ₂ = nα(1-ρ). Fixing all coordinates but w_j, the minimizer is

        w_j ← S(x_jᵀ r + ‖x_j‖² w_j, λ₁) / (‖x_j‖² + λ₂),

    with r = y - Xw and soft-thresholding S(z, λ) = sign(z)·max(|z| - λ, 0).
    Only G = XᵀX (d × d) and Xᵀy are needed: x_jᵀ r = (Xᵀy)_j - (G w)_j, and
    we keep q = G w up to date with one axpy per *changed* coordinate, so a
    coordinate that stays at zero costs a few scalar operations.

    Convergence is certified by the duality gap: with θ = s·r, scaled so that
    ‖Xᵀθ - λ₂w‖_∞ ≤ λ₁, the gap P(w) - D(θ) ≥ P(w) - P(w*) ≥ 0 and we stop when
    it is below tol·‖y‖². The gap is evaluated only after a sweep whose
    largest coordinate change is small relative to max |w_j|.

    Returns (w, final duality gap, number of sweeps).
    """
    n_features = gram.shape[0]
    l1 = n_samples * alpha * l1_ratio
    l2 = n_samples * alpha * (1.0 - l1_ratio)
    w = np.zeros(n_features) if coef is None else np.array(coef, dtype=float)
    q = gram @ w
    # The sweep below is a plain Python loop over features, so everything it
    # touches is prepared as Python floats / bound methods: that is what makes
    # a step cost ~1 µs instead of several.
    diagonal = np.diag(gram).tolist()
    features = [j for j in range(n_features) if diagonal[j] > 0.0]  # skip all-zero (centered constant) columns
    denominators = [diagonal[j] + l2 for j in range(n_features)]
    gram_rows = list(np.ascontiguousarray(gram))  # row j == column j (G is symmetric), contiguous
    xty_list = Xty.tolist()
    scratch, multiply, add, q_item = np.empty(n_features), np.multiply, np.add, q.item
    w_list = w.tolist()
    gap_tolerance = tol * yty
    gap = np.inf
    sweep = 0
    for sweep in range(1, max_iter + 1):
        before = np.array(w_list)
        for j in features:
            old = w_list[j]
            z = xty_list[j] - q_item(j) + diagonal[j] * old
            if z > l1:
                new = (z - l1) / denominators[j]
            elif z < -l1:
                new = (z + l1) / denominators[j]
            else:
                new = 0.0
            if new != old:
                # q += G[j] * (new - old), without allocating a temporary
                multiply(gram_rows[j], new - old, out=scratch)
                add(q, scratch, out=q)
                w_list[j] = new
        w = np.array(w_list)
        largest_weight = float(np.max(np.abs(w))) if n_features else 0.0
        largest_change = float(np.max(np.abs(w - before))) if n_features else 0.0
        if largest_weight == 0.0 or largest_change <= tol * largest_weight or sweep == max_iter:
            gap = _enet_duality_gap(w, q, Xty, yty, l1, l2)
            if gap <= gap_tolerance:
                break
    return np.array(w_list), float(gap), sweep


def _enet_duality_gap(w: np.ndarray, gram_w: np.ndarray, Xty: np.ndarray, yty: float, l1: float, l2: float) -> float:
    """Duality gap of the (n-scaled) elastic net at w, from Gram quantities.

    ‖r‖² = yᵀy - 2wᵀXᵀy + wᵀGw and Xᵀr = Xᵀy - Gw. The dual point θ = s·r with
    s = min(1, λ₁ / ‖Xᵀr - λ₂w‖_∞) gives
    gap = ½‖r‖²(1 + s²) + λ₁‖w‖₁ - s·rᵀy + ½λ₂(1 + s²)‖w‖².
    """
    residual_norm2 = max(yty - 2.0 * w @ Xty + w @ gram_w, 0.0)
    correlation = Xty - gram_w - l2 * w
    dual_norm = np.max(np.abs(correlation)) if len(w) else 0.0
    scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    residual_dot_y = yty - w @ Xty
    return float(
        0.5 * residual_norm2 * (1.0 + scale**2)
        + l1 * np.sum(np.abs(w))
        - scale * residual_dot_y
        + 0.5 * l2 * (1.0 + scale**2) * (w @ w)
    )


class ElasticNet(_LinearModel):
    """Elastic net, min 1/(2n)‖y - Xw - b‖² + αρ‖w‖₁ + α(1-ρ)/2 ‖w‖²
    (ρ = ``l1_ratio``), by coordinate descent (:func:`enet_coordinate_descent`).

    Fitted attributes: ``coef_`` (d,) or (t, d), ``intercept_``, ``n_iter_``,
    ``dual_gap_``.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any) -> "ElasticNet":
        name = type(self).__name__
        if self.alpha < 0:
            raise ValueError(f"{name}: alpha must be >= 0, got {self.alpha!r}.")
        if not 0.0 <= self.l1_ratio <= 1.0:
            raise ValueError(f"{name}: l1_ratio must be in [0, 1], got {self.l1_ratio!r}.")
        Xc, yc, x_mean, y_mean = self._center(X, y)
        gram = Xc.T @ Xc
        targets = yc.reshape(len(yc), -1)
        coefs, gaps, sweeps = [], [], []
        for target in targets.T:
            w, gap, n_sweeps = enet_coordinate_descent(
                gram, Xc.T @ target, float(target @ target), Xc.shape[0], self.alpha, self.l1_ratio,
                max_iter=self.max_iter, tol=self.tol,
            )
            coefs.append(w), gaps.append(gap), sweeps.append(n_sweeps)
        self.coef_ = coefs[0] if yc.ndim == 1 else np.array(coefs)
        self.dual_gap_ = gaps[0] if yc.ndim == 1 else np.array(gaps)
        self.n_iter_ = max(sweeps)
        self._set_intercept(x_mean, y_mean)
        return self


class Lasso(ElasticNet):
    """Lasso, min 1/(2n)‖y - Xw - b‖² + α‖w‖₁: the elastic net with ρ = 1."""

    def __init__(
        self, alpha: float = 1.0, *, fit_intercept: bool = True, max_iter: int = 1000, tol: float = 1e-4
    ) -> None:
        super().__init__(alpha, l1_ratio=1.0, fit_intercept=fit_intercept, max_iter=max_iter, tol=tol)
