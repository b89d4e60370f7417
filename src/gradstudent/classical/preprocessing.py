"""Feature transformations: standardization, polynomial features and random
feature expansions.

Random features turn a kernel method into a linear one (Rahimi & Recht, 2007):
choose a feature map z: R^d -> R^D with z(x)·z(x') ≈ k(x, x'), then fit a
linear model on z(X). With D random features and n training samples, a
least-squares fit on z(X) interpolates the data once D ≥ n, which is the
setting of the double-descent experiment.
"""

from __future__ import annotations

from itertools import combinations, combinations_with_replacement
from typing import Any

import numpy as np

from gradstudent.classical.base import BaseEstimator, TransformerMixin, check_random_state

__all__ = ["StandardScaler", "PolynomialFeatures", "RandomFourierFeatures", "RandomReLUFeatures"]


class StandardScaler(TransformerMixin, BaseEstimator):
    """Standardize features: z = (x - mean) / std, per column.

    Columns with zero variance are left unscaled (std treated as 1) so that
    constant features do not produce NaN.

    Fitted attributes: ``mean_`` (d,), ``scale_`` (d,), ``var_`` (d,).
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None) -> "StandardScaler":
        X = self._validate_X(X, "fit", reset=True)
        self.mean_ = X.mean(axis=0) if self.with_mean else np.zeros(X.shape[1])
        self.var_ = X.var(axis=0)
        scale = np.sqrt(self.var_)
        self.scale_ = np.where(scale > 10 * np.finfo(float).eps, scale, 1.0) if self.with_std else np.ones(X.shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray:
        X = self._validate_X(X, "transform")
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, Z: Any) -> np.ndarray:
        self._check_is_fitted("inverse_transform")
        return np.asarray(Z, dtype=float) * self.scale_ + self.mean_


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the input features up to total degree ``degree``.

    For d = 2 and degree 2 the output columns are [1, a, b, a², ab, b²]:
    degree by degree, and within a degree the index tuples in lexicographic
    order (``itertools.combinations_with_replacement``), the same order as
    scikit-learn. ``interaction_only`` keeps only products of distinct
    features; ``include_bias`` adds the constant column.
    The number of outputs is C(d + degree, degree) (with bias).
    """

    def __init__(self, degree: int = 2, *, interaction_only: bool = False, include_bias: bool = True) -> None:
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    def fit(self, X: Any, y: Any = None) -> "PolynomialFeatures":
        X = self._validate_X(X, "fit", reset=True)
        if not (isinstance(self.degree, (int, np.integer)) and self.degree >= 0):
            raise ValueError(f"PolynomialFeatures: degree must be a non-negative int, got {self.degree!r}.")
        combine = combinations if self.interaction_only else combinations_with_replacement
        start = 0 if self.include_bias else 1
        self.powers_index_ = [
            indices for degree in range(start, self.degree + 1) for indices in combine(range(X.shape[1]), degree)
        ]
        self.n_output_features_ = len(self.powers_index_)
        return self

    @property
    def powers_(self) -> np.ndarray:
        """(n_output_features, n_features) exponent of each input in each output."""
        powers = np.zeros((len(self.powers_index_), self.n_features_in_), dtype=int)
        for row, indices in enumerate(self.powers_index_):
            for index in indices:
                powers[row, index] += 1
        return powers

    def transform(self, X: Any) -> np.ndarray:
        X = self._validate_X(X, "transform")
        out = np.empty((X.shape[0], self.n_output_features_))
        for column, indices in enumerate(self.powers_index_):
            out[:, column] = np.prod(X[:, list(indices)], axis=1)  # empty product = 1 (bias)
        return out


class RandomFourierFeatures(TransformerMixin, BaseEstimator):
    """Random Fourier features for the Gaussian (RBF) kernel.

    Bochner's theorem: k(x, x') = exp(-γ‖x - x'‖²) = E_w[cos(w·(x - x'))] with
    w ~ N(0, 2γ I). With b ~ U[0, 2π) the map

        z(x) = sqrt(2 / D) · cos(x W + b),   W: (d, D),  b: (D,)

    satisfies E[z(x)·z(x')] = k(x, x'); the error of the D-feature estimate is
    O(1/sqrt(D)). (Same construction as scikit-learn's ``RBFSampler``.)

    Fitted attributes: ``random_weights_`` (d, D), ``random_offset_`` (D,).
    """

    def __init__(self, n_components: int = 100, *, gamma: float = 1.0, random_state: int | None = None) -> None:
        self.n_components = n_components
        self.gamma = gamma
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> "RandomFourierFeatures":
        X = self._validate_X(X, "fit", reset=True)
        rng = check_random_state(self.random_state)
        self.random_weights_ = np.sqrt(2.0 * self.gamma) * rng.standard_normal((X.shape[1], self.n_components))
        self.random_offset_ = rng.uniform(0.0, 2.0 * np.pi, size=self.n_components)
        return self

    def transform(self, X: Any) -> np.ndarray:
        X = self._validate_X(X, "transform")
        projection = X @ self.random_weights_ + self.random_offset_
        return np.sqrt(2.0 / self.n_components) * np.cos(projection)


class RandomReLUFeatures(TransformerMixin, BaseEstimator):
    """Random ReLU features: a one-hidden-layer network with frozen random
    first layer,

        z(x) = max(0, x W + b) / sqrt(D),   W_ij ~ N(0, 1/d),  b_j ~ N(0, bias_scale²/d).

    As D → ∞, z(x)·z(x') converges to the degree-1 arc-cosine kernel of Cho &
    Saul (2009) on the augmented inputs: with b = 0 and u = x/sqrt(d),
    k(x, x') = ‖u‖‖u'‖ (sin θ + (π - θ) cos θ) / (2π), θ = angle(x, x').
    Fitting only the output layer is "random features regression".

    Fitted attributes: ``random_weights_`` (d, D), ``random_offset_`` (D,).
    """

    def __init__(self, n_components: int = 100, *, bias_scale: float = 1.0, random_state: int | None = None) -> None:
        self.n_components = n_components
        self.bias_scale = bias_scale
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> "RandomReLUFeatures":
        X = self._validate_X(X, "fit", reset=True)
        rng = check_random_state(self.random_state)
        scale = 1.0 / np.sqrt(X.shape[1])
        self.random_weights_ = scale * rng.standard_normal((X.shape[1], self.n_components))
        self.random_offset_ = self.bias_scale * scale * rng.standard_normal(self.n_components)
        return self

    def transform(self, X: Any) -> np.ndarray:
        X = self._validate_X(X, "transform")
        return np.maximum(X @ self.random_weights_ + self.random_offset_, 0.0) / np.sqrt(self.n_components)
