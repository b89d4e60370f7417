"""CART decision trees for classification and regression.

A tree is grown greedily, depth first. At a node holding m samples, every
split "x_f ≤ t" (feature f, threshold t halfway between two consecutive
distinct values of x_f) sends the samples to a left and a right child, and
we keep the split minimizing the weighted child impurity

    m_L · H(left) + m_R · H(right),

with the impurity H:
    gini           H = 1 - Σ_k p_k²
    entropy        H = -Σ_k p_k log₂ p_k
    squared_error  H = mean((y - ȳ)²)     (regression)

Vectorized split search: every feature is sorted once, at the root; each
node keeps, for every feature, its samples in sorted order, and a split
divides these orders stably instead of re-sorting. A cumulative sum along
the sorted order then gives the left child's class counts (or Σy) for
*every* threshold of *every* feature at once; the right child's are the
total minus the left's (see :mod:`.tree_criteria`, which also explains how
gini needs no per-class axis). For squared error, minimizing the weighted
child variance is maximizing (Σ_L y)²/m_L + (Σ_R y)²/m_R.
Features that are constant within a node are dropped for its whole subtree.

Growth stops at a node that is pure, has fewer than ``min_samples_split``
samples, is at ``max_depth``, or has no split leaving ``min_samples_leaf`` on
each side. Leaves predict the class proportions (classification) or the
mean (regression). Minimal cost-complexity pruning lives in
:mod:`gradstudent.classical.tree_pruning`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gradstudent.classical.base import BaseEstimator, ClassifierMixin, RegressorMixin
from gradstudent.classical.tree_criteria import (
    gini_square_sums,
    gini_weighted_proxy,
    node_impurity,
    split_proxy,
)
from gradstudent.classical.tree_pruning import PruningPath, cost_complexity_path, prune_tree

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "TreeStructure"]

# Feature values closer than this are treated as equal (as in scikit-learn),
# so no threshold is placed between them.
FEATURE_THRESHOLD = 1e-7
LEAF = -1
EPSILON = float(np.finfo(float).eps)  # a node this pure is a leaf


@dataclass
class TreeStructure:
    """A fitted tree as parallel arrays indexed by node id (root = 0, pre-order).

    ``children_left[i] == children_right[i] == -1`` marks a leaf. ``value[i]``
    holds the class proportions (classification) or the mean target.
    """

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray

    @property
    def node_count(self) -> int:
        return len(self.children_left)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf id reached by each row of X: all rows descend one level per step."""
        node = np.zeros(X.shape[0], dtype=np.int64)
        rows = np.arange(X.shape[0])
        while True:
            internal = self.children_left[node] != LEAF
            if not internal.any():
                return node
            active, at = rows[internal], node[internal]
            go_left = X[active, self.feature[at]] <= self.threshold[at]
            node[active] = np.where(go_left, self.children_left[at], self.children_right[at])

    def depth(self) -> int:
        depths = np.zeros(self.node_count, dtype=int)
        for i in range(self.node_count):  # pre-order: parents come before children
            if self.children_left[i] != LEAF:
                depths[self.children_left[i]] = depths[self.children_right[i]] = depths[i] + 1
        return int(depths.max())


