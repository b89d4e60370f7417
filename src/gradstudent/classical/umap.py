"""UMAP: uniform manifold approximation and projection (McInnes et al., 2018).

1. Graph construction (a fuzzy set of edges):
   * k nearest neighbours of every point (exact, brute force);
   * for point i, ρ_i = distance to its nearest neighbour and σ_i solving
         Σ_{j ∈ kNN(i)} exp(-max(0, d_ij - ρ_i) / σ_i) = log₂ k
     by binary search ("smooth kNN distances": every point gets the same
     total membership, so dense and sparse regions are treated alike);
   * directed memberships w_{i→j} = exp(-max(0, d_ij - ρ_i) / σ_i), then the
     fuzzy union w_ij = a + b - a·b with a = w_{i→j}, b = w_{j→i}.
2. Layout: embedding points y_i with low-dimensional similarity
         φ(y_i, y_j) = 1 / (1 + a ‖y_i - y_j‖^{2b}),
   where a, b are fitted (least squares) so that φ approximates 1 for
   distances < min_dist and exp(-(d - min_dist)/spread) beyond. We minimize
   the fuzzy-set cross-entropy Σ w log(w/φ) + (1-w) log((1-w)/(1-φ)) by
   stochastic gradient descent: each edge is sampled with frequency ∝ w_ij
   and pulls its ends together (attraction), and for each sampled edge
   ``negative_sample_rate`` random points push its head away (repulsion).
   Per-coordinate gradient steps are clipped to ±4, and the learning rate
   decays linearly to 0.
3. Initialization: the spectral embedding of the graph (eigenvectors of the
   normalized adjacency D^{-½} W D^{-½}), PCA, or random.

Difference from the reference implementation (which updates one edge at a
time in compiled code): all edges due in an epoch are applied together from
the positions at the start of the epoch, which vectorizes the epoch in NumPy.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy import optimize, sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import eigsh

from gradstudent.classical.base import BaseEstimator, TransformerMixin, check_random_state
from gradstudent.classical.decomposition import PCA
from gradstudent.classical.neighbors import nearest_neighbors

__all__ = ["UMAP", "fit_ab", "smooth_knn_distances", "fuzzy_simplicial_set"]


def fit_ab(spread: float, min_dist: float) -> tuple[float, float]:
    """Least-squares fit of 1/(1 + a x^{2b}) to the target curve
    1 for x < min_dist, exp(-(x - min_dist)/spread) otherwise, x ∈ [0, 3·spread]."""
    x = np.linspace(0, spread * 3, 300)
    target = np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))
    (a, b), _ = optimize.curve_fit(lambda x, a, b: 1.0 / (1.0 + a * x ** (2 * b)), x, target)
    return float(a), float(b)


def smooth_knn_distances(distances: np.ndarray, n_iter: int = 64, tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """ρ and σ for every point from its sorted kNN distances (n, k), self excluded.

    The target total membership is log₂(k + 1) (k neighbours plus the point
    itself, as in the reference implementation). All points are bisected at
    once; σ is kept ≥ 1e-3 × the mean neighbour distance.
    """
    n, k = distances.shape
    target = np.log2(k + 1)
    rho = np.where(distances[:, 0] > 0, distances[:, 0], 0.0)
    excess = np.maximum(distances - rho[:, None], 0.0)
    low, high = np.zeros(n), np.full(n, np.inf)
    sigma = np.ones(n)
    for _ in range(n_iter):
        total = np.sum(np.exp(-excess / sigma[:, None]), axis=1)
        if np.all(np.abs(total - target) < tol):
            break
        too_large = total > target  # memberships too wide → shrink σ
        high = np.where(too_large, sigma, high)
        low = np.where(too_large, low, sigma)
        sigma = np.where(np.isinf(high), sigma * 2.0, (low + high) / 2.0)
    sigma = np.maximum(sigma, 1e-3 * distances.mean(axis=1))
    return rho, sigma


def fuzzy_simplicial_set(X: np.ndarray, n_neighbors: int) -> sparse.csr_matrix:
    """Symmetric (n, n) sparse matrix of UMAP edge weights w_ij ∈ (0, 1]."""
    n = X.shape[0]
    distances, indices = nearest_neighbors(X, X, n_neighbors - 1, exclude_self=True)
    rho, sigma = smooth_knn_distances(distances)
    memberships = np.exp(-np.maximum(distances - rho[:, None], 0.0) / sigma[:, None])
    rows = np.repeat(np.arange(n), n_neighbors - 1)
    directed = sparse.csr_matrix((memberships.ravel(), (rows, indices.ravel())), shape=(n, n))
    transpose = directed.T.tocsr()
    union = directed + transpose - directed.multiply(transpose)  # fuzzy union: a + b - ab
    union.eliminate_zeros()
    return union.tocsr()


class UMAP(TransformerMixin, BaseEstimator):
    """UMAP embedding (see the module docstring).

    Fitted attributes: ``embedding_`` (n, n_components), ``graph_`` (sparse
    fuzzy graph), ``a_``, ``b_``.
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        n_neighbors: int = 15,
        min_dist: float = 0.1,
        spread: float = 1.0,
        n_epochs: int | None = None,
        learning_rate: float = 1.0,
        negative_sample_rate: int = 5,
        repulsion_strength: float = 1.0,
        init: Literal["spectral", "pca", "random"] = "spectral",
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.spread = spread
        self.n_epochs = n_epochs
        self.learning_rate = learning_rate
        self.negative_sample_rate = negative_sample_rate
        self.repulsion_strength = repulsion_strength
        self.init = init
        self.random_state = random_state

    def _initial_layout(self, X: np.ndarray, graph: sparse.csr_matrix, rng: np.random.Generator) -> np.ndarray:
        n, k = X.shape[0], self.n_components
        init = self.init
        if init == "spectral":
            n_parts, _ = csgraph.connected_components(graph, directed=False)
            if n_parts > 1 or n <= k + 1:
                init = "pca"  # the spectral embedding of a disconnected graph is degenerate
        if init == "spectral":
            degree = np.asarray(graph.sum(axis=1)).ravel()
            scale = sparse.diags(1.0 / np.sqrt(degree))
            normalized = scale @ graph @ scale
            # largest eigenvectors of D^-½ W D^-½ = smallest of the normalized Laplacian
            values, vectors = eigsh(normalized, k=k + 1, which="LA", v0=rng.uniform(size=n), tol=1e-4, maxiter=n * 5)
            layout = vectors[:, np.argsort(values)[::-1][1 : k + 1]]  # drop the trivial top eigenvector
        elif init == "pca":
            layout = PCA(min(k, X.shape[1])).fit_transform(X)
        elif init == "random":
            layout = rng.uniform(-10, 10, size=(n, k))
        else:
            raise ValueError(f"UMAP: init must be 'spectral', 'pca' or 'random', got {self.init!r}.")
        layout = layout * (10.0 / np.max(np.abs(layout))) + rng.normal(scale=1e-4, size=layout.shape)
        # rescale each coordinate to [0, 10], the range the step sizes are tuned for
        low, high = layout.min(axis=0), layout.max(axis=0)
        return 10.0 * (layout - low) / np.where(high > low, high - low, 1.0)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        X = self._validate_X(X, "fit", reset=True, min_samples=2)
        n = X.shape[0]
        if not 2 <= self.n_neighbors <= n:
            raise ValueError(f"UMAP: n_neighbors must be in [2, n_samples={n}], got {self.n_neighbors}.")
        rng = check_random_state(self.random_state)
        self.graph_ = fuzzy_simplicial_set(X, self.n_neighbors)
        self.a_, self.b_ = fit_ab(self.spread, self.min_dist)
        n_epochs = self.n_epochs or (500 if n <= 10_000 else 200)

        coo = self.graph_.tocoo()
        keep = coo.data >= coo.data.max() / n_epochs  # edges too weak to be sampled even once
        head, tail, weight = coo.row[keep], coo.col[keep], coo.data[keep]
        epochs_per_sample = weight.max() / weight  # strongest edge: every epoch
        embedding = self._initial_layout(X, self.graph_, rng)
        self.embedding_ = self._optimize(embedding, head, tail, epochs_per_sample, n_epochs, rng)
        return self.embedding_

    def fit(self, X: Any, y: Any = None) -> "UMAP":
        self.fit_transform(X)
        return self

    def _optimize(
        self,
        Y: np.ndarray,
        head: np.ndarray,
        tail: np.ndarray,
        epochs_per_sample: np.ndarray,
        n_epochs: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        a, b = self.a_, self.b_
        n = Y.shape[0]
        epochs_per_negative = epochs_per_sample / self.negative_sample_rate
        next_sample = epochs_per_sample.copy()
        next_negative = epochs_per_negative.copy()
        for epoch in range(n_epochs):
            step = self.learning_rate * (1.0 - epoch / n_epochs)
            due = np.flatnonzero(next_sample <= epoch)
            if len(due) == 0:
                continue
            i, j = head[due], tail[due]
            # attraction: -∂/∂y_i log φ = 2ab d^{2(b-1)} (y_i - y_j) / (1 + a d^{2b})
            difference = Y[i] - Y[j]
            d2 = np.sum(difference**2, axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                coefficient = np.where(d2 > 0, -2.0 * a * b * d2 ** (b - 1.0) / (1.0 + a * d2**b), 0.0)
            move = np.clip(coefficient[:, None] * difference, -4.0, 4.0) * step
            delta = np.zeros_like(Y)
            np.add.at(delta, i, move)
            np.add.at(delta, j, -move)
            next_sample[due] += epochs_per_sample[due]

            # repulsion from random points: -∂/∂y_i log(1 - φ) = -2b (y_i - y_k) / ((ε + d²)(1 + a d^{2b}))
            n_negative = ((epoch - next_negative[due]) / epochs_per_negative[due]).astype(int)
            n_negative = np.maximum(n_negative, 0)
            source = np.repeat(i, n_negative)
            others = rng.integers(0, n, size=len(source))
            difference = Y[source] - Y[others]
            d2 = np.sum(difference**2, axis=1)
            coefficient = 2.0 * self.repulsion_strength * b / ((0.001 + d2) * (1.0 + a * d2**b))
            push = np.where((d2 > 0)[:, None], np.clip(coefficient[:, None] * difference, -4.0, 4.0), 4.0)
            push[source == others] = 0.0
            np.add.at(delta, source, push * step)
            next_negative[due] += n_negative * epochs_per_negative[due]
            Y = Y + delta
        return Y

    # No ``transform``: embedding new points is not implemented (use
    # ``fit_transform``), and an estimator without the method says so to
    # scikit-learn (``hasattr(umap, "transform")`` is False), as TSNE does.
