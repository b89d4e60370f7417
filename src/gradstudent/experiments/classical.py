"""classical: the classical classifiers side by side, on digits and on 2-D sets.

Each model encodes a different assumption about the classes:
logistic regression (a linear boundary), LDA (Gaussian classes with a shared
covariance: linear boundary), QDA (one covariance per class: quadratic
boundary), a decision tree (axis-aligned boxes; pruned by cost-complexity
with alpha chosen by cross-validation), k-nearest neighbours (local vote,
no model at all) and logistic regression on random Fourier features (a
kernel machine in disguise). The table reports test accuracy; the figure
shows each decision boundary on four 2-D sets.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..classical import (
    DecisionTreeClassifier,
    GridSearchCV,
    KNeighborsClassifier,
    LinearDiscriminantAnalysis,
    LogisticRegression,
    QuadraticDiscriminantAnalysis,
    RandomFourierFeatures,
    StandardScaler,
    train_test_split,
)
from ..classical.base import BaseEstimator, ClassifierMixin
from ..classical.plotting import plot_decision_boundary
from ..datasets import load_digits_arrays, make_circles, make_moons, make_spirals, make_xor
from .registry import RunContext, experiment


class FeaturePipeline(ClassifierMixin, BaseEstimator):
    """A feature map followed by a classifier (a two-step pipeline)."""

    def __init__(self, features: Any, classifier: Any) -> None:
        self.features = features
        self.classifier = classifier

    def fit(self, X: Any, y: Any) -> "FeaturePipeline":
        self.classifier.fit(self.features.fit_transform(X), y)
        self.classes_ = self.classifier.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.classifier.predict(self.features.transform(X))


def _slug(name: str) -> str:
    """'RFF + logistic' -> 'rff_logistic' (a metric-friendly key)."""
    return "_".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _pruned_tree(X: np.ndarray, y: np.ndarray) -> DecisionTreeClassifier:
    """A tree pruned with the ccp_alpha (from its own pruning path) that maximizes 5-fold CV accuracy."""
    alphas = DecisionTreeClassifier().cost_complexity_pruning_path(X, y)["ccp_alphas"]
    candidates = np.unique(np.quantile(alphas[:-1], np.linspace(0, 1, 12)))  # the last alpha = a single leaf
    search = GridSearchCV(DecisionTreeClassifier(), {"ccp_alpha": list(candidates)}, cv=5).fit(X, y)
    return search.best_estimator_


def _models(seed: int, gamma: float) -> dict[str, Callable[[np.ndarray, np.ndarray], Any]]:
    """Name -> function fitting a model on (X, y)."""
    return {
        "logistic": lambda X, y: LogisticRegression(C=1.0, max_iter=300).fit(X, y),
        "LDA": lambda X, y: LinearDiscriminantAnalysis(shrinkage=0.05).fit(X, y),
        "QDA": lambda X, y: QuadraticDiscriminantAnalysis(reg_param=0.05).fit(X, y),
        "tree": lambda X, y: DecisionTreeClassifier().fit(X, y),
        "pruned tree": lambda X, y: _pruned_tree(X, y),
        "5-NN": lambda X, y: KNeighborsClassifier(5).fit(X, y),
        "RFF + logistic": lambda X, y: FeaturePipeline(
            RandomFourierFeatures(300, gamma=gamma, random_state=seed), LogisticRegression(C=10.0, max_iter=300)
        ).fit(X, y),
    }


@experiment(
    "classical",
    "Logistic, LDA, QDA, trees, k-NN and random features on digits and 2-D sets: accuracy and decision boundaries",
    n_points=400,
    max_digits=None,
)
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    metrics: dict[str, float] = {}
    # ---- digits: 64 pixels, 10 classes
    X_train, y_train = load_digits_arrays("train", seed=ctx.seed)
    X_test, y_test = load_digits_arrays("test", seed=ctx.seed)
    X_train, X_test = X_train.astype(np.float64), X_test.astype(np.float64)
    if ctx.config["max_digits"]:  # a quick run on a subset
        X_train, y_train = X_train[: ctx.config["max_digits"]], y_train[: ctx.config["max_digits"]]
    digit_rows = []
    for name, fit in _models(ctx.seed, gamma=0.02).items():
        model = fit(X_train, y_train)
        accuracy = float(np.mean(model.predict(X_test) == y_test))
        digit_rows.append({"model": name, "train accuracy": float(np.mean(model.predict(X_train) == y_train)), "test accuracy": accuracy})
        metrics[f"digits_{_slug(name)}_accuracy"] = accuracy
        ctx.log(f"digits  {name:15s} test accuracy {accuracy:.3f}")
    ctx.save_table(digit_rows, "digits_accuracy")

    # ---- 2-D sets: decision boundaries
    n = ctx.config["n_points"]
    datasets = {
        "moons": make_moons(n, noise=0.2, seed=ctx.seed),
        "circles": make_circles(n, noise=0.1, factor=0.5, seed=ctx.seed),
        "xor": make_xor(n, noise=0.3, seed=ctx.seed),
        "spirals": make_spirals(n, noise=0.2, seed=ctx.seed),
    }
    names = list(_models(ctx.seed, gamma=1.0))
    fig = Figure(figsize=(2.2 * len(names), 2.2 * len(datasets)))
    rows = []
    for row, (data_name, (X, y)) in enumerate(datasets.items()):
        X = StandardScaler().fit_transform(X.astype(np.float64))
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=ctx.seed, stratify=y)
        accuracies = {"dataset": data_name}
        for column, (name, fit) in enumerate(_models(ctx.seed, gamma=1.0).items()):
            model = fit(X_tr, y_tr)
            accuracies[name] = float(np.mean(model.predict(X_te) == y_te))
            plot_decision_boundary(
                fig.add_subplot(len(datasets), len(names), row * len(names) + column + 1),
                model.predict, X_tr, y_tr, f"{data_name} / {name}: {accuracies[name]:.2f}", resolution=100,
            )
        rows.append(accuracies)
    fig.suptitle("Decision boundaries (training points shown; title: test accuracy)")
    ctx.save_figure(fig, "decision_boundaries.png")
    ctx.save_table(rows, "2d_test_accuracy")
    for row in rows:
        metrics[f"{row['dataset']}_best_accuracy"] = max(v for k, v in row.items() if k != "dataset")
    return metrics