class _TreeBuilder:
    """Depth-first growth of one tree (see the module docstring)."""

    def __init__(self, X: np.ndarray, target: np.ndarray, n_classes: int, params: dict[str, Any]) -> None:
        self.X = X
        self.Xt = np.ascontiguousarray(X.T)  # (d, n): one row per feature
        self.criterion = params["criterion"]
        self.max_depth = np.inf if params["max_depth"] is None else params["max_depth"]
        self.min_samples_split = params["min_samples_split"]
        self.min_samples_leaf = params["min_samples_leaf"]
        self.min_impurity_decrease = params["min_impurity_decrease"]
        self.n_total = X.shape[0]
        if n_classes > 0:  # per-sample statistic whose sums are the class counts
            self.sample_stats = np.eye(n_classes)[target]
        else:  # per-sample [y, y²] whose sums give mean and variance
            self.sample_stats = np.column_stack([target, target * target])
        self.target = target
        self.classification = n_classes > 0
        # int32 halves the memory traffic; exact while the sums (≤ n²) stay below 2³¹
        self.scratch = np.empty(2 * X.shape[0] * X.shape[1], dtype=np.int32 if X.shape[0] ** 2 < 2**31 else np.int64)
        self.nodes: dict[str, list] = {key: [] for key in TreeStructure.__dataclass_fields__}

    def _node_stats(self, samples: np.ndarray) -> np.ndarray:
        """Class counts (classification) or [Σy, Σy²] (regression) of some samples."""
        if self.classification:
            return np.bincount(self.target[samples], minlength=self.sample_stats.shape[1]).astype(float)
        return self.sample_stats[samples].sum(axis=0)

    def _add_node(self, stats: np.ndarray, n: int, impurity: float) -> int:
        value = stats / n if self.classification else np.array([stats[0] / n])
        nodes = self.nodes
        nodes["children_left"].append(LEAF)
        nodes["children_right"].append(LEAF)
        nodes["feature"].append(-2)
        nodes["threshold"].append(-2.0)
        nodes["value"].append(value)
        nodes["impurity"].append(impurity)
        nodes["n_node_samples"].append(n)
        return len(nodes["feature"]) - 1

    def _best_split(self, order: np.ndarray, levels: np.ndarray, stats: np.ndarray) -> tuple[int, int] | None:
        """Best (row of ``order``, split position) for the node whose samples
        are ``order`` (d', m) (row r sorted by its feature, ``levels`` the ranks
        of the sorted values), or None if no split is allowed. Position p means
        the first p samples of the row go left."""
        m = order.shape[1]
        # a threshold must separate distinct values and leave min_samples_leaf on each side
        valid = levels[:, 1:] != levels[:, :-1]
        leaf = self.min_samples_leaf
        valid[:, : leaf - 1] = False
        valid[:, m - leaf :] = False
        flat = np.flatnonzero(valid)  # row-major: by feature, then position
        if len(flat) == 0:
            return None
        rows, positions = np.divmod(flat, m - 1)
        positions += 1
        if self.criterion == "gini":
            squares = gini_square_sums(self.target[order], stats.astype(np.int64), rows, positions, self.scratch)
            proxy = gini_weighted_proxy(*squares, positions.astype(float), m)
        else:
            stat = self.sample_stats[order] if self.classification else self.target[order]
            left = np.cumsum(stat, axis=1)[rows, positions - 1]  # (c, K) class counts or (c,) Σy
            total = stats if self.classification else stats[0]
            proxy = split_proxy(left, total, positions.astype(float), m, self.criterion)
        best = int(np.argmax(proxy))  # first maximum: lowest feature, then lowest position
        return int(rows[best]), int(positions[best])

    def build(self) -> TreeStructure:
        n_features = self.Xt.shape[0]
        root_order = np.argsort(self.Xt, axis=1)  # the order among equal values is irrelevant
        # Only the *ranks* of the values matter for the search: level[f, p] counts
        # the distinct values of feature f before sorted position p (values within
        # FEATURE_THRESHOLD of their predecessor count as equal). Small integers
        # are cheaper to carry through the recursion than float64 values.
        sorted_values = np.take_along_axis(self.Xt, root_order, axis=1)
        steps = sorted_values[:, 1:] > sorted_values[:, :-1] + FEATURE_THRESHOLD
        level_type = np.int16 if self.n_total < 2**15 else np.int64
        root_levels = np.zeros(root_order.shape, dtype=level_type)
        np.cumsum(steps, axis=1, out=root_levels[:, 1:])
        # stack items: (sorted orders, their value levels, their features, depth, parent, is-left-child)
        stack = [(root_order, root_levels, np.arange(n_features), 0, -1, False)]
        goes_left = np.zeros(self.n_total, dtype=bool)  # scratch: marks the left child's samples
        while stack:
            order, levels, features, depth, parent, is_left = stack.pop()
            samples = order[0]
            m = len(samples)
            stats = self._node_stats(samples)
            impurity = node_impurity(stats, m, self.criterion)
            node = self._add_node(stats, m, impurity)
            if parent >= 0:
                self.nodes["children_left" if is_left else "children_right"][parent] = node

            if (
                depth >= self.max_depth
                or m < self.min_samples_split
                or m < 2 * self.min_samples_leaf
                or impurity <= EPSILON
            ):
                continue
            # a feature constant in this node stays constant below it: stop tracking it
            varying = levels[:, -1] != levels[:, 0]
            if not varying.all():
                order, features, levels = order[varying], features[varying], levels[varying]
            split = self._best_split(order, levels, stats) if len(features) else None
            if split is None:
                continue
            row, position = split
            feature = int(features[row])
            below, above = self.Xt[feature, order[row, position - 1]], self.Xt[feature, order[row, position]]
            threshold = below / 2.0 + above / 2.0
            if threshold == above or not np.isfinite(threshold):
                threshold = below  # rounding put the midpoint on the right-hand value
            left_samples = order[row, :position]
            if self.min_impurity_decrease > 0:
                left_stats = self._node_stats(left_samples)
                improvement = (m / self.n_total) * (
                    impurity
                    - position / m * node_impurity(left_stats, position, self.criterion)
                    - (m - position) / m * node_impurity(stats - left_stats, m - position, self.criterion)
                )
                if improvement + EPSILON < self.min_impurity_decrease:
                    continue
            self.nodes["feature"][node] = feature
            self.nodes["threshold"][node] = threshold
            # split every feature's sorted order stably: each row keeps its sorted order
            goes_left[left_samples] = True
            mask = goes_left[order].ravel()
            goes_left[left_samples] = False  # reset the scratch buffer
            shape_left, shape_right = (len(features), position), (len(features), m - position)
            # np.compress on flat arrays is much faster than 2-D boolean indexing
            left_child = (np.compress(mask, order).reshape(shape_left), np.compress(mask, levels).reshape(shape_left))
            mask = ~mask
            right_child = (np.compress(mask, order).reshape(shape_right), np.compress(mask, levels).reshape(shape_right))
            # push right first so the left subtree is numbered first (pre-order)
            stack.append((*right_child, features, depth + 1, node, False))
            stack.append((*left_child, features, depth + 1, node, True))

        arrays = {key: np.array(items) for key, items in self.nodes.items()}
        for key in ("children_left", "children_right", "feature", "n_node_samples"):
            arrays[key] = arrays[key].astype(np.int64)
        return TreeStructure(**arrays)


