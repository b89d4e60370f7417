"""Clustering: k-means (Lloyd's algorithm with k-means++ seeding) and mean shift.

k-means minimizes the inertia Σ_i ‖x_i - μ_{c(i)}‖² over centers μ and
assignments c by alternating the two exact partial minimizations:
assign each point to its nearest center, then move each center to the mean
of its points. The inertia never increases, so the iteration converges (to
a local minimum; hence several restarts, ``n_init``).

k-means++ (Arthur & Vassilvitskii, 2007) seeds the centers far apart: the
first uniformly at random, each next one with probability ∝ D(x)², the
squared distance to the nearest chosen center ("greedy" variant: draw
2 + ⌊ln k⌋ candidates and keep the one reducing the potential most).

Mean shift (Comaniciu & Meer, 2002) finds the modes of a kernel density
estimate by fixed-point iteration: x ← Σ_i K(x_i - x) x_i / Σ_i K(x_i - x),
the kernel-weighted mean of the data around x. Started from every data
point, the iterates climb to nearby modes; modes closer than the bandwidth
are merged and points are labelled by their nearest mode.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from gradstudent.classical.base import BaseEstimator, ClusterMixin, TransformerMixin, check_random_state

__all__ = ["KMeans", "MeanShift", "kmeans_plusplus", "estimate_bandwidth"]


def _squared_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    squared = np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
    return np.maximum(squared, 0.0)


def kmeans_plusplus(X: np.ndarray, n_clusters: int, rng: np.random.Generator, n_local_trials: int | None = None) -> np.ndarray:
    """Greedy k-means++ seeding; returns (n_clusters, d) initial centers."""
    n_samples = X.shape[0]
    trials = n_local_trials or 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, X.shape[1]))
    centers[0] = X[rng.integers(n_samples)]
    closest = _squared_distances(centers[:1], X)[0]  # D(x)²
    for c in range(1, n_clusters):
        # sample candidates with probability ∝ D(x)², keep the best
        total = closest.sum()
        if total <= 0:  # all points coincide with chosen centers
            candidates = rng.integers(n_samples, size=trials)
        else:
            candidates = np.searchsorted(np.cumsum(closest), rng.uniform(size=trials) * total)
            candidates = np.minimum(candidates, n_samples - 1)
        candidate_closest = np.minimum(closest, _squared_distances(X[candidates], X))
        best = int(np.argmin(candidate_closest.sum(axis=1)))
        centers[c] = X[candidates[best]]
        closest = candidate_closest[best]
    return centers


def _lloyd(X: np.ndarray, centers: np.ndarray, max_iter: int, tol: float) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lloyd iterations from ``centers``. Stops when the assignment no longer
    changes or the total squared center movement is ≤ tol.
    Returns (centers, labels, inertia, iterations)."""
    labels = np.full(X.shape[0], -1)
    iteration = 0
    converged_exactly = False
    for iteration in range(1, max_iter + 1):
        distances = _squared_distances(X, centers)
        new_labels = np.argmin(distances, axis=1)
        new_centers = centers.copy()
        counts = np.bincount(new_labels, minlength=len(centers))
        sums = np.zeros_like(centers)
        np.add.at(sums, new_labels, X)
        filled = counts > 0
        new_centers[filled] = sums[filled] / counts[filled, None]
        if not filled.all():  # re-seed empty clusters at the points worst served
            worst = np.argsort(-distances[np.arange(len(X)), new_labels])[: int((~filled).sum())]
            new_centers[~filled] = X[worst]
        shift = np.sum((new_centers - centers) ** 2)
        centers = new_centers
        if np.array_equal(new_labels, labels):
            converged_exactly = True
            break
        labels = new_labels
        if shift <= tol:
            break
    if not converged_exactly:  # labels must match the final centers
        labels = np.argmin(_squared_distances(X, centers), axis=1)
    inertia = float(np.sum((X - centers[labels]) ** 2))
    return centers, labels, inertia, iteration


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """k-means clustering.

    Parameters
    ----------
    init : "k-means++", "random" (k distinct data points) or an array (k, d).
    n_init : number of restarts; the run with the lowest inertia is kept
        (1 when ``init`` is an array).
    tol : relative tolerance; iterations stop when the squared center shift
        is ≤ tol × mean per-feature variance of X.

    Fitted attributes: ``cluster_centers_`` (k, d), ``labels_`` (n,),
    ``inertia_``, ``n_iter_``.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | np.ndarray = "k-means++",
        n_init: int = 10,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> "KMeans":
        X = self._validate_X(X, "fit", reset=True)
        if not 1 <= self.n_clusters <= X.shape[0]:
            raise ValueError(f"KMeans: n_clusters={self.n_clusters} must be in [1, n_samples={X.shape[0]}].")
        rng = check_random_state(self.random_state)
        tolerance = self.tol * float(np.mean(X.var(axis=0)))
        explicit = not isinstance(self.init, str)
        if explicit:
            start = np.asarray(self.init, dtype=float)
            if start.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(f"KMeans: init array has shape {start.shape}, expected {(self.n_clusters, X.shape[1])}.")
        elif self.init not in ("k-means++", "random"):
            raise ValueError(f"KMeans: init must be 'k-means++', 'random' or an array, got {self.init!r}.")
        best = None
        for _ in range(1 if explicit else self.n_init):
            if explicit:
                centers = start.copy()
            elif self.init == "k-means++":
                centers = kmeans_plusplus(X, self.n_clusters, rng)
            else:
                centers = X[rng.choice(X.shape[0], self.n_clusters, replace=False)]
            result = _lloyd(X, centers, self.max_iter, tolerance)
            if best is None or result[2] < best[2]:
                best = result
        if best is None:
            raise ValueError(f"KMeans: n_init must be at least 1, got {self.n_init}")
        self.cluster_centers_, self.labels_, self.inertia_, self.n_iter_ = best
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest center."""
        X = self._validate_X(X, "predict")
        return np.argmin(_squared_distances(X, self.cluster_centers_), axis=1)

    def transform(self, X: Any) -> np.ndarray:
        """Distances to every center, shape (n, k)."""
        X = self._validate_X(X, "transform")
        return np.sqrt(_squared_distances(X, self.cluster_centers_))

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the inertia of X under the fitted centers."""
        X = self._validate_X(X, "score")
        return -float(np.sum(np.min(_squared_distances(X, self.cluster_centers_), axis=1)))


def estimate_bandwidth(X: np.ndarray, quantile: float = 0.3) -> float:
    """Mean over points of the distance to their ⌊n·quantile⌋-th nearest
    neighbour (counting the point itself), a scale for mean shift."""
    X = np.asarray(X, dtype=float)
    k = max(int(X.shape[0] * quantile), 1)
    distances = np.sqrt(_squared_distances(X, X))
    return float(np.mean(np.sort(distances, axis=1)[:, k - 1]))


class MeanShift(ClusterMixin, BaseEstimator):
    """Mean-shift clustering, started from every sample (or given ``seeds``).

    Parameters
    ----------
    bandwidth : kernel radius h (default: :func:`estimate_bandwidth`).
    kernel : "flat" (mean of the points within distance h, as scikit-learn)
        or "gaussian" (weights exp(-‖x_i - x‖² / 2h²)).
    Seeds are iterated until they move less than 1e-3·h (or ``max_iter``).
    Converged points are ranked by how many samples lie within h of them,
    and a mode is dropped if a higher-ranked mode lies within h.

    Fitted attributes: ``cluster_centers_`` (modes, most populated first),
    ``labels_`` (nearest mode), ``n_iter_``.
    """

    def __init__(
        self,
        *,
        bandwidth: float | None = None,
        kernel: Literal["flat", "gaussian"] = "flat",
        seeds: np.ndarray | None = None,
        max_iter: int = 300,
    ) -> None:
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.seeds = seeds
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any = None) -> "MeanShift":
        X = self._validate_X(X, "fit", reset=True)
        if self.kernel not in ("flat", "gaussian"):
            raise ValueError(f"MeanShift: kernel must be 'flat' or 'gaussian', got {self.kernel!r}.")
        bandwidth = estimate_bandwidth(X) if self.bandwidth is None else float(self.bandwidth)
        if bandwidth <= 0:
            raise ValueError(f"MeanShift: bandwidth must be positive, got {bandwidth}.")
        points = X.copy() if self.seeds is None else np.array(self.seeds, dtype=float)
        # the point count within h of the previous iterate, used to rank modes
        support = np.zeros(len(points), dtype=int)
        active = np.ones(len(points), dtype=bool)
        iterations = np.zeros(len(points), dtype=int)
        stop_distance = 1e-3 * bandwidth
        for _ in range(self.max_iter + 1):
            if not active.any():
                break
            current = points[active]
            squared = _squared_distances(current, X)
            within = squared <= bandwidth * bandwidth
            if self.kernel == "flat":
                weights = within.astype(float)
            else:
                weights = np.exp(-0.5 * squared / (bandwidth * bandwidth))
            counts = within.sum(axis=1)
            shifted = (weights @ X) / np.maximum(weights.sum(axis=1, keepdims=True), np.finfo(float).tiny)
            moved = np.linalg.norm(shifted - current, axis=1)
            index = np.flatnonzero(active)
            support[index] = counts
            has_neighbours = counts > 0
            points[index[has_neighbours]] = shifted[has_neighbours]
            done = ~has_neighbours | (moved <= stop_distance) | (iterations[index] == self.max_iter)
            iterations[index[~done]] += 1
            active[index[done]] = False
        self.n_iter_ = int(iterations.max())

        keep = support > 0
        modes, support = points[keep], support[keep]
        # rank by support, ties broken by coordinates (largest first), then suppress near-duplicates
        order = np.lexsort(tuple(modes[:, j] for j in range(modes.shape[1] - 1, -1, -1)) + (support,))[::-1]
        modes = modes[order]
        unique = np.ones(len(modes), dtype=bool)
        close = _squared_distances(modes, modes) <= bandwidth * bandwidth
        for i in range(len(modes)):
            if unique[i]:
                unique[close[i]] = False
                unique[i] = True
        self.cluster_centers_ = modes[unique]
        self.labels_ = self.predict(X)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest mode."""
        X = self._validate_X(X, "predict")
        return np.argmin(_squared_distances(X, self.cluster_centers_), axis=1)
