"""Split criteria for the CART trees in :mod:`gradstudent.classical.tree`.

For a node with m samples split into m_L + m_R, the tree keeps the split
minimizing the weighted child impurity m_L·H(left) + m_R·H(right). These
functions evaluate that quantity (as a score to maximize) for many candidate
splits at once, from cumulative class counts or target sums.

The floating-point expressions are written in the same operation order as
scikit-learn's, so that splits which tie exactly in exact arithmetic are
ordered by the same rounding, and the same one is picked.
"""

from __future__ import annotations

import numpy as np

__all__ = ["node_impurity", "split_proxy", "gini_weighted_proxy", "gini_square_sums"]


def _entropy(counts: np.ndarray, n: np.ndarray | float) -> np.ndarray:
    """-Σ_k p_k log₂ p_k over the last axis of ``counts`` (p = counts / n).

    Written as a sequential loop over classes with log₂ x = ln x / ln 2, the
    same floating-point expression as scikit-learn, so that exactly tied
    splits are ordered identically (see :func:`gini_weighted_proxy`).
    """
    entropy = np.zeros(counts.shape[:-1])
    for k in range(counts.shape[-1]):
        p = counts[..., k] / n
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy -= np.where(p > 0, p * (np.log(p) / np.log(2.0)), 0.0)
    return entropy


def node_impurity(stats: np.ndarray, n: float, criterion: str) -> float:
    """Impurity of one node from its class counts (classification) or [Σy, Σy²]."""
    if criterion == "squared_error":
        mean = stats[0] / n
        return float(max(stats[1] / n - mean * mean, 0.0))
    if criterion == "gini":
        return float(1.0 - np.sum(stats * stats) / (n * n))
    return float(_entropy(stats, n))


def split_proxy(left: np.ndarray, total: np.ndarray, n_left: np.ndarray, m: int, criterion: str) -> np.ndarray:
    """A score to *maximize* that ranks splits like minus the weighted child impurity.

    ``left`` holds the left child's statistics at each candidate split: shape
    (c, K) class counts (classification) or (c,) sums Σy (regression);
    ``n_left`` (c,) the left child sizes; ``total`` the node's statistics.
    """
    n_right = m - n_left
    right = total - left
    if criterion == "squared_error":  # Σ m_c·var_c = Σy² - (Σ_L y)²/m_L - (Σ_R y)²/m_R
        return left * left / n_left + right * right / n_right
    # entropy: -(m_L·H_L + m_R·H_R)
    return -n_right * _entropy(right, n_right) - n_left * _entropy(left, n_left)


def gini_weighted_proxy(square_left: np.ndarray, square_right: np.ndarray, n_left: np.ndarray, m: int) -> np.ndarray:
    """-(m_L·gini_L + m_R·gini_R) with gini = 1 - Σ_k c_k² / m², from Σ_k c_k².

    Different splits can tie exactly (e.g. 1 + 5 = 2.6 + 3.4); evaluating
    this very expression, in scikit-learn's operation order, makes the
    rounding - and so the choice among tied splits - the same as there.
    """
    n_right = m - n_left
    return -n_right * (1.0 - square_right / (n_right * n_right)) - n_left * (1.0 - square_left / (n_left * n_left))


def gini_square_sums(
    classes: np.ndarray, class_totals: np.ndarray, rows: np.ndarray, positions: np.ndarray, scratch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Σ_k L_k² and Σ_k R_k² at the candidate splits (rows[i], positions[i]),
    computed without a per-class axis.

    ``classes`` (d, m): the class of each sample, each row in that feature's
    sorted order; a split at position p puts the first p samples on the left.
    Moving one sample of class c from right to left raises Σ_k L_k² by
    2·L_c + 1 (L_c counted before the move), so Σ_k L_k² is a cumulative sum
    of 2·(number of earlier samples of the same class in the row) + 1.
    For the right side, Σ_k R_k² = Σ_k T_k² - 2 Σ_k T_k L_k + Σ_k L_k², and
    Σ_k T_k L_k is a cumulative sum of T_c. All sums are exact integers.
    ``scratch`` is reusable integer memory of at least 2·d·m entries (fresh
    large arrays cost page faults at every node).
    """
    n_rows, m = classes.shape
    # A stable sort of each row by class lists each class's samples in feature
    # order. Every row holds the same samples, so the sorted classes are the
    # same in every row: class k occupies slots start_k ... start_k + T_k - 1,
    # and the sample in slot j has j - start_k earlier samples of its class.
    # (numpy's stable sort of 8/16-bit integers is a radix sort: linear time)
    n_classes = len(class_totals)
    small = classes.astype(np.int8 if n_classes < 2**7 else np.int16 if n_classes < 2**15 else np.int64)
    by_class = np.argsort(small, axis=1, kind="stable")
    slot_class = np.repeat(np.arange(n_classes), class_totals)
    earlier_same_class = np.arange(m) - (np.cumsum(class_totals) - class_totals)[slot_class]
    increment = scratch[: n_rows * m].reshape(n_rows, m)
    # scatter through flat indices: much faster than 2-D fancy indexing
    flat_slots = (by_class + (np.arange(n_rows) * m)[:, None]).ravel()
    increment.ravel()[flat_slots] = np.tile(2 * earlier_same_class + 1, n_rows)
    np.cumsum(increment, axis=1, out=increment)
    square_left = increment[rows, positions - 1].astype(np.int64)

    weight = scratch[n_rows * m : 2 * n_rows * m].reshape(n_rows, m)
    np.take(class_totals.astype(scratch.dtype), classes, out=weight)
    np.cumsum(weight, axis=1, out=weight)
    dot_total_left = weight[rows, positions - 1].astype(np.int64)
    square_right = class_totals @ class_totals - 2 * dot_total_left + square_left
    return square_left.astype(float), square_right.astype(float)
