"""PCA and kernel PCA against scikit-learn (exact up to round-off, signs included)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import decomposition as skd

from gradstudent.classical import PCA, KernelPCA


def _data(n: int = 120, d: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d)


@pytest.mark.parametrize("solver", ["auto", "full", "covariance_eigh"])
@pytest.mark.parametrize("n_components", [None, 3, 0.9])
@pytest.mark.parametrize("whiten", [False, True])
def test_pca_matches_sklearn(solver, n_components, whiten):
    X = _data()
    ours = PCA(n_components, whiten=whiten, svd_solver=solver).fit(X)
    theirs = skd.PCA(n_components, whiten=whiten, svd_solver=solver).fit(X)
    assert ours.n_components_ == theirs.n_components_
    for name in ["mean_", "components_", "explained_variance_", "explained_variance_ratio_", "singular_values_"]:
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-7, atol=1e-9, err_msg=name)
    assert ours.noise_variance_ == pytest.approx(theirs.noise_variance_, rel=1e-7, abs=1e-12)
    X_new = _data(20, seed=1)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-7, atol=1e-9)
    Z = ours.transform(X_new)
    np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), rtol=1e-7, atol=1e-9)


def test_pca_wide_data_and_whitened_variance():
    X = _data(n=10, d=30)
    ours, theirs = PCA().fit(X), skd.PCA().fit(X)
    assert ours.components_.shape == (10, 30)
    np.testing.assert_allclose(ours.explained_variance_[:9], theirs.explained_variance_[:9], rtol=1e-7)
    np.testing.assert_allclose(np.abs(ours.components_[:9]), np.abs(theirs.components_[:9]), atol=1e-7)
    Z = PCA(3, whiten=True).fit_transform(_data())
    np.testing.assert_allclose(Z.var(axis=0, ddof=1), np.ones(3), rtol=1e-10)
    # full reconstruction is exact
    X2 = _data()
    np.testing.assert_allclose(PCA().fit(X2).inverse_transform(PCA().fit(X2).transform(X2)), X2, atol=1e-9)


@pytest.mark.parametrize(
    "kernel, params",
    [("linear", {}), ("rbf", {"gamma": 0.1}), ("rbf", {}), ("poly", {"degree": 2, "gamma": 0.2, "coef0": 1.0})],
)
def test_kernel_pca_matches_sklearn(kernel, params):
    X = _data(n=60, d=4)
    X_new = _data(n=15, d=4, seed=2)
    ours = KernelPCA(4, kernel=kernel, **params).fit(X)
    theirs = skd.KernelPCA(4, kernel=kernel, eigen_solver="dense", **params).fit(X)
    np.testing.assert_allclose(ours.eigenvalues_, theirs.eigenvalues_, rtol=1e-8)
    np.testing.assert_allclose(ours.eigenvectors_, theirs.eigenvectors_, atol=1e-8)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), atol=1e-8)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), atol=1e-8)


def test_linear_kernel_pca_equals_pca_scores_up_to_sign():
    X = _data(n=50, d=4)
    kernel_scores = KernelPCA(3, kernel="linear").fit_transform(X)
    pca_scores = PCA(3).fit_transform(X)
    np.testing.assert_allclose(np.abs(kernel_scores), np.abs(pca_scores), atol=1e-8)
