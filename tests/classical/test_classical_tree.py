"""CART trees against scikit-learn.

scikit-learn breaks ties between equally good splits by a random feature
order, so trees are compared where no two candidate splits tie: one feature
(full depth), or several continuous features with limited depth / large
leaves. There, the same splits are chosen and predictions agree exactly.
(Thresholds agree to ~1e-7 because scikit-learn stores X as float32.)
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import tree as sktree
from sklearn.datasets import load_digits, make_classification, make_regression

from gradstudent.classical import DecisionTreeClassifier, DecisionTreeRegressor


def _assert_same_tree(ours, theirs, n_nodes: int | None = None) -> None:
    """Same structure, splits and node statistics (on the first ``n_nodes`` nodes in pre-order)."""
    a, b = ours.tree_, theirs.tree_
    if n_nodes is None:
        assert a.node_count == b.node_count
    k = n_nodes or a.node_count
    np.testing.assert_array_equal(a.children_left[:k], b.children_left[:k])
    np.testing.assert_array_equal(a.children_right[:k], b.children_right[:k])
    np.testing.assert_array_equal(a.feature[:k], b.feature[:k])
    np.testing.assert_allclose(a.threshold[:k], b.threshold[:k], atol=1e-6)
    np.testing.assert_array_equal(a.n_node_samples[:k], b.n_node_samples[:k])
    np.testing.assert_allclose(a.impurity[:k], b.impurity[:k], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.value[:k], b.value.reshape(a.value.shape)[:k], rtol=1e-9, atol=1e-12)


def _weighted_child_impurity(y_sorted: np.ndarray, position: int, criterion: str) -> float:
    def impurity(part: np.ndarray) -> float:
        if criterion == "squared_error":
            return len(part) * part.var()
        p = np.bincount(part) / len(part)
        p = p[p > 0]
        return len(part) * (1 - np.sum(p**2) if criterion == "gini" else -np.sum(p * np.log2(p)))

    return impurity(y_sorted[:position]) + impurity(y_sorted[position:])


def _check_splits_by_brute_force(model, X: np.ndarray, y: np.ndarray, criterion: str) -> list[int]:
    """Re-derive every split of ``model`` by trying all thresholds of all features.

    Asserts that each chosen split is optimal, and returns the nodes where
    another feature's best split is exactly as good (a tie: scikit-learn then
    picks a feature by its random feature order, so the trees may differ there).
    """
    tree = model.tree_
    samples_at = {0: np.arange(len(X))}
    ties = []
    for node in range(tree.node_count):
        samples = samples_at[node]
        if tree.children_left[node] == -1:
            continue
        goes_left = X[samples, tree.feature[node]] <= tree.threshold[node]
        samples_at[tree.children_left[node]], samples_at[tree.children_right[node]] = samples[goes_left], samples[~goes_left]
        best_per_feature = []
        for feature in range(X.shape[1]):
            order = np.argsort(X[samples, feature], kind="stable")
            values, targets = X[samples, feature][order], y[samples][order]
            leaf = model.min_samples_leaf
            positions = [p for p in range(leaf, len(samples) - leaf + 1) if values[p] > values[p - 1] + 1e-7]
            if positions:
                best_per_feature.append(min(_weighted_child_impurity(targets, p, criterion) for p in positions))
        chosen = _weighted_child_impurity(y[samples][np.argsort(~goes_left, kind="stable")], int(goes_left.sum()), criterion)
        best = np.sort(best_per_feature)
        assert chosen <= best[0] * (1 + 1e-9) + 1e-12, f"node {node}: split is not optimal"
        if len(best) > 1 and best[1] - best[0] <= 1e-9 * max(abs(best[0]), 1e-12):
            ties.append(node)
    return ties


@pytest.fixture(scope="module")
def classification() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = make_classification(500, 6, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=0)
    X_test, _ = make_classification(300, 6, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=1)
    return X, y, X_test


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_one_feature_full_tree_is_identical(criterion):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 1))
    y = (np.sin(3 * x[:, 0]) + 0.5 * rng.normal(size=300) > 0).astype(int) + (x[:, 0] > 1)
    ours = DecisionTreeClassifier(criterion=criterion).fit(x, y)
    theirs = sktree.DecisionTreeClassifier(criterion=criterion, random_state=0).fit(x, y)
    _assert_same_tree(ours, theirs)
    grid = np.linspace(-3, 3, 1001)[:, None]
    np.testing.assert_array_equal(ours.predict(grid), theirs.predict(grid))
    assert ours.get_depth() == theirs.get_depth() and ours.get_n_leaves() == theirs.get_n_leaves()


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize(
    "params", [{"max_depth": 3}, {"min_samples_split": 60}, {"max_depth": 5, "min_samples_leaf": 10}, {"max_depth": 6, "min_samples_leaf": 8}]
)
def test_classification_tree_matches_sklearn(classification, criterion, params):
    X, y, X_test = classification
    ours = DecisionTreeClassifier(criterion=criterion, **params).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(criterion=criterion, random_state=0, **params).fit(X, y)
    ties = _check_splits_by_brute_force(ours, X, y, criterion)
    if ties:  # identical up to the first tied node (pre-order numbering is shared up to there)
        _assert_same_tree(ours, theirs, n_nodes=ties[0])
        return
    _assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-12)
    np.testing.assert_array_equal(ours.apply(X_test), theirs.apply(X_test))


def test_tie_free_configurations_exist(classification):
    X, y, _ = classification
    for criterion in ("gini", "entropy"):
        for params in ({"max_depth": 3}, {"min_samples_split": 60}):
            assert not _check_splits_by_brute_force(DecisionTreeClassifier(criterion=criterion, **params).fit(X, y), X, y, criterion)


@pytest.mark.parametrize("params", [{"max_depth": 5}, {"min_samples_leaf": 10}, {"max_depth": 8, "min_samples_leaf": 4}, {"max_depth": 8, "min_impurity_decrease": 5.0}])
def test_regression_tree_matches_sklearn(params):
    X, y = make_regression(400, 5, noise=10.0, random_state=0)
    X_test = np.random.default_rng(1).normal(size=(200, 5))
    ours = DecisionTreeRegressor(**params).fit(X, y)
    theirs = sktree.DecisionTreeRegressor(random_state=0, **params).fit(X, y)
    ties = _check_splits_by_brute_force(ours, X, y, "squared_error")
    if ties:
        _assert_same_tree(ours, theirs, n_nodes=ties[0])
        return
    _assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(X_test), theirs.predict(X_test), rtol=1e-10)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-10)


def test_cost_complexity_path_and_pruning_match_sklearn():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=(250, 1))
    y_class = (x[:, 0] ** 2 + 0.7 * rng.normal(size=250) > 1).astype(int)
    y_reg = np.sin(2 * x[:, 0]) + 0.3 * rng.normal(size=250)
    for ours_class, theirs_class, y in [
        (DecisionTreeClassifier, sktree.DecisionTreeClassifier, y_class),
        (DecisionTreeRegressor, sktree.DecisionTreeRegressor, y_reg),
    ]:
        ours = ours_class().cost_complexity_pruning_path(x, y)
        theirs = theirs_class(random_state=0).cost_complexity_pruning_path(x, y)
        np.testing.assert_allclose(ours.ccp_alphas, theirs.ccp_alphas, rtol=1e-9, atol=1e-14)  # attribute access, like sklearn
        np.testing.assert_allclose(ours["impurities"], theirs.impurities, rtol=1e-9, atol=1e-14)
        # fit between consecutive path values: at a path value itself, "g(t) ≤ alpha" hinges on round-off
        alphas = theirs.ccp_alphas
        for i in (1, len(alphas) // 2, len(alphas) - 2):
            alpha = (alphas[i] + alphas[i + 1]) / 2
            pruned = ours_class(ccp_alpha=alpha).fit(x, y)
            reference = theirs_class(ccp_alpha=alpha, random_state=0).fit(x, y)
            _assert_same_tree(pruned, reference)
        assert ours_class(ccp_alpha=theirs.ccp_alphas[-1]).fit(x, y).get_n_leaves() == 1


def test_digits_tree_agrees_with_sklearn():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    ours = DecisionTreeClassifier().fit(X[:1200], y[:1200])
    theirs = sktree.DecisionTreeClassifier(random_state=0).fit(X[:1200], y[:1200])
    assert ours.score(X[:1200], y[:1200]) == 1.0
    # equal-quality splits are frequent on digits' 17 pixel levels and are broken differently,
    # so only the shallow part of the tree (and most predictions) must coincide
    shallow, shallow_sklearn = DecisionTreeClassifier(max_depth=3).fit(X, y), sktree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    _assert_same_tree(shallow, shallow_sklearn)
    assert np.mean(ours.predict(X[1200:]) == theirs.predict(X[1200:])) > 0.8
    assert abs(ours.score(X[1200:], y[1200:]) - theirs.score(X[1200:], y[1200:])) < 0.06


def test_pure_and_constant_nodes_become_leaves():
    X = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0], [0.0, 4.0]])
    tree = DecisionTreeClassifier().fit(X, [0, 0, 1, 1])
    assert tree.tree_.feature[0] == 1 and tree.tree_.threshold[0] == 2.5 and tree.get_n_leaves() == 2
    assert DecisionTreeClassifier().fit(X[:, :1], [0, 1, 0, 1]).get_n_leaves() == 1  # no split possible
    assert DecisionTreeRegressor().fit(X, [3.0, 3.0, 3.0, 3.0]).get_n_leaves() == 1  # pure
