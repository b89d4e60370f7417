"""k-means, mean shift and Gaussian mixtures against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import cluster as skc
from sklearn import mixture as skmix
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from gradstudent.classical import GaussianMixture, KMeans, MeanShift, estimate_bandwidth


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return make_blobs(300, centers=4, cluster_std=1.2, random_state=0)


def test_kmeans_same_init_is_identical(blobs):
    X, _ = blobs
    init = X[[0, 1, 2, 3]]
    ours = KMeans(4, init=init).fit(X)
    theirs = skc.KMeans(4, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.n_iter_ == theirs.n_iter_
    X_new = X[:20] + 0.1
    np.testing.assert_array_equal(ours.predict(X_new), theirs.predict(X_new))
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), atol=1e-10)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_restarts_reach_sklearn_quality(blobs, init):
    X, y = blobs
    ours = KMeans(4, init=init, n_init=5, random_state=0).fit(X)
    theirs = skc.KMeans(4, init=init, n_init=5, random_state=0).fit(X)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-6)
    assert adjusted_rand_score(ours.labels_, theirs.labels_) == pytest.approx(1.0)
    assert adjusted_rand_score(ours.labels_, y) > 0.7  # two of the blobs overlap


def test_kmeans_reseeds_empty_clusters():
    X = np.array([[0.0], [0.1], [10.0], [10.1]])
    model = KMeans(2, init=np.array([[0.05], [100.0]])).fit(X)  # the second center starts with no points
    assert sorted(np.bincount(model.labels_).tolist()) == [2, 2]


@pytest.mark.parametrize("bandwidth", [None, 2.0, 1.0])
def test_mean_shift_matches_sklearn(blobs, bandwidth):
    X, _ = blobs
    ours = MeanShift(bandwidth=bandwidth).fit(X)
    theirs = skc.MeanShift(bandwidth=bandwidth).fit(X)
    assert ours.cluster_centers_.shape == theirs.cluster_centers_.shape
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert estimate_bandwidth(X) == pytest.approx(skc.estimate_bandwidth(X), rel=1e-10)


def test_gaussian_kernel_mean_shift_finds_the_blob_centers():
    X, y, centers = make_blobs(400, centers=3, cluster_std=0.6, center_box=(-8, 8), random_state=1, return_centers=True)
    model = MeanShift(bandwidth=0.8, kernel="gaussian").fit(X)
    assert len(model.cluster_centers_) == 3
    distance = np.linalg.norm(model.cluster_centers_[:, None] - centers[None], axis=2)
    assert np.all(distance.min(axis=1) < 0.3)
    assert adjusted_rand_score(model.labels_, y) > 0.95


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_gmm_same_init_is_identical(blobs, covariance_type):
    X, _ = blobs
    rng = np.random.default_rng(0)
    init = dict(
        weights_init=np.full(4, 0.25),
        means_init=X[rng.choice(len(X), 4, replace=False)],
        precisions_init={"full": np.array([np.eye(2)] * 4), "diag": np.ones((4, 2)), "spherical": np.ones(4)}[covariance_type],
    )
    ours = GaussianMixture(4, covariance_type=covariance_type, tol=1e-8, max_iter=300, **init).fit(X)
    theirs = skmix.GaussianMixture(4, covariance_type=covariance_type, tol=1e-8, max_iter=300, **init).fit(X)
    for name in ["weights_", "means_", "covariances_", "precisions_"]:
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-8, atol=1e-10, err_msg=name)
    assert ours.n_iter_ == theirs.n_iter_ and ours.converged_ == theirs.converged_
    assert ours.lower_bound_ == pytest.approx(theirs.lower_bound_, rel=1e-10)
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
    assert ours.bic(X) == pytest.approx(theirs.bic(X), rel=1e-9)
    assert ours.aic(X) == pytest.approx(theirs.aic(X), rel=1e-9)


def test_gmm_default_init_reaches_sklearn_likelihood(blobs):
    X, y = blobs
    ours = GaussianMixture(4, n_init=3, random_state=0).fit(X)
    theirs = skmix.GaussianMixture(4, n_init=3, random_state=0).fit(X)
    assert ours.score(X) == pytest.approx(theirs.score(X), abs=1e-3)
    assert adjusted_rand_score(ours.predict(X), theirs.predict(X)) > 0.95
    # random responsibilities start every component near the global mean, where the likelihood is
    # flat: with tol=1e-3 both libraries stop after 2 iterations; a tight tol reaches the optimum
    loose = GaussianMixture(4, init_params="random", random_state=0).fit(X)
    loose_sklearn = skmix.GaussianMixture(4, init_params="random", random_state=0).fit(X)
    assert loose.n_iter_ == loose_sklearn.n_iter_ == 2
    assert loose.score(X) == pytest.approx(loose_sklearn.score(X), abs=1e-3)
    tight = GaussianMixture(4, init_params="random", tol=1e-6, max_iter=1000, random_state=0).fit(X)
    assert tight.score(X) == pytest.approx(theirs.score(X), abs=1e-2)
    samples, labels = ours.sample(2000, random_state=0)
    assert samples.shape == (2000, 2) and np.bincount(labels, minlength=4).min() > 300


def test_gmm_bic_selects_the_true_number_of_components():
    X, _ = make_blobs(300, centers=4, cluster_std=0.6, center_box=(-8, 8), random_state=1)
    bics = [GaussianMixture(k, random_state=0).fit(X).bic(X) for k in range(1, 7)]
    assert int(np.argmin(bics)) + 1 == 4
