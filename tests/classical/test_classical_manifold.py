"""t-SNE and UMAP: judged by neighbourhood preservation and cluster separation,
not by coordinates (the embeddings are only defined up to rotations, the
random seed and the optimizer's path)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import manifold as skmanifold
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier
from sklearn.model_selection import cross_val_score

from gradstudent.classical import TSNE, UMAP
from gradstudent.classical.manifold import _squared_distances, conditional_probabilities
from gradstudent.classical.umap import fit_ab, fuzzy_simplicial_set, smooth_knn_distances


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _knn_separation(embedding: np.ndarray, labels: np.ndarray) -> float:
    """5-fold accuracy of 5-NN on the embedding: high when classes form separate clusters."""
    return float(cross_val_score(KNeighborsClassifier(5), embedding, labels, cv=5).mean())


def test_perplexity_calibration():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    for perplexity in (5.0, 20.0):
        P = conditional_probabilities(_squared_distances(X), perplexity)
        np.testing.assert_allclose(P.sum(axis=1), 1.0)
        assert np.all(np.diag(P) == 0)
        entropy = -np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0), axis=1)
        np.testing.assert_allclose(np.exp(entropy), perplexity, rtol=1e-3)


def test_tsne_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    P = rng.uniform(size=(8, 8))
    P = P + P.T
    np.fill_diagonal(P, 0)
    P /= P.sum()
    Y = rng.normal(size=(8, 2))
    tsne = TSNE()
    _, gradient = tsne._kl_and_gradient(Y, P)
    numeric = np.zeros_like(Y)
    for index in np.ndindex(*Y.shape):
        step = np.zeros_like(Y)
        step[index] = 1e-6
        numeric[index] = (tsne._kl_and_gradient(Y + step, P)[0] - tsne._kl_and_gradient(Y - step, P)[0]) / 2e-6
    np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-8)


def test_tsne_quality_close_to_sklearn(digits):
    X, y = digits[0][:200], digits[1][:200]
    ours = TSNE(random_state=0, max_iter=400).fit(X)
    theirs = skmanifold.TSNE(random_state=0, method="exact", max_iter=400).fit_transform(X)
    ours_trust = skmanifold.trustworthiness(X, ours.embedding_, n_neighbors=10)
    theirs_trust = skmanifold.trustworthiness(X, theirs, n_neighbors=10)
    assert ours.embedding_.shape == (200, 2) and np.isfinite(ours.kl_divergence_)
    assert ours_trust > 0.97 and ours_trust > theirs_trust - 0.01
    assert _knn_separation(ours.embedding_, y) > 0.9


def test_umap_curve_and_graph():
    a, b = fit_ab(spread=1.0, min_dist=0.1)
    assert a == pytest.approx(1.577, abs=2e-3) and b == pytest.approx(0.8951, abs=2e-3)  # the reference values
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 4))
    graph = fuzzy_simplicial_set(X, n_neighbors=10)
    assert abs(graph - graph.T).max() < 1e-12  # the fuzzy union is symmetric
    assert graph.data.max() <= 1.0 + 1e-12 and graph.data.min() > 0
    distances = np.sort(np.sqrt(_squared_distances(X)), axis=1)[:, 1:10]
    rho, sigma = smooth_knn_distances(distances)
    memberships = np.exp(-np.maximum(distances - rho[:, None], 0) / sigma[:, None]).sum(axis=1)
    np.testing.assert_allclose(memberships, np.log2(10), rtol=1e-4)


@pytest.mark.parametrize("init", ["spectral", "pca"])
def test_umap_trustworthiness_and_separation(digits, init):
    X, y = digits
    embedding = UMAP(random_state=0, init=init, n_epochs=200).fit_transform(X)
    assert embedding.shape == (300, 2) and np.all(np.isfinite(embedding))
    assert skmanifold.trustworthiness(X, embedding, n_neighbors=10) > 0.95
    assert _knn_separation(embedding, y) > 0.9
