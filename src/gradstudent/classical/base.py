"""Shared machinery for the classical estimators.

Every estimator follows scikit-learn's conventions, because they are a good
design and because the tests use scikit-learn as an oracle:

* hyper-parameters are the keyword arguments of ``__init__`` and are stored
  unchanged (no validation or computation in ``__init__``);
* ``fit(X, y=None)`` learns from data and returns ``self``;
* everything learned from data is stored in attributes ending in ``_``
  (``coef_``, ``components_``, ...), so "is it fitted?" means "does it have
  such attributes?";
* ``predict`` / ``transform`` / ``score`` use only the fitted attributes.

This module provides the input validation used everywhere (so that bad input
fails early with a message naming the estimator and the shapes at fault), a
``NotFittedError``, ``get_params``/``set_params``/``clone`` (used by
``GridSearchCV``), and small mixins giving ``score`` and ``fit_transform``.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

import numpy as np

__all__ = [
    "NotFittedError",
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "ClusterMixin",
    "clone",
    "check_array",
    "check_random_state",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform``/... is called before ``fit``."""


def check_random_state(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``None``, an int or a Generator into a ``np.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def check_array(
    X: Any,
    where: str,
    *,
    name: str = "X",
    ndim: int = 2,
    dtype: type | None = np.float64,
    min_samples: int = 1,
) -> np.ndarray:
    """Convert ``X`` to an ndarray and check its shape and values.

    ``where`` names the caller (e.g. ``"PCA.fit"``) so that the error message
    says which estimator rejected the input and why.
    """
    try:
        array = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: could not convert {name} to a numeric array ({error})") from None
    if array.ndim != ndim:
        expected = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        hint = " Reshape a single feature with X.reshape(-1, 1)." if ndim == 2 and array.ndim == 1 else ""
        raise ValueError(
            f"{where} expects a {ndim}-D array {name} of shape {expected}, got shape {array.shape}.{hint}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"{where} needs at least {min_samples} sample(s), got {name} with shape {array.shape}."
        )
    if ndim == 2 and array.shape[1] == 0:
        raise ValueError(f"{where} needs at least 1 feature, got {name} with shape {array.shape}.")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{where}: {name} contains NaN or infinity ({bad} non-finite values).")
    return array


class BaseEstimator:
    """Hyper-parameter bookkeeping and input validation shared by all estimators."""

    # ----------------------------------------------------------- parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            name
            for name, parameter in signature.parameters.items()
            if name != "self" and parameter.kind != parameter.VAR_KEYWORD
        ]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters (the ``__init__`` arguments) as a dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> "BaseEstimator":
        """Set hyper-parameters by name; unknown names are an error."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__} has no parameter {name!r}; valid parameters: {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = default is value or (
                not isinstance(value, np.ndarray) and type(default) is type(value) and default == value
            )
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # ----------------------------------------------------------- validation
    def _check_is_fitted(self, method: str) -> None:
        fitted = [key for key in vars(self) if key.endswith("_") and not key.startswith("_")]
        if not fitted:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet: call 'fit' before '{method}'."
            )

    def _validate_X(self, X: Any, method: str, *, reset: bool = False, min_samples: int = 1) -> np.ndarray:
        """Validate ``X``; on ``fit`` (reset=True) remember the feature count,
        otherwise check the estimator is fitted and the feature count agrees."""
        where = f"{type(self).__name__}.{method}"
        if not reset:
            self._check_is_fitted(method)
        array = check_array(X, where, min_samples=min_samples)
        if reset:
            self.n_features_in_ = array.shape[1]
        elif array.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{where}: X has {array.shape[1]} features (X.shape={array.shape}), but "
                f"{type(self).__name__} was fitted with {self.n_features_in_} features "
                f"(expected shape (n_samples, {self.n_features_in_}))."
            )
        return array

    def _validate_X_y(
        self, X: Any, y: Any, method: str = "fit", *, y_dtype: type | None = np.float64, min_samples: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Validate a training pair: ``X`` 2-D, ``y`` 1-D, same number of rows."""
        where = f"{type(self).__name__}.{method}"
        X_array = self._validate_X(X, method, reset=True, min_samples=min_samples)
        if y is None:
            raise ValueError(f"{where} requires y, got None.")
        y_array = np.asarray(y) if y_dtype is None else np.asarray(y, dtype=y_dtype)
        if y_array.ndim != 1:
            raise ValueError(f"{where} expects a 1-D target y of shape (n_samples,), got shape {y_array.shape}.")
        if y_array.shape[0] != X_array.shape[0]:
            raise ValueError(
                f"{where}: X and y have different numbers of samples: X.shape={X_array.shape}, y.shape={y_array.shape}."
            )
        if y_array.dtype.kind == "f" and not np.all(np.isfinite(y_array)):
            raise ValueError(f"{where}: y contains NaN or infinity.")
        return X_array, y_array


def clone(estimator: BaseEstimator) -> BaseEstimator:
    """A new, unfitted estimator with the same hyper-parameters."""
    params = copy.deepcopy(estimator.get_params(deep=False))
    return type(estimator)(**params)


class ClassifierMixin:
    """``classes_`` bookkeeping and ``score`` = accuracy."""

    _estimator_type = "classifier"

    def _encode_classes(self, y: np.ndarray, min_classes: int = 2) -> np.ndarray:
        """Store the sorted distinct labels in ``classes_`` and return ``y`` as
        indices ``0..n_classes-1`` into it."""
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < min_classes:
            raise ValueError(
                f"{type(self).__name__}.fit needs at least {min_classes} classes in y, "
                f"got {len(self.classes_)} ({self.classes_.tolist()})."
            )
        return y_index

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class RegressorMixin:
    """``score`` = coefficient of determination R²."""

    _estimator_type = "regressor"

    def score(self, X: Any, y: Any) -> float:
        """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)²."""
        from gradstudent.metrics import r2_score

        return float(r2_score(y, self.predict(X)))


class TransformerMixin:
    """``fit_transform`` = ``fit`` then ``transform`` (estimators may override)."""

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X, y).transform(X)


class ClusterMixin:
    """``fit_predict`` = ``fit`` then return ``labels_``."""

    _estimator_type = "clusterer"

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_
