"""k-NN, splitting, cross-validation and grid search against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import model_selection as skms
from sklearn import neighbors as skn

from gradstudent.classical import (
    GridSearchCV,
    KFold,
    KNeighborsClassifier,
    KNeighborsRegressor,
    LogisticRegression,
    Ridge,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
    train_val_test_split,
)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y_class = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1)
    y_reg = X @ [1.0, 2.0, 3.0] + rng.normal(size=150)
    return X, y_class, y_reg, rng.normal(size=(60, 3))


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("k", [1, 5, 8])
def test_knn_matches_sklearn(data, weights, p, k):
    X, y_class, y_reg, X_test = data
    ours = KNeighborsClassifier(k, weights=weights, p=p).fit(X, y_class)
    theirs = skn.KNeighborsClassifier(k, weights=weights, p=p).fit(X, y_class)
    for queries in (X_test, X):  # X itself: every point is its own neighbour at distance 0
        np.testing.assert_array_equal(ours.predict(queries), theirs.predict(queries))
        np.testing.assert_allclose(ours.predict_proba(queries), theirs.predict_proba(queries), atol=1e-12)
    ours_reg = KNeighborsRegressor(k, weights=weights, p=p).fit(X, y_reg)
    theirs_reg = skn.KNeighborsRegressor(k, weights=weights, p=p).fit(X, y_reg)
    for queries in (X_test, X):
        np.testing.assert_allclose(ours_reg.predict(queries), theirs_reg.predict(queries), rtol=1e-10)
    distances, indices = ours.kneighbors(X_test)
    their_distances, their_indices = theirs.kneighbors(X_test)
    np.testing.assert_array_equal(indices, their_indices)
    np.testing.assert_allclose(distances, their_distances, rtol=1e-10)


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 0), (True, 42)])
def test_folds_are_identical_to_sklearn(data, shuffle, seed):
    X, y, _, _ = data
    y = y.copy()
    y[:4] = 3  # a small class
    for ours, theirs in [
        (KFold(4, shuffle=shuffle, random_state=seed), skms.KFold(4, shuffle=shuffle, random_state=seed)),
        (StratifiedKFold(4, shuffle=shuffle, random_state=seed), skms.StratifiedKFold(4, shuffle=shuffle, random_state=seed)),
    ]:
        pairs = list(zip(ours.split(X, y), theirs.split(X, y)))
        assert len(pairs) == 4
        for (train, test), (their_train, their_test) in pairs:
            np.testing.assert_array_equal(train, their_train)
            np.testing.assert_array_equal(test, their_test)


def test_stratified_folds_keep_class_shares(data):
    X, y, _, _ = data
    for _, test in StratifiedKFold(5, shuffle=True, random_state=1).split(X, y):
        np.testing.assert_allclose(np.bincount(y[test], minlength=3) / len(test), np.bincount(y) / len(y), atol=0.04)
    with pytest.raises(ValueError, match="n_splits=200 folds from 150 samples"):
        list(KFold(200).split(X))


def test_train_test_split(data):
    X, y, _, _ = data
    for kwargs in ({"test_size": 0.3, "random_state": 3}, {"train_size": 50, "random_state": 3}, {"random_state": 1}):
        for a, b in zip(train_test_split(X, y, **kwargs), skms.train_test_split(X, y, **kwargs)):
            np.testing.assert_array_equal(a, b)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    assert len(X_test) == 30 and len(X_train) == 120
    np.testing.assert_allclose(np.bincount(y_test, minlength=3) / 30, np.bincount(y) / 150, atol=0.02)
    with pytest.raises(ValueError, match="different lengths"):
        train_test_split(X, y[:-1])


def test_train_val_test_split(data):
    X, y, _, _ = data
    parts = train_val_test_split(X, y, val_size=0.2, test_size=0.2, random_state=0, stratify=y)
    X_train, X_val, X_test, y_train, y_val, y_test = parts
    assert (len(X_train), len(X_val), len(X_test)) == (90, 30, 30)
    rows = {tuple(r) for r in np.vstack([X_train, X_val, X_test])}
    assert len(rows) == 150  # a partition: no sample lost or repeated
    for labels in (y_train, y_val, y_test):
        np.testing.assert_allclose(np.bincount(labels, minlength=3) / len(labels), np.bincount(y) / 150, atol=0.04)


def test_cross_val_score_matches_sklearn(data):
    X, y_class, y_reg, _ = data
    np.testing.assert_allclose(
        cross_val_score(KNeighborsClassifier(3), X, y_class, cv=5), skms.cross_val_score(skn.KNeighborsClassifier(3), X, y_class, cv=5)
    )
    from sklearn.linear_model import Ridge as SkRidge

    np.testing.assert_allclose(
        cross_val_score(Ridge(1.0), X, y_reg, cv=KFold(4, shuffle=True, random_state=0), scoring="neg_mean_squared_error"),
        skms.cross_val_score(SkRidge(1.0), X, y_reg, cv=skms.KFold(4, shuffle=True, random_state=0), scoring="neg_mean_squared_error"),
        rtol=1e-10,
    )


def test_grid_search_matches_sklearn(data):
    X, y, _, X_test = data
    grid = {"n_neighbors": [1, 3, 5, 9, 15], "weights": ["uniform", "distance"]}
    ours = GridSearchCV(KNeighborsClassifier(), grid, cv=4).fit(X, y)
    theirs = skms.GridSearchCV(skn.KNeighborsClassifier(), grid, cv=4).fit(X, y)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    assert [dict(p) for p in ours.cv_results_["params"]] == [dict(p) for p in theirs.cv_results_["params"]]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(ours.cv_results_["rank_test_score"], theirs.cv_results_["rank_test_score"])
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    assert ours.best_estimator_.n_neighbors == ours.best_params_["n_neighbors"]


def test_grid_search_with_log_loss_and_no_refit(data):
    X, y, _, _ = data
    search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0, 100.0]}, cv=3, scoring="neg_log_loss", refit=False).fit(X, y)
    assert search.best_params_["C"] in (1.0, 100.0)
    with pytest.raises(ValueError, match="refit=True"):
        search.predict(X)