class _BaseDecisionTree(BaseEstimator):
    _criteria: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        criterion: str,
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
    ) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    def _check_params(self) -> None:
        name = type(self).__name__
        if self.criterion not in self._criteria:
            raise ValueError(f"{name}: criterion must be one of {self._criteria}, got {self.criterion!r}.")
        if self.max_depth is not None and not (isinstance(self.max_depth, (int, np.integer)) and self.max_depth >= 1):
            raise ValueError(f"{name}: max_depth must be None or an int >= 1, got {self.max_depth!r}.")
        if not (isinstance(self.min_samples_split, (int, np.integer)) and self.min_samples_split >= 2):
            raise ValueError(f"{name}: min_samples_split must be an int >= 2, got {self.min_samples_split!r}.")
        if not (isinstance(self.min_samples_leaf, (int, np.integer)) and self.min_samples_leaf >= 1):
            raise ValueError(f"{name}: min_samples_leaf must be an int >= 1, got {self.min_samples_leaf!r}.")
        if self.ccp_alpha < 0:
            raise ValueError(f"{name}: ccp_alpha must be >= 0, got {self.ccp_alpha!r}.")

    def _grow(self, X: np.ndarray, target: np.ndarray, n_classes: int) -> TreeStructure:
        self._check_params()
        params = self.get_params()
        return _TreeBuilder(X, target, n_classes, params).build()

    def _fit_tree(self, X: np.ndarray, target: np.ndarray, n_classes: int) -> None:
        tree = self._grow(X, target, n_classes)
        self.tree_ = prune_tree(tree, self.ccp_alpha) if self.ccp_alpha > 0 else tree
        gains = np.zeros(X.shape[1])
        internal = np.flatnonzero(self.tree_.children_left != LEAF)
        t = self.tree_
        for node in internal:  # weighted impurity decrease credited to the split feature
            left, right = t.children_left[node], t.children_right[node]
            gains[t.feature[node]] += (
                t.n_node_samples[node] * t.impurity[node]
                - t.n_node_samples[left] * t.impurity[left]
                - t.n_node_samples[right] * t.impurity[right]
            )
        self.feature_importances_ = gains / gains.sum() if gains.sum() > 0 else gains

    def apply(self, X: Any, *, _method: str = "apply") -> np.ndarray:
        """Index of the leaf each sample ends up in."""
        X = self._validate_X(X, _method)
        return self.tree_.apply(X)

    def get_depth(self) -> int:
        self._check_is_fitted("get_depth")
        return self.tree_.depth()

    def get_n_leaves(self) -> int:
        self._check_is_fitted("get_n_leaves")
        return int(np.sum(self.tree_.children_left == LEAF))

    def cost_complexity_pruning_path(self, X: Any, y: Any) -> PruningPath:
        """Grow the full tree on (X, y) and return the weakest-link pruning path:
        ``{"ccp_alphas": ..., "impurities": ...}`` (see :mod:`tree_pruning`)."""
        X, target, n_classes = self._prepare_targets(X, y)
        return cost_complexity_path(self._grow(X, target, n_classes))

    def _prepare_targets(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, int]:
        raise NotImplementedError


