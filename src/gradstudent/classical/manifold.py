"""t-distributed stochastic neighbour embedding (t-SNE), exact gradient.

van der Maaten & Hinton (2008). Input similarities: for each point i, a
Gaussian over the others with its own width σ_i,

    p_{j|i} = exp(-‖x_i - x_j‖² β_i) / Σ_{k≠i} exp(-‖x_i - x_k‖² β_i),  β_i = 1/(2σ_i²),

where β_i is found by binary search so that the entropy of p_{·|i} equals
log(perplexity) (perplexity ≈ the effective number of neighbours). The
joint distribution is symmetrized, p_ij = (p_{j|i} + p_{i|j}) / Σ.

Output similarities use a heavy-tailed Student-t kernel (one degree of
freedom for 2-D output), q_ij ∝ (1 + ‖y_i - y_j‖²)⁻¹, which lets moderately
far points be placed far apart (solving the "crowding problem"). We minimize
KL(P ‖ Q) by gradient descent with momentum and per-parameter gains:

    ∂KL/∂y_i = 4 Σ_j (p_ij - q_ij) (1 + ‖y_i - y_j‖²)⁻¹ (y_i - y_j).

For the first 250 iterations P is multiplied by ``early_exaggeration`` and
the momentum is 0.5 (clusters form and separate), then momentum 0.8.
The gradient is exact, O(n²) per iteration: fine up to a few thousand points.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from gradstudent.classical.base import BaseEstimator, check_random_state
from gradstudent.classical.decomposition import PCA

__all__ = ["TSNE", "conditional_probabilities"]

EPSILON = np.finfo(float).eps
EXPLORATION_ITERATIONS = 250


def _squared_distances(X: np.ndarray) -> np.ndarray:
    """All pairwise squared Euclidean distances, (n, n)."""
    if X.shape[1] <= 3:  # low-dimensional embeddings: coordinate differences are cheaper than a thin matmul
        squared = np.zeros((X.shape[0], X.shape[0]))
        for column in X.T:
            difference = column[:, None] - column[None, :]
            difference *= difference
            squared += difference
        return squared
    norms = np.sum(X * X, axis=1)
    squared = norms[:, None] + norms[None, :] - 2.0 * X @ X.T
    np.fill_diagonal(squared, 0.0)
    return np.maximum(squared, 0.0)


def conditional_probabilities(squared: np.ndarray, perplexity: float, n_steps: int = 100, tol: float = 1e-5) -> np.ndarray:
    """Rows p_{·|i} of Gaussian affinities whose entropies equal log(perplexity).

    All rows are searched at once: β_i is bisected (doubled/halved while no
    upper/lower bound is known) on the monotone map β ↦ H(p_{·|i}(β)).
    """
    n = squared.shape[0]
    target = np.log(perplexity)
    beta = np.ones(n)
    low, high = np.full(n, -np.inf), np.full(n, np.inf)
    off_diagonal = ~np.eye(n, dtype=bool)
    for _ in range(n_steps):
        # shift by the row minimum so exp does not underflow for large β
        shifted = squared - np.min(np.where(off_diagonal, squared, np.inf), axis=1, keepdims=True)
        weights = np.exp(-shifted * beta[:, None]) * off_diagonal
        total = np.maximum(weights.sum(axis=1), EPSILON)
        probabilities = weights / total[:, None]
        # H = -Σ p log p = log Z + β Σ p d  (with the shifted distances)
        entropy = np.log(total) + beta * np.sum(probabilities * shifted, axis=1)
        error = entropy - target
        if np.all(np.abs(error) <= tol):
            break
        too_flat = error > 0  # entropy too high → distribution too wide → increase β
        low = np.where(too_flat, beta, low)
        high = np.where(too_flat, high, beta)
        beta = np.where(
            too_flat,
            np.where(np.isinf(high), beta * 2.0, (beta + high) / 2.0),
            np.where(np.isinf(low), beta / 2.0, (beta + low) / 2.0),
        )
    return probabilities


class TSNE(BaseEstimator):
    """t-SNE embedding (exact gradient).

    Parameters follow scikit-learn: ``perplexity`` (30), ``early_exaggeration``
    (12), ``learning_rate`` ("auto" = max(n / early_exaggeration / 4, 50)),
    ``max_iter`` (1000), ``init`` ("pca": the first PCA scores scaled to
    standard deviation 1e-4, or "random"), ``min_grad_norm`` (stop when the
    gradient norm falls below it).

    Fitted attributes: ``embedding_`` (n, n_components), ``kl_divergence_``,
    ``n_iter_``.
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        perplexity: float = 30.0,
        early_exaggeration: float = 12.0,
        learning_rate: float | Literal["auto"] = "auto",
        max_iter: int = 1000,
        min_grad_norm: float = 1e-7,
        init: Literal["pca", "random"] = "pca",
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.perplexity = perplexity
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.min_grad_norm = min_grad_norm
        self.init = init
        self.random_state = random_state

    def _kl_and_gradient(self, Y: np.ndarray, P: np.ndarray, *, with_kl: bool = True) -> tuple[float, np.ndarray]:
        """KL(P‖Q) (if ``with_kl``; it costs a log per pair) and its gradient wrt Y."""
        degrees_of_freedom = max(self.n_components - 1, 1)
        # w_ij = (1 + d²/α)^(-1), the Student-t kernel up to the power (α+1)/2
        inverse_distance = 1.0 / (1.0 + _squared_distances(Y) / degrees_of_freedom)
        np.fill_diagonal(inverse_distance, 0.0)
        kernel = inverse_distance if degrees_of_freedom == 1 else inverse_distance ** ((degrees_of_freedom + 1.0) / 2.0)
        Q = kernel / kernel.sum()
        kl = float(np.sum(P * np.log(np.maximum(P, EPSILON) / np.maximum(Q, EPSILON)))) if with_kl else np.nan
        # Σ_j (p_ij - q_ij)(1 + d²/α)^{-1} (y_i - y_j), as a matrix product
        coupling = (P - Q) * inverse_distance
        gradient = 2.0 * (degrees_of_freedom + 1.0) / degrees_of_freedom * (
            coupling.sum(axis=1)[:, None] * Y - coupling @ Y
        )
        return kl, gradient

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        X = self._validate_X(X, "fit", reset=True, min_samples=2)
        n = X.shape[0]
        if not 0 < self.perplexity < n:
            raise ValueError(f"TSNE: perplexity must be in (0, n_samples={n}), got {self.perplexity}.")
        rng = check_random_state(self.random_state)
        conditional = conditional_probabilities(_squared_distances(X), self.perplexity)
        P = conditional + conditional.T
        P = np.maximum(P / np.maximum(P.sum(), EPSILON), EPSILON)
        np.fill_diagonal(P, 0.0)
        exaggerated = P * self.early_exaggeration

        if self.init == "pca":
            Y = PCA(self.n_components).fit_transform(X)
            Y = Y / np.std(Y[:, 0]) * 1e-4
        elif self.init == "random":
            Y = 1e-4 * rng.standard_normal((n, self.n_components))
        else:
            raise ValueError(f"TSNE: init must be 'pca' or 'random', got {self.init!r}.")
        learning_rate = max(n / self.early_exaggeration / 4.0, 50.0) if self.learning_rate == "auto" else float(self.learning_rate)

        update = np.zeros_like(Y)
        gains = np.ones_like(Y)
        iteration = 0
        for iteration in range(self.max_iter):
            exploring = iteration < EXPLORATION_ITERATIONS
            momentum = 0.5 if exploring else 0.8
            _, gradient = self._kl_and_gradient(Y, exaggerated if exploring else P, with_kl=False)
            # delta-bar-delta gains: grow where the gradient keeps its sign, shrink where it flips
            same_direction = update * gradient < 0.0
            gains = np.maximum(np.where(same_direction, gains + 0.2, gains * 0.8), 0.01)
            update = momentum * update - learning_rate * gains * gradient
            Y = Y + update
            if not exploring and np.linalg.norm(gradient) < self.min_grad_norm:
                break
        self.embedding_ = Y
        self.kl_divergence_ = self._kl_and_gradient(Y, P)[0]
        self.n_iter_ = iteration + 1
        return Y

    def fit(self, X: Any, y: Any = None) -> "TSNE":
        self.fit_transform(X)
        return self
