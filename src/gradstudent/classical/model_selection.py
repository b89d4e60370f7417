"""Data splitting, cross-validation and grid search.

Cross-validation estimates how well a model trained on n samples generalizes:
split the data into K folds, train on K-1 of them, score on the held-out
one, and average the K scores. Stratified folds keep each class's share
(about) equal in every fold, which matters for small or imbalanced classes.

Shuffling uses NumPy's legacy ``RandomState(seed)`` so that, for the same
seed, the folds and splits coincide with scikit-learn's.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from gradstudent import metrics
from gradstudent.classical.base import BaseEstimator, clone

__all__ = [
    "KFold",
    "StratifiedKFold",
    "train_test_split",
    "train_val_test_split",
    "cross_val_score",
    "GridSearchCV",
    "ParameterGrid",
]

Split = tuple[np.ndarray, np.ndarray]


def _check_n_splits(n_splits: int, n_samples: int, name: str) -> None:
    if not (isinstance(n_splits, (int, np.integer)) and n_splits >= 2):
        raise ValueError(f"{name}: n_splits must be an int >= 2, got {n_splits!r}.")
    if n_splits > n_samples:
        raise ValueError(f"{name}: cannot make n_splits={n_splits} folds from {n_samples} samples.")


class KFold:
    """K contiguous folds (after an optional shuffle). The first n mod K folds
    get one extra sample. ``split`` yields (train indices, test indices)."""

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: int | None = None) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None) -> int:
        return self.n_splits

    def split(self, X: Any, y: Any = None) -> Iterator[Split]:
        n_samples = len(X)
        _check_n_splits(self.n_splits, n_samples, "KFold")
        indices = np.arange(n_samples)
        if self.shuffle:
            np.random.RandomState(self.random_state).shuffle(indices)
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        start = 0
        for size in sizes:
            test = indices[start : start + size]
            is_test = np.zeros(n_samples, dtype=bool)
            is_test[test] = True
            yield np.flatnonzero(~is_test), np.flatnonzero(is_test)
            start += size


class StratifiedKFold:
    """K folds with (nearly) the same class proportions as the whole data.

    Deal each class's samples to folds round-robin: sort the labels, send the
    i-th sorted label to fold i mod K; this fixes how many samples of each
    class every fold receives. Then, for each class, assign its samples (in
    data order, or shuffled) to folds with those counts.
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: int | None = None) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None) -> int:
        return self.n_splits

    def split(self, X: Any, y: Any) -> Iterator[Split]:
        labels = np.asarray(y)
        n_samples = len(labels)
        _check_n_splits(self.n_splits, n_samples, "StratifiedKFold")
        # classes numbered by order of first appearance (matches scikit-learn's dealing)
        _, first_seen, inverse = np.unique(labels, return_index=True, return_inverse=True)
        class_rank = np.argsort(np.argsort(first_seen))
        encoded = class_rank[inverse]
        n_classes = len(first_seen)
        counts = np.bincount(encoded)
        if np.all(counts < self.n_splits):
            raise ValueError(
                f"StratifiedKFold: n_splits={self.n_splits} is greater than the number of members in every class "
                f"(largest class has {counts.max()})."
            )
        dealt = np.sort(encoded)
        per_fold = np.array([np.bincount(dealt[fold :: self.n_splits], minlength=n_classes) for fold in range(self.n_splits)])
        rng = np.random.RandomState(self.random_state) if self.shuffle else None
        test_fold = np.empty(n_samples, dtype=int)
        for k in range(n_classes):
            folds_for_class = np.repeat(np.arange(self.n_splits), per_fold[:, k])
            if rng is not None:
                rng.shuffle(folds_for_class)
            test_fold[encoded == k] = folds_for_class
        for fold in range(self.n_splits):
            yield np.flatnonzero(test_fold != fold), np.flatnonzero(test_fold == fold)


