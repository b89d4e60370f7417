"""Edge-index utilities with PyG's names: self-loops, degrees, undirected graphs, subgraphs, conversions.

A graph with N nodes stores its edges as ``edge_index``, a (2, E) int64 tensor: edge ``e`` goes from
``edge_index[0, e]`` (source j) to ``edge_index[1, e]`` (target i). Optional ``edge_weight`` (E,)
or ``edge_attr`` (E, D) travel with the edges through every function here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..creation import from_numpy
from ..tensor import Tensor


def _arr(x: Tensor | np.ndarray | None) -> np.ndarray | None:
    if x is None:
        return None
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _ei(edge_index: Tensor | np.ndarray, op: str) -> np.ndarray:
    ei = _arr(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2 or ei.dtype.kind not in "iu":
        raise ValueError(f"{op}: edge_index must be an integer array of shape (2, E), got {ei.dtype} {ei.shape}")
    return ei.astype(np.int64, copy=False)


def _tensor(a: np.ndarray) -> Tensor:
    return from_numpy(np.ascontiguousarray(a))


def maybe_num_nodes(edge_index: Tensor | np.ndarray, num_nodes: int | None = None) -> int:
    """``num_nodes`` if given, else 1 + the largest node id in ``edge_index``."""
    if num_nodes is not None:
        return int(num_nodes)
    ei = _arr(edge_index)
    return int(ei.max()) + 1 if ei.size else 0


def degree(index: Tensor | np.ndarray, num_nodes: int | None = None, dtype: Any = None) -> Tensor:
    """deg[i] = #{e: index[e] = i} (pass ``edge_index[1]`` for in-degrees, ``[0]`` for out-degrees)."""
    idx = _arr(index).astype(np.int64)
    n = maybe_num_nodes(idx[None], num_nodes)
    dt = np.float32 if dtype is None else np.dtype(getattr(dtype, "name", dtype) if not isinstance(dtype, type) else dtype)
    return _tensor(np.bincount(idx, minlength=n).astype(dt))


def _select_edges(mask: np.ndarray, edge_attr: Tensor | None) -> Tensor | None:
    if edge_attr is None:
        return None
    return edge_attr[_tensor(np.nonzero(mask)[0])]