class DecisionTreeClassifier(ClassifierMixin, _BaseDecisionTree):
    """CART classification tree (criterion "gini" or "entropy").

    Fitted attributes: ``classes_``, ``tree_`` (:class:`TreeStructure`),
    ``feature_importances_`` (normalized total impurity decrease per feature).
    """

    _criteria = ("gini", "entropy")

    def __init__(
        self,
        *,
        criterion: Literal["gini", "entropy"] = "gini",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf, min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
        )

    def _prepare_targets(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, int]:
        X, y = self._validate_X_y(X, y, y_dtype=None)
        y_index = self._encode_classes(y, min_classes=1)
        return X, y_index, len(self.classes_)

    def fit(self, X: Any, y: Any) -> "DecisionTreeClassifier":
        self._fit_tree(*self._prepare_targets(X, y))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class proportions of the leaf reached, shape (n, n_classes)."""
        leaves = self.apply(X, _method="predict_proba")
        return self.tree_.value[leaves]

    def predict(self, X: Any) -> np.ndarray:
        leaves = self.apply(X, _method="predict")
        return self.classes_[np.argmax(self.tree_.value[leaves], axis=1)]


class DecisionTreeRegressor(RegressorMixin, _BaseDecisionTree):
    """CART regression tree (criterion "squared_error"); leaves predict the mean."""

    _criteria = ("squared_error",)

    def __init__(
        self,
        *,
        criterion: Literal["squared_error"] = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf, min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
        )

    def _prepare_targets(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, int]:
        X, y = self._validate_X_y(X, y)
        return X, y, 0

    def fit(self, X: Any, y: Any) -> "DecisionTreeRegressor":
        self._fit_tree(*self._prepare_targets(X, y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        leaves = self.apply(X, _method="predict")
        return self.tree_.value[leaves, 0]
