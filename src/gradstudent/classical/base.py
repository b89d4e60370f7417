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

The estimators also speak scikit-learn's own protocol, so they work inside
``sklearn.pipeline.Pipeline``, ``cross_val_score``, ``GridSearchCV`` and
``clone`` and pass ``sklearn.utils.estimator_checks.check_estimator``:
``__sklearn_tags__`` (scikit-learn is imported there, only when scikit-learn
asks), ``__sklearn_is_fitted__``, error messages in scikit-learn's wording,
and -- when scikit-learn is loaded -- ``NotFittedError`` and
``DataConversionWarning`` that are also scikit-learn's classes.
"""

from __future__ import annotations

import copy
import inspect
import sys
import warnings
from typing import Any

import numpy as np

__all__ = [
    "NotFittedError",
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "ClusterMixin",
    "DataConversionWarning",
    "clone",
    "check_array",
    "check_random_state",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform``/... is called before ``fit``."""


class DataConversionWarning(UserWarning):
    """Warned when input had to be reshaped (a column-vector ``y`` raveled)."""


_SKLEARN_TWINS: dict[type, type] = {}


def _sklearn_compatible(cls: type, sklearn_name: str) -> type:
    """``cls``, or -- when scikit-learn is already imported -- a subclass of
    both ``cls`` and scikit-learn's class of the same role.

    gradstudent never imports scikit-learn, but when scikit-learn drives an
    estimator (``check_estimator``, ``cross_val_score``, a user's
    ``except sklearn.exceptions.NotFittedError``) it expects its own exception
    and warning classes. scikit-learn is then loaded, so we can subclass it.
    """
    exceptions = sys.modules.get("sklearn.exceptions")
    if exceptions is None:
        return cls
    if cls not in _SKLEARN_TWINS:
        _SKLEARN_TWINS[cls] = type(cls.__name__, (cls, getattr(exceptions, sklearn_name)), {"__module__": __name__})
    return _SKLEARN_TWINS[cls]


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
    says which estimator rejected the input and why. The wording of the
    messages follows scikit-learn's (``check_estimator`` matches on it).
    """
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise TypeError(
            f"{where}: sparse data was passed for {name}, but dense data is required "
            f"(sparse input is not supported). Use {name}.toarray() to convert to a dense numpy array."
        )
    try:
        raw = np.asarray(X)
        if raw.dtype.kind == "c":
            raise ValueError(f"{where}: Complex data not supported ({name} has dtype {raw.dtype}).")
        array = raw if dtype is None else raw.astype(dtype, copy=False)
    except TypeError as error:
        raise TypeError(f"{where}: could not convert {name} to a numeric array ({error})") from None
    except ValueError as error:
        raise ValueError(f"{where}: could not convert {name} to a numeric array ({error})") from None
    if array.ndim != ndim:
        expected = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        hint = (
            " Reshape your data with X.reshape(-1, 1) if it has a single feature, or X.reshape(1, -1) "
            "if it is a single sample."
            if ndim == 2 and array.ndim == 1
            else ""
        )
        raise ValueError(
            f"{where} expects a {ndim}-D array {name} of shape {expected}, got shape {array.shape}.{hint}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"{where}: found array with {array.shape[0]} sample(s) (shape={array.shape}) while a minimum "
            f"of {min_samples} is required."
        )
    if ndim == 2 and array.shape[1] == 0:
        raise ValueError(
            f"{where}: found array with 0 feature(s) (shape={array.shape}) while a minimum of 1 is required."
        )
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{where}: {name} contains NaN or infinity ({bad} non-finite values).")
    return array


class BaseEstimator:
    """Hyper-parameter bookkeeping and input validation shared by all estimators."""

    # --------------------------------------------------- scikit-learn's tags
    def __sklearn_tags__(self) -> Any:
        """The estimator's capabilities, in scikit-learn's ``Tags`` form.

        scikit-learn (``Pipeline``, ``cross_val_score``, ``GridSearchCV``,
        ``clone``, ``check_estimator``) asks every estimator for its tags. Only
        scikit-learn calls this method, so scikit-learn is imported here and
        nowhere else: gradstudent's estimators do not need it to run.
        Mixins and estimators refine the tags by calling ``super()`` first.
        """
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted means: some public attribute ending in ``_`` exists."""
        return any(key.endswith("_") and not key.startswith("_") for key in vars(self))

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
            raise _sklearn_compatible(NotFittedError, "NotFittedError")(
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
                f"{where}: X has {array.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (X.shape={array.shape}; it was fitted with "
                f"{self.n_features_in_} features)."
            )
        return array

    def _validate_X_y(
        self, X: Any, y: Any, method: str = "fit", *, y_dtype: type | None = np.float64, min_samples: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Validate a training pair: ``X`` 2-D, ``y`` 1-D, same number of rows."""
        where = f"{type(self).__name__}.{method}"
        X_array = self._validate_X(X, method, reset=True, min_samples=min_samples)
        if y is None:
            raise ValueError(f"{where}: {type(self).__name__} requires y to be passed, but the target y is None.")
        y_array = np.asarray(y) if y_dtype is None else np.asarray(y, dtype=y_dtype)
        if y_array.ndim == 2 and y_array.shape[1] == 1:
            warnings.warn(
                _sklearn_compatible(DataConversionWarning, "DataConversionWarning")(
                    "A column-vector y was passed when a 1d array was expected. Please change the shape "
                    f"of y to (n_samples,), for example using ravel() ({where})."
                ),
                stacklevel=3,
            )
            y_array = y_array.ravel()
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

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags

    def _encode_classes(self, y: np.ndarray, min_classes: int = 2) -> np.ndarray:
        """Store the sorted distinct labels in ``classes_`` and return ``y`` as
        indices ``0..n_classes-1`` into it."""
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise ValueError(
                f"{type(self).__name__}.fit: Unknown label type: continuous. A classifier needs class labels; "
                "y has non-integer floating-point values (use a regressor for a continuous target)."
            )
        if y.dtype.kind == "O":
            kinds = {type(v) for v in y.tolist()}
            if len(kinds) > 1 or not (kinds <= {str, int, bool}):
                raise ValueError(
                    f"{type(self).__name__}.fit: Unknown label type: y of dtype object holds "
                    f"{sorted(k.__name__ for k in kinds)}; labels must all be strings or all integers."
                )
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < min_classes:
            raise ValueError(
                f"{type(self).__name__}.fit needs at least {min_classes} classes in y, "
                f"got {len(classes)} class{'es' if len(classes) != 1 else ''} ({classes.tolist()})."
            )
        self.classes_ = classes
        return y_index

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class RegressorMixin:
    """``score`` = coefficient of determination R²."""

    _estimator_type = "regressor"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any) -> float:
        """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)²."""
        from gradstudent.metrics import r2_score

        return float(r2_score(y, self.predict(X)))


class TransformerMixin:
    """``fit_transform`` = ``fit`` then ``transform`` (estimators may override)."""

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.transformer_tags = TransformerTags()
        return tags

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X, y).transform(X)


class ClusterMixin:
    """``fit_predict`` = ``fit`` then return ``labels_``."""

    _estimator_type = "clusterer"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "clusterer"
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []
        return tags

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_
