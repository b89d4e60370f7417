"""Logistic, Poisson and Gamma regression against scikit-learn, and LDA/QDA."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import discriminant_analysis as skda
from sklearn import linear_model as sklm
from sklearn.datasets import load_digits, make_classification

from gradstudent.classical import (
    GammaRegressor,
    LinearDiscriminantAnalysis,
    LogisticRegression,
    PoissonRegressor,
    QuadraticDiscriminantAnalysis,
)

TIGHT = dict(tol=1e-10, max_iter=2000)


@pytest.fixture(scope="module")
def binary() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(300, 5, n_informative=3, n_redundant=0, random_state=0)


@pytest.fixture(scope="module")
def multiclass() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(300, 6, n_informative=4, n_redundant=0, n_classes=3, random_state=1)
    return X, np.array(["a", "b", "c"])[y]  # string labels exercise classes_


@pytest.mark.parametrize("C", [0.05, 1.0, np.inf])
@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_binary_logistic_matches_sklearn(binary, C, solver):
    X, y = binary
    ours = LogisticRegression(C=C, solver=solver, **TIGHT).fit(X, y)
    theirs = sklm.LogisticRegression(C=C, **TIGHT).fit(X, y)
    assert ours.coef_.shape == (1, 5) and ours.intercept_.shape == (1,)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_multinomial_logistic_matches_sklearn(multiclass, fit_intercept):
    X, y = multiclass
    ours = LogisticRegression(C=0.5, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    theirs = sklm.LogisticRegression(C=0.5, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.score(X, y) == theirs.score(X, y)


def test_logistic_default_settings_on_digits_agree_with_sklearn():
    X, y = load_digits(return_X_y=True)
    X = X[:600] / 16.0
    ours = LogisticRegression(max_iter=500).fit(X, y[:600])
    theirs = sklm.LogisticRegression(max_iter=500).fit(X, y[:600])
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)
    assert np.mean(ours.predict(X) == theirs.predict(X)) > 0.99


@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0])
def test_poisson_and_gamma_match_sklearn(alpha):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    mean = np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.5)
    for ours_class, theirs_class, y in [
        (PoissonRegressor, sklm.PoissonRegressor, rng.poisson(mean).astype(float)),
        (GammaRegressor, sklm.GammaRegressor, rng.gamma(2.0, mean / 2.0)),
    ]:
        ours = ours_class(alpha=alpha, **TIGHT).fit(X, y)
        theirs = theirs_class(alpha=alpha, **TIGHT).fit(X, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
        assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-6, abs=1e-8)
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)
    with pytest.raises(ValueError, match="PoissonRegressor.fit: y must be non-negative"):
        PoissonRegressor().fit(X, -np.ones(200))


@pytest.mark.parametrize("shrinkage", [None, 0.3])
def test_lda_matches_sklearn(multiclass, binary, shrinkage):
    for X, y in (multiclass, binary):
        ours = LinearDiscriminantAnalysis(shrinkage=shrinkage).fit(X, y)
        theirs = skda.LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage).fit(X, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        np.testing.assert_allclose(ours.covariance_, theirs.covariance_, atol=1e-12)
        # Fisher projection: same directions as sklearn's eigen solver, up to sign
        eigen = skda.LinearDiscriminantAnalysis(solver="eigen", shrinkage=shrinkage).fit(X, y)
        a, b = ours.transform(X), eigen.transform(X)
        np.testing.assert_allclose(np.abs(a), np.abs(b), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(ours.explained_variance_ratio_, eigen.explained_variance_ratio_, rtol=1e-8)


def test_lda_default_svd_solver_predictions_agree(multiclass):
    X, y = multiclass
    np.testing.assert_array_equal(
        LinearDiscriminantAnalysis().fit(X, y).predict(X), skda.LinearDiscriminantAnalysis().fit(X, y).predict(X)
    )


@pytest.mark.parametrize("reg_param", [0.0, 0.2])
def test_qda_matches_sklearn(multiclass, reg_param):
    X, y = multiclass
    ours = QuadraticDiscriminantAnalysis(reg_param=reg_param).fit(X, y)
    theirs = skda.QuadraticDiscriminantAnalysis(reg_param=reg_param).fit(X, y)
    np.testing.assert_allclose(ours.means_, theirs.means_, atol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_qda_singular_covariance_message():
    X = np.column_stack([np.arange(10.0), np.zeros(10)])  # second feature constant
    y = np.array([0, 1] * 5)
    with pytest.raises(ValueError, match=r"QuadraticDiscriminantAnalysis: the covariance of class 0 is singular.*reg_param"):
        QuadraticDiscriminantAnalysis().fit(X, y)
    assert QuadraticDiscriminantAnalysis(reg_param=0.1).fit(X, y).predict(X).shape == (10,)
