"""Every gradstudent.classical estimator inside scikit-learn's own machinery.

The fast tests put each estimator in ``sklearn.pipeline.Pipeline``,
``cross_val_score``, ``GridSearchCV`` and ``sklearn.base.clone``; the slow
test runs scikit-learn's full ``check_estimator`` suite on each.
(scikit-learn is the oracle here; the estimators themselves never import it.)
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from sklearn.base import clone as sk_clone
from sklearn.model_selection import GridSearchCV as SkGridSearchCV
from sklearn.model_selection import cross_val_score as sk_cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator

import gradstudent.classical as C

# name -> (factory for a small-data instance, kind, a parameter grid to search)
ESTIMATORS: dict[str, tuple[Callable[[], Any], str, dict[str, list[Any]]]] = {
    "PCA": (lambda: C.PCA(n_components=2), "transformer", {"n_components": [1, 2]}),
    "KernelPCA": (lambda: C.KernelPCA(n_components=2, kernel="rbf"), "transformer", {"gamma": [0.1, 1.0]}),
    "TSNE": (lambda: C.TSNE(perplexity=5.0, max_iter=250, random_state=0), "embedding", {"perplexity": [3.0, 5.0]}),
    "UMAP": (lambda: C.UMAP(n_neighbors=5, n_epochs=20, random_state=0), "embedding", {"min_dist": [0.1, 0.5]}),
    "KernelDensity": (lambda: C.KernelDensity(bandwidth=0.5), "density", {"bandwidth": [0.3, 1.0]}),
    "MeanShift": (lambda: C.MeanShift(bandwidth=1.5), "clusterer", {"bandwidth": [1.0, 2.0]}),
    "KMeans": (lambda: C.KMeans(n_clusters=3, n_init=2, random_state=0), "clusterer", {"n_clusters": [2, 3]}),
    "GaussianMixture": (lambda: C.GaussianMixture(n_components=2, random_state=0), "density", {"n_components": [1, 2]}),
    "LinearRegression": (C.LinearRegression, "regressor", {"fit_intercept": [True, False]}),
    "Ridge": (C.Ridge, "regressor", {"alpha": [0.1, 1.0]}),
    "Lasso": (lambda: C.Lasso(alpha=0.01), "regressor", {"alpha": [0.01, 0.1]}),
    "ElasticNet": (lambda: C.ElasticNet(alpha=0.01), "regressor", {"l1_ratio": [0.2, 0.8]}),
    "LogisticRegression": (C.LogisticRegression, "classifier", {"C": [0.1, 1.0]}),
    "PoissonRegressor": (C.PoissonRegressor, "positive_regressor", {"alpha": [0.1, 1.0]}),
    "GammaRegressor": (C.GammaRegressor, "positive_regressor", {"alpha": [0.1, 1.0]}),
    "LinearDiscriminantAnalysis": (C.LinearDiscriminantAnalysis, "classifier", {"shrinkage": [None, 0.1]}),
    "QuadraticDiscriminantAnalysis": (C.QuadraticDiscriminantAnalysis, "classifier", {"reg_param": [0.0, 0.1]}),
    "DecisionTreeClassifier": (C.DecisionTreeClassifier, "classifier", {"max_depth": [2, 4]}),
    "DecisionTreeRegressor": (C.DecisionTreeRegressor, "regressor", {"max_depth": [2, 4]}),
    "KNeighborsClassifier": (C.KNeighborsClassifier, "classifier", {"n_neighbors": [3, 5]}),
    "KNeighborsRegressor": (C.KNeighborsRegressor, "regressor", {"n_neighbors": [3, 5]}),
    "StandardScaler": (C.StandardScaler, "transformer", {"with_mean": [True, False]}),
    "PolynomialFeatures": (C.PolynomialFeatures, "transformer", {"degree": [1, 2]}),
    "RandomFourierFeatures": (lambda: C.RandomFourierFeatures(n_components=20, random_state=0), "transformer", {"gamma": [0.5, 1.0]}),
    "RandomReLUFeatures": (lambda: C.RandomReLUFeatures(n_components=20, random_state=0), "transformer", {"bias_scale": [0.5, 1.0]}),
}


def test_every_estimator_is_listed() -> None:
    exported = {
        name
        for name in C.__all__
        if isinstance(getattr(C, name), type) and hasattr(getattr(C, name), "fit") and name != "GridSearchCV"
    }
    assert exported - {"BaseEstimator"} == set(ESTIMATORS)


def _data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0, 0.0], [3.0, 3.0, 0.0], [0.0, 3.0, 3.0]])
    labels = np.repeat(np.arange(3), 20)
    X = centers[labels] + 0.6 * rng.standard_normal((60, 3))
    if kind in ("regressor", "positive_regressor"):
        y = X @ np.array([0.5, -0.3, 0.2]) + 0.1 * rng.standard_normal(60)
        return X, (np.exp(y / 2) if kind == "positive_regressor" else y)
    return X, labels


def _scoring(kind: str) -> Any:
    """What cross_val_score/GridSearchCV score with (None = the estimator's own ``score``)."""
    if kind == "clusterer":
        return "adjusted_rand_score"
    if kind == "embedding":  # no transform of new points: score the fitted embedding's finiteness
        return lambda estimator, X, y: float(np.isfinite(estimator[-1].embedding_).mean())
    return None


def _model(name: str) -> Any:
    """The estimator, made scoreable: a transformer gets a classifier after it."""
    factory, kind, _ = ESTIMATORS[name]
    if kind == "transformer":
        return Pipeline([("step", factory()), ("clf", C.LogisticRegression())])
    return Pipeline([("scale", C.StandardScaler()), ("step", factory())])


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_clone(name: str) -> None:
    estimator = ESTIMATORS[name][0]()
    copy = sk_clone(estimator)
    assert type(copy) is type(estimator) and copy is not estimator
    assert copy.get_params() == estimator.get_params()
    assert get_tags(estimator).estimator_type == {
        "classifier": "classifier", "regressor": "regressor", "positive_regressor": "regressor", "clusterer": "clusterer"
    }.get(ESTIMATORS[name][1])


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_pipeline_cross_val_score_grid_search(name: str) -> None:
    _, kind, grid = ESTIMATORS[name]
    X, y = _data(kind)
    model = _model(name)
    if kind == "embedding":
        embedding = model.fit_transform(X)
        assert embedding.shape == (60, 2) and np.all(np.isfinite(embedding))
    else:
        model.fit(X, y)
    scores = sk_cross_val_score(model, X, y, cv=3, scoring=_scoring(kind))
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    if kind == "classifier":
        assert scores.mean() > 0.8  # the three blobs are easy
    search = SkGridSearchCV(model, {f"step__{key}": values for key, values in grid.items()}, cv=3, scoring=_scoring(kind))
    search.fit(X, y)
    assert set(search.best_params_) == {f"step__{key}" for key in grid}
    assert search.best_estimator_[ "step"].get_params()[next(iter(grid))] in next(iter(grid.values()))


def test_column_vector_y_warns_like_sklearn() -> None:
    from sklearn.exceptions import DataConversionWarning

    X, y = _data("classifier")
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        C.LogisticRegression().fit(X, y[:, None])


def test_not_fitted_error_is_sklearns_when_sklearn_is_loaded() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        C.Ridge().predict(np.ones((2, 3)))
    with pytest.raises(C.NotFittedError):
        C.Ridge().predict(np.ones((2, 3)))


def test_make_pipeline_of_two_gradstudent_estimators() -> None:
    assert make_pipeline(C.StandardScaler(), C.Ridge()).fit(*_data("regressor")).score(*_data("regressor")) > 0.9


# Small-data settings, as scikit-learn's own common tests use for its TSNE (perplexity=2):
# check_estimator fits on as few as 10 samples.
CHECK_INSTANCES: dict[str, Callable[[], Any]] = {name: ESTIMATORS[name][0] for name in ESTIMATORS}
CHECK_INSTANCES |= {
    "TSNE": lambda: C.TSNE(perplexity=2.0),
    "UMAP": lambda: C.UMAP(n_neighbors=5),
    "MeanShift": C.MeanShift,
    "KernelDensity": C.KernelDensity,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHECK_INSTANCES))
def test_check_estimator(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(CHECK_INSTANCES[name](), on_fail=None)
    failed = [f"{r['check_name']}: {r['exception']!r}" for r in results if r["status"] == "failed"]
    assert not failed, "\n".join(failed)
    assert sum(r["status"] == "passed" for r in results) >= 35