def _resolve_sizes(n_samples: int, test_size: float | int | None, train_size: float | int | None) -> tuple[int, int]:
    """Number of test and train samples: fractions round the test part up
    and the train part down (as scikit-learn)."""

    def count(size: float | int, rounding: Callable[[float], int]) -> int:
        if isinstance(size, (float, np.floating)):
            if not 0.0 < size < 1.0:
                raise ValueError(f"train_test_split: a fractional size must be in (0, 1), got {size}.")
            return rounding(size * n_samples)
        return int(size)

    if test_size is None and train_size is None:
        test_size = 0.25
    n_test = count(test_size, math.ceil) if test_size is not None else None
    n_train = count(train_size, math.floor) if train_size is not None else None
    n_test = n_samples - n_train if n_test is None else n_test
    n_train = n_samples - n_test if n_train is None else n_train
    if n_train <= 0 or n_test <= 0 or n_train + n_test > n_samples:
        raise ValueError(
            f"train_test_split: with {n_samples} samples, test_size={test_size!r} and train_size={train_size!r} "
            f"give {n_train} train and {n_test} test samples; both must be positive and fit."
        )
    return n_test, n_train


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: int | None = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list[Any]:
    """Split arrays into random train and test subsets; returns
    [a_train, a_test, b_train, b_test, ...].

    Without ``stratify`` the test set is the first n_test entries of a random
    permutation (identical to scikit-learn for the same seed). With
    ``stratify=y`` each class contributes its share of the test set (rounded
    so that the totals match) and the split is exact in proportions but not
    identical to scikit-learn's.
    """
    if not arrays:
        raise ValueError("train_test_split: at least one array required.")
    n_samples = len(arrays[0])
    for array in arrays:
        if len(array) != n_samples:
            raise ValueError(f"train_test_split: arrays have different lengths: {[len(a) for a in arrays]}.")
    n_test, n_train = _resolve_sizes(n_samples, test_size, train_size)
    rng = np.random.RandomState(random_state)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify requires shuffle=True.")
        test_index, train_index = _stratified_indices(np.asarray(stratify), n_test, n_train, rng)
    elif shuffle:
        permutation = rng.permutation(n_samples)
        test_index, train_index = permutation[:n_test], permutation[n_test : n_test + n_train]
    else:
        train_index, test_index = np.arange(n_train), np.arange(n_train, n_train + n_test)
    return [part for array in arrays for part in (_take(array, train_index), _take(array, test_index))]


def _stratified_indices(labels: np.ndarray, n_test: int, n_train: int, rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    classes, encoded = np.unique(labels, return_inverse=True)
    counts = np.bincount(encoded)
    if counts.min() < 2:
        raise ValueError(f"train_test_split: the least populated class in stratify has {counts.min()} member(s); need 2.")
    # largest-remainder rounding of n_test * class share, so the total is exact
    ideal = n_test * counts / counts.sum()
    test_counts = np.floor(ideal).astype(int)
    for k in np.argsort(-(ideal - test_counts), kind="stable")[: n_test - test_counts.sum()]:
        test_counts[k] += 1
    test_index, train_index = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(encoded == k))
        test_index.append(members[: test_counts[k]])
        train_index.append(members[test_counts[k] :])
    train_all = rng.permutation(np.concatenate(train_index))[:n_train]
    return rng.permutation(np.concatenate(test_index)), train_all


def _take(array: Any, index: np.ndarray) -> Any:
    if isinstance(array, np.ndarray):
        return array[index]
    if isinstance(array, list):
        return [array[i] for i in index]
    return np.asarray(array)[index]


def train_val_test_split(
    *arrays: Any,
    val_size: float = 0.15,
    test_size: float = 0.15,
    random_state: int | None = None,
    stratify: Any = None,
) -> list[Any]:
    """Three-way split: returns [a_train, a_val, a_test, b_train, b_val, b_test, ...].

    The test part is split off first, then the validation part from the rest,
    with ``val_size`` and ``test_size`` as fractions of the *whole* data.
    Fit on train, choose hyper-parameters on val, report once on test.
    """
    if not (0 < val_size < 1 and 0 < test_size < 1 and val_size + test_size < 1):
        raise ValueError(f"train_val_test_split: need 0 < val_size, test_size and val_size + test_size < 1, got {val_size}, {test_size}.")
    # carry the stratification labels along as an extra array, to stratify the second split too
    extra = [] if stratify is None else [np.asarray(stratify)]
    first = train_test_split(*arrays, *extra, test_size=test_size, random_state=random_state, stratify=stratify)
    rest, tests = first[0::2], first[1::2]
    rest_stratify = rest.pop() if extra else None
    tests = tests[: len(arrays)]
    second = train_test_split(
        *rest, test_size=val_size / (1.0 - test_size), random_state=None if random_state is None else random_state + 1,
        stratify=rest_stratify,
    )
    trains, vals = second[0::2], second[1::2]
    return [part for triple in zip(trains, vals, tests) for part in triple]


# ----------------------------------------------------------------------------- scoring
_SCORERS: dict[str, Callable[[Any, np.ndarray, np.ndarray], float]] = {
    "accuracy": lambda est, X, y: metrics.accuracy_score(y, est.predict(X)),
    "r2": lambda est, X, y: metrics.r2_score(y, est.predict(X)),
    "neg_mean_squared_error": lambda est, X, y: -metrics.mean_squared_error(y, est.predict(X)),
    "neg_log_loss": lambda est, X, y: -metrics.log_loss(y, est.predict_proba(X), labels=est.classes_),
    "f1_macro": lambda est, X, y: metrics.f1_score(y, est.predict(X), average="macro"),
    "roc_auc": lambda est, X, y: metrics.roc_auc_score(y, est.predict_proba(X)),
}


