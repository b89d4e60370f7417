"""Minimal cost-complexity pruning of a CART tree (Breiman et al., 1984).

For a subtree T, the cost-complexity is R_α(T) = R(T) + α |leaves(T)|, where
R(T) = Σ_{leaves t} (n_t / n) · impurity(t). Collapsing an internal node t
into a leaf changes R by R(t) - R(T_t) (T_t: the branch rooted at t) and
removes |T_t| - 1 leaves, so it pays off as soon as α ≥

    g(t) = (R(t) - R(T_t)) / (|leaves(T_t)| - 1)     (t's "effective alpha").

Weakest-link pruning repeatedly collapses the node with the smallest g(t)
(ties: the lowest node id), updating R(T_s) and leaf counts of its ancestors.
The sequence of g values is the pruning path; fitting with ``ccp_alpha``
prunes while the smallest g is ≤ ccp_alpha.

Nodes are numbered in pre-order, so the descendants of node t are exactly
the ids t+1 … t+size(t)-1: a branch is removed by clearing a slice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradstudent.classical.tree import TreeStructure

__all__ = ["cost_complexity_path", "prune_tree", "PruningPath"]


class PruningPath(dict):
    """``{"ccp_alphas": ..., "impurities": ...}``, also readable as attributes
    (``path.ccp_alphas``), like scikit-learn's Bunch."""

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _weakest_link(tree: "TreeStructure", ccp_alpha: float) -> tuple[np.ndarray, np.ndarray, list[float], list[float]]:
    """Prune while the weakest link's g(t) ≤ ccp_alpha (use ∞ for the whole path).

    Returns (kept-node mask, new-leaf mask, alphas, total leaf impurities).
    """
    left, right = tree.children_left, tree.children_right
    n_nodes = len(left)
    is_leaf = left == -1
    node_risk = tree.n_node_samples / tree.n_node_samples[0] * tree.impurity  # R(t)

    # bottom-up (children have larger ids): branch risk R(T_t), leaf counts, subtree sizes
    branch_risk = node_risk.copy()
    n_leaves = np.ones(n_nodes)
    size = np.ones(n_nodes, dtype=np.int64)
    parent = np.full(n_nodes, -1)
    for node in range(n_nodes - 1, -1, -1):
        if not is_leaf[node]:
            a, b = left[node], right[node]
            branch_risk[node] = branch_risk[a] + branch_risk[b]
            n_leaves[node] = n_leaves[a] + n_leaves[b]
            size[node] = 1 + size[a] + size[b]
            parent[a] = parent[b] = node

    kept = np.ones(n_nodes, dtype=bool)
    candidate = ~is_leaf
    alphas, impurities = [0.0], [float(branch_risk[0])]
    while candidate.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            effective = np.where(candidate, (node_risk - branch_risk) / (n_leaves - 1), np.inf)
        weakest = int(np.argmin(effective))
        alpha = float(effective[weakest])
        if alpha > ccp_alpha:
            break
        # collapse the branch: drop descendants, update ancestors' risk and leaf count
        kept[weakest + 1 : weakest + size[weakest]] = False
        candidate[weakest : weakest + size[weakest]] = False
        risk_change = node_risk[weakest] - branch_risk[weakest]
        leaves_removed = n_leaves[weakest] - 1
        ancestor = weakest
        while ancestor >= 0:
            branch_risk[ancestor] += risk_change
            n_leaves[ancestor] -= leaves_removed
            ancestor = parent[ancestor]
        alphas.append(alpha)
        impurities.append(float(branch_risk[0]))
    new_leaf = kept & (is_leaf | ~candidate)
    return kept, new_leaf, alphas, impurities


def cost_complexity_path(tree: "TreeStructure") -> PruningPath:
    """The full pruning path: ``ccp_alphas`` (increasing, starting at 0) and the
    total leaf impurity R(T) of the pruned tree at each alpha."""
    _, _, alphas, impurities = _weakest_link(tree, np.inf)
    return PruningPath(ccp_alphas=np.array(alphas), impurities=np.array(impurities))


def prune_tree(tree: "TreeStructure", ccp_alpha: float) -> "TreeStructure":
    """The subtree minimizing R_α: collapse weakest links with g ≤ ccp_alpha and
    renumber the remaining nodes (pre-order is preserved)."""
    kept, new_leaf, _, _ = _weakest_link(tree, ccp_alpha)
    new_id = np.cumsum(kept) - 1
    old = np.flatnonzero(kept)

    def remap(children: np.ndarray) -> np.ndarray:
        mapped = np.where(new_leaf[old], -1, new_id[np.maximum(children[old], 0)])
        return mapped.astype(np.int64)

    return type(tree)(
        children_left=remap(tree.children_left),
        children_right=remap(tree.children_right),
        feature=np.where(new_leaf[old], -2, tree.feature[old]),
        threshold=np.where(new_leaf[old], -2.0, tree.threshold[old]),
        value=tree.value[old],
        impurity=tree.impurity[old],
        n_node_samples=tree.n_node_samples[old],
    )
