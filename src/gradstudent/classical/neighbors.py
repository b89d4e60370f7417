"""k-nearest-neighbour classification and regression (brute force).

Prediction looks up the k training points closest to x (Euclidean distance,
or Manhattan with p=1) and combines their targets:

* uniform weights: majority vote / mean of the k targets;
* distance weights: each neighbour votes with weight 1/d(x, x_i), so closer
  neighbours count more; a neighbour at distance 0 takes all the weight.

Squared Euclidean distances are computed for all pairs at once with
‖a - b‖² = ‖a‖² - 2 a·b + ‖b‖², in chunks of queries to bound memory.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from gradstudent.classical.base import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor", "pairwise_distances", "nearest_neighbors"]


def pairwise_distances(A: np.ndarray, B: np.ndarray, p: int = 2) -> np.ndarray:
    """Distances ‖A_i - B_j‖_p for p = 2 (via the dot-product expansion) or p = 1."""
    if p == 1:
        return np.abs(A[:, None, :] - B[None, :, :]).sum(axis=2)
    squared = np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
    return np.sqrt(np.maximum(squared, 0.0))  # round-off can make tiny squares negative


def nearest_neighbors(
    queries: np.ndarray, points: np.ndarray, k: int, *, p: int = 2, exclude_self: bool = False, chunk: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of the k nearest ``points`` to each query, sorted
    by distance (ties by index), shapes (n_queries, k). With ``exclude_self``
    the queries are the points themselves and each point's own index is skipped."""
    n_queries, n_points = queries.shape[0], points.shape[0]
    if k > n_points - int(exclude_self):
        raise ValueError(f"nearest_neighbors: asked for k={k} neighbours among {n_points} points.")
    distances = np.empty((n_queries, k))
    indices = np.empty((n_queries, k), dtype=np.int64)
    step = chunk if p == 2 else max(1, chunk // 16)  # the p=1 path materializes (chunk, n, d)
    for start in range(0, n_queries, step):
        stop = min(start + step, n_queries)
        block = pairwise_distances(queries[start:stop], points, p)
        if exclude_self:
            block[np.arange(stop - start), np.arange(start, stop)] = np.inf
        # the k smallest in any order (linear time), then sorted by (distance, index)
        candidates = np.argpartition(block, k - 1, axis=1)[:, :k] if k < n_points else np.tile(np.arange(n_points), (stop - start, 1))
        if p == 2:  # recompute the few selected distances directly: exact 0 for duplicates
            difference = queries[start:stop, None, :] - points[candidates]
            candidate_distances = np.sqrt(np.einsum("qkd,qkd->qk", difference, difference))
        else:
            candidate_distances = np.take_along_axis(block, candidates, axis=1)
        by_index = np.argsort(candidates, axis=1, kind="stable")
        candidates = np.take_along_axis(candidates, by_index, axis=1)
        candidate_distances = np.take_along_axis(candidate_distances, by_index, axis=1)
        order = np.argsort(candidate_distances, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(candidates, order, axis=1)
        distances[start:stop] = np.take_along_axis(candidate_distances, order, axis=1)
    return distances, indices


class _KNeighborsBase(BaseEstimator):
    def __init__(self, n_neighbors: int = 5, *, weights: Literal["uniform", "distance"] = "uniform", p: int = 2) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.p = p

    def _store(self, X: Any, y: np.ndarray) -> None:
        name = type(self).__name__
        if not (isinstance(self.n_neighbors, (int, np.integer)) and self.n_neighbors >= 1):
            raise ValueError(f"{name}: n_neighbors must be a positive int, got {self.n_neighbors!r}.")
        if self.n_neighbors > X.shape[0]:
            raise ValueError(f"{name}: n_neighbors={self.n_neighbors} exceeds the number of training samples (n_samples={X.shape[0]}).")
        if self.weights not in ("uniform", "distance"):
            raise ValueError(f"{name}: weights must be 'uniform' or 'distance', got {self.weights!r}.")
        if self.p not in (1, 2):
            raise ValueError(f"{name}: p must be 1 (Manhattan) or 2 (Euclidean), got {self.p!r}.")
        self._fit_X, self._fit_y = X, y
        self.n_samples_fit_ = X.shape[0]

    def kneighbors(self, X: Any, n_neighbors: int | None = None, *, _method: str = "kneighbors") -> tuple[np.ndarray, np.ndarray]:
        """(distances, indices) of the nearest training points, shape (n, k)."""
        X = self._validate_X(X, _method)
        return nearest_neighbors(X, self._fit_X, n_neighbors or self.n_neighbors, p=self.p)

    def _neighbor_weights(self, distances: np.ndarray) -> np.ndarray:
        """(n, k) weights: ones, or 1/d with exact matches taking all the weight."""
        if self.weights == "uniform":
            return np.ones_like(distances)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / distances
        exact = np.isinf(inverse)
        rows_with_exact = exact.any(axis=1)
        inverse[rows_with_exact] = exact[rows_with_exact]
        return inverse


class KNeighborsClassifier(ClassifierMixin, _KNeighborsBase):
    """k-NN classification: (weighted) vote of the k nearest training labels.
    Ties between classes go to the class listed first in ``classes_``.

    Fitted attributes: ``classes_``, ``n_samples_fit_``.
    """

    def fit(self, X: Any, y: Any) -> "KNeighborsClassifier":
        X, y = self._validate_X_y(X, y, y_dtype=None)
        self._store(X, self._encode_classes(y, min_classes=1))
        return self

    def predict_proba(self, X: Any, *, _method: str = "predict_proba") -> np.ndarray:
        """Vote shares, shape (n, n_classes): Σ_{neighbours of class c} w / Σ w."""
        distances, indices = self.kneighbors(X, _method=_method)
        weights = self._neighbor_weights(distances)
        votes = np.zeros((len(indices), len(self.classes_)))
        np.add.at(votes, (np.arange(len(indices))[:, None], self._fit_y[indices]), weights)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        shares = self.predict_proba(X, _method="predict")
        return self.classes_[np.argmax(shares, axis=1)]


class KNeighborsRegressor(RegressorMixin, _KNeighborsBase):
    """k-NN regression: (weighted) mean of the k nearest training targets."""

    def fit(self, X: Any, y: Any) -> "KNeighborsRegressor":
        X, y = self._validate_X_y(X, y)
        self._store(X, y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        distances, indices = self.kneighbors(X, _method="predict")
        weights = self._neighbor_weights(distances)
        return np.sum(weights * self._fit_y[indices], axis=1) / np.sum(weights, axis=1)