def remove_self_loops(edge_index: Tensor, edge_attr: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
    """Drop every edge i -> i."""
    ei = _ei(edge_index, "remove_self_loops")
    mask = ei[0] != ei[1]
    return _tensor(ei[:, mask]), _select_edges(mask, edge_attr)


def add_self_loops(
    edge_index: Tensor, edge_attr: Tensor | None = None, fill_value: float = 1.0, num_nodes: int | None = None
) -> tuple[Tensor, Tensor | None]:
    """Append one edge i -> i for every node (existing loops are kept: PyG's ``add_self_loops``)."""
    ei = _ei(edge_index, "add_self_loops")
    n = maybe_num_nodes(ei, num_nodes)
    loops = np.arange(n, dtype=np.int64)
    out = _tensor(np.concatenate([ei, np.stack([loops, loops])], axis=1))
    if edge_attr is None:
        return out, None
    from ..ops.shape import cat  # noqa: PLC0415 - local to keep this module light

    fill = _fill(edge_attr, fill_value, n)
    return out, cat([edge_attr, fill], 0)


def _fill(edge_attr: Tensor, fill_value: float, n: int) -> Tensor:
    shape = (n,) + tuple(edge_attr.shape[1:])
    return from_numpy(np.full(shape, fill_value, dtype=edge_attr.detach().numpy().dtype))


def add_remaining_self_loops(
    edge_index: Tensor, edge_weight: Tensor | None = None, fill_value: float = 1.0, num_nodes: int | None = None
) -> tuple[Tensor, Tensor | None]:
    """One loop per node: nodes that had a loop keep its weight (the last one), the others get ``fill_value``."""
    ei = _ei(edge_index, "add_remaining_self_loops")
    n = maybe_num_nodes(ei, num_nodes)
    mask = ei[0] != ei[1]
    loops = np.arange(n, dtype=np.int64)
    out = _tensor(np.concatenate([ei[:, mask], np.stack([loops, loops])], axis=1))
    if edge_weight is None:
        return out, None
    from ..ops.shape import cat  # noqa: PLC0415

    w = edge_weight.detach().numpy()
    loop_w = np.full(n, fill_value, dtype=w.dtype)
    inv = np.nonzero(~mask)[0]
    # nodes with an existing loop: take that edge's (differentiable) weight; the rest: the fill value
    has = np.zeros(n, dtype=bool)
    src_edge = np.zeros(n, dtype=np.int64)
    has[ei[0, inv]] = True
    src_edge[ei[0, inv]] = inv  # the last loop edge wins, as in PyG
    keep = edge_weight[_tensor(np.nonzero(mask)[0])]
    loop_t = from_numpy(np.where(has, 0, loop_w).astype(w.dtype))
    if has.any():
        picked = edge_weight[_tensor(src_edge)] * from_numpy(has.astype(w.dtype))
        loop_t = loop_t + picked
    return out, cat([keep, loop_t], 0)


def coalesce(edge_index: Tensor, edge_attr: Tensor | None = None, num_nodes: int | None = None) -> tuple[Tensor, Tensor | None]:
    """Sort edges by (source, target) and merge duplicates (their attributes are summed)."""
    ei = _ei(edge_index, "coalesce")
    n = maybe_num_nodes(ei, num_nodes)
    key = ei[0] * max(n, 1) + ei[1]
    uniq, inverse = np.unique(key, return_inverse=True)
    out = _tensor(np.stack([uniq // max(n, 1), uniq % max(n, 1)]).astype(np.int64))
    if edge_attr is None:
        return out, None
    from .scatter import scatter  # noqa: PLC0415

    return out, scatter(edge_attr, inverse.astype(np.int64), 0, uniq.size, "sum")


def to_undirected(edge_index: Tensor, edge_attr: Tensor | None = None, num_nodes: int | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """Add the reverse of every edge and merge duplicates (coalesced, sorted by source then target)."""
    ei = _ei(edge_index, "to_undirected")
    both = _tensor(np.concatenate([ei, ei[::-1]], axis=1))
    if edge_attr is None:
        return coalesce(both, None, num_nodes)[0]
    from ..ops.shape import cat  # noqa: PLC0415

    out, attr = coalesce(both, cat([edge_attr, edge_attr], 0), num_nodes)
    return out, attr  # type: ignore[return-value]


def is_undirected(edge_index: Tensor, num_nodes: int | None = None) -> bool:
    ei = _ei(edge_index, "is_undirected")
    a, b = coalesce(_tensor(ei), None, num_nodes)[0].numpy(), coalesce(_tensor(ei[::-1].copy()), None, num_nodes)[0].numpy()
    return a.shape == b.shape and bool((a == b).all())


def subgraph(
    subset: Tensor | np.ndarray, edge_index: Tensor, edge_attr: Tensor | None = None, relabel_nodes: bool = False,
    num_nodes: int | None = None,
) -> tuple[Tensor, Tensor | None]:
    """The edges whose both ends are in ``subset`` (node ids or a boolean mask); optionally renumbered 0..k-1."""
    ei = _ei(edge_index, "subgraph")
    n = maybe_num_nodes(ei, num_nodes)
    s = _arr(subset)
    mask = s.astype(bool) if s.dtype == bool else np.zeros(n, dtype=bool)
    if s.dtype != bool:
        mask[s.astype(np.int64)] = True
    if mask.shape[0] < n:
        raise ValueError(f"subgraph: the mask has {mask.shape[0]} entries but the graph has {n} nodes")
    keep = mask[ei[0]] & mask[ei[1]]
    out = ei[:, keep]
    if relabel_nodes:
        new_id = np.full(mask.shape[0], -1, dtype=np.int64)
        new_id[mask] = np.arange(int(mask.sum()))
        out = new_id[out]
    return _tensor(out), _select_edges(keep, edge_attr)


def k_hop_subgraph(
    node_idx: int | Tensor | np.ndarray, num_hops: int, edge_index: Tensor, relabel_nodes: bool = False,
    num_nodes: int | None = None, flow: str = "source_to_target",
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Nodes that reach ``node_idx`` in at most ``num_hops`` steps (PyG's return: subset, edge_index, mapping, edge_mask)."""
    ei = _ei(edge_index, "k_hop_subgraph")
    n = maybe_num_nodes(ei, num_nodes)
    row, col = (ei[1], ei[0]) if flow == "source_to_target" else (ei[0], ei[1])
    seeds = np.atleast_1d(_arr(node_idx) if not isinstance(node_idx, int) else np.array([node_idx])).astype(np.int64)
    reached = np.zeros(n, dtype=bool)
    reached[seeds] = True
    frontier = reached.copy()
    for _ in range(num_hops):  # one vectorised step per hop, not per edge
        step = np.zeros(n, dtype=bool)
        step[col[frontier[row]]] = True
        frontier = step & ~reached
        reached |= step
    subset = np.nonzero(reached)[0]
    edge_mask = reached[ei[0]] & reached[ei[1]]
    sub = ei[:, edge_mask]
    mapping = np.searchsorted(subset, seeds)
    if relabel_nodes:
        new_id = np.full(n, -1, dtype=np.int64)
        new_id[subset] = np.arange(subset.size)
        sub = new_id[sub]
    return _tensor(subset), _tensor(sub), _tensor(mapping), _tensor(edge_mask)


def to_scipy_sparse_matrix(edge_index: Tensor, edge_attr: Tensor | None = None, num_nodes: int | None = None) -> sp.coo_matrix:
    """The (N, N) COO matrix with A[j, i] = weight of edge j -> i (duplicates are summed on conversion)."""
    ei = _ei(edge_index, "to_scipy_sparse_matrix")
    n = maybe_num_nodes(ei, num_nodes)
    w = np.ones(ei.shape[1], dtype=np.float32) if edge_attr is None else _arr(edge_attr).reshape(-1)
    return sp.coo_matrix((w, (ei[0], ei[1])), shape=(n, n))


def from_scipy_sparse_matrix(A: Any) -> tuple[Tensor, Tensor]:
    """``(edge_index, edge_weight)`` from any SciPy sparse matrix."""
    coo = sp.coo_matrix(A)
    return _tensor(np.stack([coo.row, coo.col]).astype(np.int64)), _tensor(coo.data)


def to_networkx(data: Any, to_undirected: bool = False) -> Any:
    """A networkx (Di)Graph with nodes 0..N-1 and the edges of ``data`` (a :class:`Data`)."""
    import networkx as nx  # noqa: PLC0415

    g = nx.Graph() if to_undirected else nx.DiGraph()
    g.add_nodes_from(range(data.num_nodes))
    g.add_edges_from(_ei(data.edge_index, "to_networkx").T.tolist())
    return g


def from_networkx(g: Any) -> Any:
    """A :class:`Data` from a networkx graph (an undirected edge becomes two directed edges)."""
    import networkx as nx  # noqa: PLC0415

    from .data import Data  # noqa: PLC0415

    nodes = list(g.nodes)
    pos = {v: k for k, v in enumerate(nodes)}
    edges = np.array([[pos[u], pos[v]] for u, v in g.edges], dtype=np.int64).reshape(-1, 2).T
    if not isinstance(g, nx.DiGraph):
        edges = np.concatenate([edges, edges[::-1]], axis=1)
    return Data(edge_index=_tensor(edges), num_nodes=len(nodes))


def get_laplacian(edge_index: Tensor, edge_weight: Tensor | None = None, normalization: str | None = None, num_nodes: int | None = None) -> np.ndarray:
    """The dense graph Laplacian: ``L = D - A`` (None), ``I - D^-1/2 A D^-1/2`` ("sym") or ``I - D^-1 A`` ("rw")."""
    n = maybe_num_nodes(edge_index, num_nodes)
    A = to_scipy_sparse_matrix(edge_index, edge_weight, n).toarray().astype(np.float64)
    d = A.sum(1)
    if normalization is None:
        return np.diag(d) - A
    with np.errstate(divide="ignore"):
        inv = np.where(d > 0, 1.0 / np.sqrt(d), 0.0) if normalization == "sym" else np.where(d > 0, 1.0 / d, 0.0)
    if normalization == "sym":
        return np.eye(n) - inv[:, None] * A * inv[None, :]
    if normalization == "rw":
        return np.eye(n) - inv[:, None] * A
    raise ValueError(f"get_laplacian: normalization must be None, 'sym' or 'rw', got {normalization!r}")


def laplacian_spectrum(edge_index: Tensor, normalization: str | None = "sym", num_nodes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors (columns) of the Laplacian of an undirected graph."""
    L = get_laplacian(edge_index, None, normalization, num_nodes)
    L = 0.5 * (L + L.T) if normalization != "rw" else L
    return np.linalg.eigh(L) if normalization != "rw" else np.linalg.eig(L)
