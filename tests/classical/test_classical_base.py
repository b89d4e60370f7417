"""Estimator conventions and input validation shared by all classical estimators."""

from __future__ import annotations

import numpy as np
import pytest

from gradstudent import classical as gc

# (estimator, needs y, method used after fit)
ESTIMATORS = [
    (gc.PCA(2), False, "transform"),
    (gc.KernelPCA(2, kernel="rbf"), False, "transform"),
    (gc.KernelDensity(), False, "score_samples"),
    (gc.KMeans(2, n_init=1, random_state=0), False, "predict"),
    (gc.MeanShift(bandwidth=2.0), False, "predict"),
    (gc.GaussianMixture(2, random_state=0), False, "predict"),
    (gc.StandardScaler(), False, "transform"),
    (gc.PolynomialFeatures(2), False, "transform"),
    (gc.RandomFourierFeatures(10, random_state=0), False, "transform"),
    (gc.RandomReLUFeatures(10, random_state=0), False, "transform"),
    (gc.LinearRegression(), True, "predict"),
    (gc.Ridge(), True, "predict"),
    (gc.Lasso(alpha=0.01), True, "predict"),
    (gc.ElasticNet(alpha=0.01), True, "predict"),
    (gc.LogisticRegression(), True, "predict"),
    (gc.LinearDiscriminantAnalysis(), True, "predict"),
    (gc.QuadraticDiscriminantAnalysis(), True, "predict"),
    (gc.DecisionTreeClassifier(), True, "predict"),
    (gc.DecisionTreeRegressor(), True, "predict"),
    (gc.KNeighborsClassifier(3), True, "predict"),
    (gc.KNeighborsRegressor(3), True, "predict"),
]


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    return X, y


@pytest.mark.parametrize("estimator, supervised, method", ESTIMATORS, ids=[type(e[0]).__name__ for e in ESTIMATORS])
def test_method_before_fit_names_the_estimator(estimator, supervised, method):
    X, _ = _data()
    model = gc.clone(estimator)
    with pytest.raises(gc.NotFittedError, match=rf"{type(estimator).__name__}.*not fitted.*'{method}'"):
        getattr(model, method)(X)


@pytest.mark.parametrize("estimator, supervised, method", ESTIMATORS, ids=[type(e[0]).__name__ for e in ESTIMATORS])
def test_wrong_feature_count_names_both_shapes(estimator, supervised, method):
    X, y = _data()
    model = gc.clone(estimator)
    model.fit(X, y) if supervised else model.fit(X)
    assert model.n_features_in_ == 3
    with pytest.raises(ValueError, match=rf"{type(estimator).__name__}.*\(5, 2\).*3 features"):
        getattr(model, method)(np.zeros((5, 2)))


@pytest.mark.parametrize("estimator, supervised, method", ESTIMATORS, ids=[type(e[0]).__name__ for e in ESTIMATORS])
def test_fit_returns_self_and_sets_trailing_underscore_attributes(estimator, supervised, method):
    X, y = _data()
    model = gc.clone(estimator)
    assert not [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]
    assert (model.fit(X, y) if supervised else model.fit(X)) is model
    assert [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]


def test_bad_input_messages():
    X, y = _data()
    with pytest.raises(ValueError, match=r"PCA.fit expects a 2-D array X.*got shape \(40,\).*reshape"):
        gc.PCA().fit(X[:, 0])
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"Ridge.fit: X contains NaN or infinity \(1 non-finite"):
        gc.Ridge().fit(X_nan, y)
    with pytest.raises(ValueError, match=r"LogisticRegression.fit: X and y have different numbers of samples: X.shape=\(40, 3\), y.shape=\(39,\)"):
        gc.LogisticRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"LogisticRegression.fit needs at least 2 classes"):
        gc.LogisticRegression().fit(X, np.zeros(40))
    with pytest.raises(ValueError, match=r"PCA: n_components=7 .*\[1, 3\]"):
        gc.PCA(7).fit(X)
    with pytest.raises(ValueError, match=r"KNeighborsClassifier: n_neighbors=50 exceeds the number of training samples \(n_samples=40\)"):
        gc.KNeighborsClassifier(50).fit(X, y)
    with pytest.raises(ValueError, match=r"DecisionTreeClassifier: criterion must be one of"):
        gc.DecisionTreeClassifier(criterion="mse").fit(X, y)
    with pytest.raises(ValueError, match=r"KernelDensity: bandwidth must be"):
        gc.KernelDensity(bandwidth=-1.0).fit(X)


def test_params_clone_and_repr():
    model = gc.Ridge(alpha=3.0)
    assert model.get_params() == {"alpha": 3.0, "fit_intercept": True}
    assert model.set_params(alpha=0.5) is model and model.alpha == 0.5
    with pytest.raises(ValueError, match=r"Ridge has no parameter 'beta'"):
        model.set_params(beta=1)
    X, y = _data()
    model.fit(X, y)
    copy = gc.clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "coef_")
    assert repr(gc.Ridge(alpha=0.5)) == "Ridge(alpha=0.5)"
    assert repr(gc.Lasso()) == "Lasso()"