def _get_scorer(scoring: str | Callable | None) -> Callable[[Any, np.ndarray, np.ndarray], float]:
    if scoring is None:
        return lambda est, X, y: est.score(X, y) if y is not None else est.score(X)
    if callable(scoring):
        return scoring
    if scoring not in _SCORERS:
        raise ValueError(f"unknown scoring {scoring!r}; choose one of {sorted(_SCORERS)} or pass a callable(est, X, y).")
    return _SCORERS[scoring]


def _resolve_cv(cv: int | Any, estimator: Any, y: Any) -> Any:
    """An int means K folds: stratified for classifiers (as scikit-learn), plain otherwise."""
    if isinstance(cv, (int, np.integer)):
        if getattr(estimator, "_estimator_type", None) == "classifier" and y is not None:
            return StratifiedKFold(int(cv))
        return KFold(int(cv))
    return cv


def _subset(array: Any, index: np.ndarray) -> Any:
    return None if array is None else np.asarray(array)[index]


def cross_val_score(
    estimator: BaseEstimator, X: Any, y: Any = None, *, cv: int | Any = 5, scoring: str | Callable | None = None
) -> np.ndarray:
    """Score of a fresh clone of ``estimator`` on each held-out fold, shape (n_splits,)."""
    scorer = _get_scorer(scoring)
    splitter = _resolve_cv(cv, estimator, y)
    scores = []
    for train, test in splitter.split(X, y):
        model = clone(estimator).fit(_subset(X, train), _subset(y, train))
        scores.append(scorer(model, _subset(X, test), _subset(y, test)))
    return np.array(scores)


class ParameterGrid:
    """All combinations of a dict of parameter lists (or a list of such dicts).
    Keys are iterated in sorted order, the last key varying fastest."""

    def __init__(self, param_grid: dict[str, Sequence[Any]] | list[dict[str, Sequence[Any]]]) -> None:
        self.grids = [param_grid] if isinstance(param_grid, dict) else list(param_grid)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for grid in self.grids:
            keys = sorted(grid)
            for values in itertools.product(*(grid[key] for key in keys)):
                yield dict(zip(keys, values))

    def __len__(self) -> int:
        return sum(math.prod(len(v) for v in grid.values()) for grid in self.grids)


class GridSearchCV(BaseEstimator):
    """Exhaustive search over a parameter grid by cross-validation.

    For each parameter combination, the mean cross-validated score is computed;
    the best (highest mean; first on ties) gives ``best_params_`` and
    ``best_score_``. With ``refit`` the estimator is then retrained on all the
    data as ``best_estimator_``, and ``predict``/``score`` delegate to it.
    ``cv_results_`` holds ``params``, ``mean_test_score``, ``std_test_score``,
    ``rank_test_score`` and ``split{i}_test_score``.
    """

    def __init__(
        self,
        estimator: BaseEstimator,
        param_grid: dict[str, Sequence[Any]] | list[dict[str, Sequence[Any]]],
        *,
        cv: int | Any = 5,
        scoring: str | Callable | None = None,
        refit: bool = True,
    ) -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.refit = refit

    def fit(self, X: Any, y: Any = None) -> "GridSearchCV":
        scorer = _get_scorer(self.scoring)
        splits = list(_resolve_cv(self.cv, self.estimator, y).split(X, y))
        candidates = list(ParameterGrid(self.param_grid))
        if not candidates:
            raise ValueError("GridSearchCV: the parameter grid is empty.")
        fold_scores = np.empty((len(candidates), len(splits)))
        for i, params in enumerate(candidates):
            for j, (train, test) in enumerate(splits):
                model = clone(self.estimator).set_params(**params).fit(_subset(X, train), _subset(y, train))
                fold_scores[i, j] = scorer(model, _subset(X, test), _subset(y, test))
        means = fold_scores.mean(axis=1)
        # rank 1 = best; equal means share the smaller rank
        ranks = np.array([1 + np.sum(means > mean) for mean in means])
        self.cv_results_: dict[str, Any] = {
            "params": candidates,
            "mean_test_score": means,
            "std_test_score": fold_scores.std(axis=1),
            "rank_test_score": ranks,
            **{f"split{j}_test_score": fold_scores[:, j] for j in range(len(splits))},
        }
        self.best_index_ = int(np.argmax(means))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(means[self.best_index_])
        self.n_splits_ = len(splits)
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_).fit(X, y)
        return self

    def _best(self, method: str) -> Any:
        self._check_is_fitted(method)
        if not self.refit:
            raise ValueError(f"GridSearchCV.{method} needs refit=True.")
        return self.best_estimator_

    def predict(self, X: Any) -> np.ndarray:
        return self._best("predict").predict(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._best("predict_proba").predict_proba(X)

    def transform(self, X: Any) -> np.ndarray:
        return self._best("transform").transform(X)

    def score(self, X: Any, y: Any = None) -> float:
        return float(_get_scorer(self.scoring)(self._best("score"), np.asarray(X), None if y is None else np.asarray(y)))
