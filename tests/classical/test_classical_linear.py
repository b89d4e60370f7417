"""Linear regressors and feature expansions against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import kernel_approximation as ska
from sklearn import linear_model as sklm
from sklearn import preprocessing as skp

from gradstudent.classical import (
    ElasticNet,
    Lasso,
    LinearRegression,
    PolynomialFeatures,
    RandomFourierFeatures,
    RandomReLUFeatures,
    Ridge,
    StandardScaler,
)


def _regression(n: int = 80, d: int = 6, seed: int = 0, targets: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.normal(size=d)
    w = rng.normal(size=(d, targets) if targets else d) * (rng.uniform(size=d) > 0.4).reshape((d, 1) if targets else d)
    return X, X @ w + 0.5 + 0.3 * rng.normal(size=(n, targets) if targets else n)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("targets", [0, 2])
def test_ols_and_ridge_match_sklearn(fit_intercept, targets):
    X, y = _regression(targets=targets)
    pairs = [(LinearRegression(fit_intercept=fit_intercept), sklm.LinearRegression(fit_intercept=fit_intercept))]
    pairs += [(Ridge(alpha, fit_intercept=fit_intercept), sklm.Ridge(alpha, fit_intercept=fit_intercept)) for alpha in (0.1, 10.0)]
    for ours, theirs in pairs:
        ours.fit(X, y), theirs.fit(X, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.predict(X[:5]), theirs.predict(X[:5]), rtol=1e-8)
        assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-10)


def test_minimum_norm_least_squares_and_wide_ridge():
    X, y = _regression(n=10, d=30)
    ours = LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.predict(X), y, atol=1e-8)  # interpolates
    np.testing.assert_allclose(ours.coef_, sklm.LinearRegression().fit(X, y).coef_, atol=1e-8)
    centered = X - X.mean(axis=0)
    np.testing.assert_allclose(ours.coef_, np.linalg.pinv(centered) @ (y - y.mean()), atol=1e-8)  # minimum norm
    np.testing.assert_allclose(Ridge(1e-3).fit(X, y).coef_, sklm.Ridge(1e-3).fit(X, y).coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.5, 0.05, 0.005])
def test_lasso_matches_sklearn(alpha):
    X, y = _regression()
    ours = Lasso(alpha=alpha, tol=1e-10, max_iter=10_000).fit(X, y)
    theirs = sklm.Lasso(alpha=alpha, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-9)
    assert ours.n_iter_ == theirs.n_iter_  # same cyclic coordinate order and stopping rule
    # default tolerance: same iterates, same number of sweeps
    default, default_sklearn = Lasso(alpha=alpha).fit(X, y), sklm.Lasso(alpha=alpha).fit(X, y)
    assert default.n_iter_ == default_sklearn.n_iter_
    np.testing.assert_allclose(default.coef_, default_sklearn.coef_, atol=1e-9)


@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_elastic_net_matches_sklearn(l1_ratio):
    X, y = _regression(seed=1)
    ours = ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=1e-10, max_iter=10_000).fit(X, y)
    theirs = sklm.ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-9)
    assert ours.dual_gap_ >= 0


def test_lasso_sparsity_and_multi_target():
    X, y = _regression(targets=2)
    ours = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    theirs = sklm.Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    assert ours.coef_.shape == (2, 6)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-8)
    big_alpha = Lasso(alpha=100.0).fit(X[:, :3], y[:, 0])
    assert np.all(big_alpha.coef_ == 0) and big_alpha.intercept_ == pytest.approx(y[:, 0].mean())


@pytest.mark.parametrize("degree, interaction_only, include_bias", [(2, False, True), (3, False, False), (3, True, True)])
def test_polynomial_features_match_sklearn(degree, interaction_only, include_bias):
    X = np.random.default_rng(2).normal(size=(10, 3))
    ours = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    theirs = skp.PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-12)
    np.testing.assert_array_equal(ours.powers_, theirs.powers_)


def test_standard_scaler_matches_sklearn():
    X = np.random.default_rng(3).normal(size=(30, 4)) * [1, 10, 0.1, 0]  # includes a constant column
    ours, theirs = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, atol=1e-12)


def test_random_fourier_features_match_rbf_sampler_and_approximate_the_kernel():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20, 3))
    ours = RandomFourierFeatures(50, gamma=0.3, random_state=0).fit(X)
    theirs = ska.RBFSampler(gamma=0.3, n_components=50, random_state=0).fit(X)
    ours.random_weights_, ours.random_offset_ = theirs.random_weights_, theirs.random_offset_
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-10)
    # Monte-Carlo kernel approximation: error shrinks like 1/sqrt(D)
    Z = RandomFourierFeatures(20_000, gamma=0.3, random_state=1).fit_transform(X)
    exact = np.exp(-0.3 * np.sum((X[:, None] - X[None]) ** 2, axis=2))
    assert np.max(np.abs(Z @ Z.T - exact)) < 0.05


def test_random_relu_features_approximate_the_arc_cosine_kernel():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(15, 4))
    Z = RandomReLUFeatures(40_000, bias_scale=0.0, random_state=0).fit_transform(X)
    U = X / np.sqrt(X.shape[1])
    norms = np.linalg.norm(U, axis=1)
    cosine = np.clip(U @ U.T / np.outer(norms, norms), -1, 1)
    theta = np.arccos(cosine)
    arc_cosine = np.outer(norms, norms) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    assert np.max(np.abs(Z @ Z.T - arc_cosine)) < 0.03
    assert np.all(Z >= 0)
