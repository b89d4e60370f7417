"""Differentiable scatter/segment reductions and the sparse-dense product (the kernels of message passing).

Message passing sends one vector per edge ``e = (j -> i)`` and reduces the vectors that arrive at each
node. With ``index[e] = i`` (the target of edge ``e``)::

    scatter sum:   z[i] = sum_{e: index[e] = i} src[e]
    gather:        z[e] = x[index[e]]                       (the adjoint of the scatter sum)
    sparse matmul: z[i] = sum_{e: row[e] = i} v[e] x[col[e]]  (A @ x with A[row[e], col[e]] = v[e])

No Python loop runs over edges. ``np.add.at`` is ~9x slower than the alternatives, so the sum is a
one-hot sparse matrix product in CSC form (column ``e`` holds a single 1 at row ``index[e]``, which
needs no sorting), max/min sort the edges by target once and use ``np.maximum.reduceat``.
Each backward is written with these same Tensor ops, so second derivatives work.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..autograd.function import Function, register
from ..backend import Array
from ..creation import from_numpy
from ..tensor import Tensor


def _index_array(index: Tensor | Array, op: str, length: int | None = None) -> np.ndarray:
    """The int64 NumPy array of a 1-D index, checked (non-negative, right length)."""
    arr = index.numpy() if isinstance(index, Tensor) else np.asarray(index)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be a 1-D integer tensor, got dtype {arr.dtype} and shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{op}: index has {arr.shape[0]} entries but src has {length} along the scatter dim")
    if arr.size and arr.min() < 0:
        raise IndexError(f"{op}: index has negative entries (min {arr.min()})")
    return arr.astype(np.int64, copy=False)


def _onehot(index: np.ndarray, dim_size: int, dtype: Any) -> sp.csc_matrix:
    """The (dim_size, E) matrix with a single 1 at (index[e], e): column e is edge e."""
    e = index.shape[0]
    return sp.csc_matrix((np.ones(e, dtype=dtype), index, np.arange(e + 1)), shape=(dim_size, e))


@register("graph_scatter_sum")
class ScatterSum(Function):
    """z[i, ...] = sum_{e: index[e] = i} src[e, ...]   (src: (E, ...), z: (dim_size, ...))"""

    def forward(self, src: Array, index: np.ndarray, dim_size: int) -> Array:
        self.index = index
        flat = src.reshape(src.shape[0], int(np.prod(src.shape[1:], dtype=np.int64)))
        out = np.asarray(_onehot(index, dim_size, src.dtype) @ flat) if flat.size else np.zeros((dim_size, flat.shape[1]), src.dtype)
        return out.astype(src.dtype, copy=False).reshape((dim_size,) + src.shape[1:])

    def backward(self, grad: Tensor) -> Tensor:
        # src.grad[e] = z.grad[index[e]]
        return GatherRows.apply(grad, index=self.index)


@register("graph_gather")
class GatherRows(Function):
    """z[e, ...] = x[index[e], ...]   (reading node rows for each edge)"""

    def forward(self, x: Array, index: np.ndarray) -> Array:
        self.index, self.n = index, x.shape[0]
        return np.take(x, index, axis=0)

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[i] += sum_{e: index[e] = i} z.grad[e]
        return ScatterSum.apply(grad, index=self.index, dim_size=self.n)


@register("graph_scatter_extreme")
class ScatterExtreme(Function):
    """z[i] = max (or min) over {src[e]: index[e] = i}, 0 where no edge arrives (as PyG).

    The gradient goes to the arg-max entries, split evenly among ties (as torch's ``scatter_reduce``)::

        src.grad[e] = z.grad[index[e]] * [src[e] == z[index[e]]] / #ties(index[e])
    """

    def forward(self, src: Array, index: np.ndarray, dim_size: int, reduce: str) -> Array:
        ufunc = np.maximum if reduce == "max" else np.minimum
        self.index = index
        out = np.zeros((dim_size,) + src.shape[1:], dtype=src.dtype)
        if index.size:
            order = np.argsort(index, kind="stable")
            counts = np.bincount(index, minlength=dim_size)
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            filled = counts > 0
            out[filled] = ufunc.reduceat(src[order], starts[filled], axis=0)
        hit = (src == out[index]).astype(src.dtype)
        ties = ScatterSum().forward(hit, index, dim_size)
        self.weight = hit / np.maximum(ties, 1)[index]
        return out

    def backward(self, grad: Tensor) -> Tensor:
        return GatherRows.apply(grad, index=self.index) * from_numpy(self.weight)


class SparseAdj:
    """The sparsity pattern of A (shape ``(n, m)``, entry e at ``(row[e], col[e])``), sorted once.

    ``matrix(values)`` builds the SciPy CSR matrix for any edge values without sorting again;
    ``t()`` is the transposed pattern (cached), used by the backward of :func:`spmm`.
    """

    def __init__(self, row: np.ndarray, col: np.ndarray, shape: tuple[int, int]) -> None:
        self.row, self.col, self.shape = row.astype(np.int64, copy=False), col.astype(np.int64, copy=False), shape
        self.order = np.argsort(self.row, kind="stable")
        self.indptr = np.concatenate(([0], np.cumsum(np.bincount(self.row, minlength=shape[0])))).astype(np.int64)
        self.indices = self.col[self.order]
        self._t: SparseAdj | None = None
        self._memo: tuple[np.ndarray, sp.csr_matrix] | None = None

    def matrix(self, values: np.ndarray) -> sp.csr_matrix:
        """The CSR matrix with these values. Read-only value arrays (a cached normalisation) cannot change,
        so their matrix is kept and reused; writable ones are rebuilt every call."""
        if self._memo is not None and self._memo[0] is values:
            return self._memo[1]
        mat = sp.csr_matrix((values[self.order], self.indices, self.indptr), shape=self.shape)
        if not values.flags.writeable:
            self._memo = (values, mat)
        return mat

    def t(self) -> SparseAdj:
        if self._t is None:
            self._t = SparseAdj(self.col, self.row, (self.shape[1], self.shape[0]))
            self._t._t = self
        return self._t


@register("graph_spmm")
class SpMM(Function):
    """z[i, f] = sum_{e: row[e] = i} v[e] x[col[e], f]   (z = A @ x, A sparse with values v)"""

    def forward(self, values: Array, x: Array, adj: SparseAdj) -> Array:
        if values.shape != adj.row.shape or x.ndim != 2 or x.shape[0] != adj.shape[1]:
            raise ValueError(f"spmm: values {values.shape} and x {x.shape} do not fit a sparse matrix of shape {adj.shape} with {adj.row.size} entries")
        self.adj = adj
        return np.asarray(adj.matrix(values) @ x).astype(np.result_type(values, x), copy=False)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        values, x = self.saved_inputs()
        adj = self.adj
        # x.grad[m, f] = sum_{e: col[e] = m} v[e] z.grad[row[e], f]    (A^T @ z.grad)
        gx = SpMM.apply(values, grad, adj=adj.t()) if self.needs_input_grad[1] else None
        # v.grad[e] = sum_f z.grad[row[e], f] x[col[e], f]
        gv = None
        if self.needs_input_grad[0]:
            gv = (GatherRows.apply(grad, index=adj.row) * GatherRows.apply(x, index=adj.col)).sum(-1)
        return gv, gx


def spmm(edge_index: Tensor | Array | SparseAdj, values: Tensor, x: Tensor, size: tuple[int, int] | None = None) -> Tensor:
    """``A @ x`` for the sparse A with ``A[edge_index[0, e], edge_index[1, e]] = values[e]``; shape ``size``."""
    if isinstance(edge_index, SparseAdj):
        adj = edge_index
    else:
        ei = edge_index.numpy() if isinstance(edge_index, Tensor) else np.asarray(edge_index)
        n = size if size is not None else (x.shape[0], x.shape[0])
        adj = SparseAdj(ei[0], ei[1], (int(n[0]), int(n[1])))
    return SpMM.apply(values, x, adj=adj)


def _to_dim0(src: Tensor, dim: int, op: str) -> tuple[Tensor, int]:
    d = dim + src.ndim if dim < 0 else dim
    if not 0 <= d < max(src.ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {tuple(src.shape)}")
    return (src.movedim(d, 0) if d else src), d


def scatter(src: Tensor, index: Tensor | Array, dim: int = 0, dim_size: int | None = None, reduce: str = "sum") -> Tensor:
    """PyG's ``scatter``: reduce the slices ``src[..., e, ...]`` (along ``dim``) into ``dim_size`` groups.

    ``reduce`` is ``"sum"``/``"add"``, ``"mean"``, ``"max"`` or ``"min"``; groups that receive nothing are 0.
    """
    moved, d = _to_dim0(src, dim, "scatter")
    idx = _index_array(index, "scatter", moved.shape[0])
    n = int(dim_size) if dim_size is not None else (int(idx.max()) + 1 if idx.size else 0)
    if idx.size and idx.max() >= n:
        raise IndexError(f"scatter: index {int(idx.max())} is out of range for dim_size {n}")
    if reduce in ("sum", "add"):
        out = ScatterSum.apply(moved, index=idx, dim_size=n)
    elif reduce == "mean":
        out = ScatterSum.apply(moved, index=idx, dim_size=n)
        count = np.maximum(np.bincount(idx, minlength=n), 1).astype(out.detach().numpy().dtype)
        out = out / from_numpy(count.reshape((n,) + (1,) * (moved.ndim - 1)))
    elif reduce in ("max", "min"):
        out = ScatterExtreme.apply(moved, index=idx, dim_size=n, reduce=reduce)
    else:
        raise ValueError(f"scatter: reduce must be 'sum', 'add', 'mean', 'max' or 'min', got {reduce!r}")
    return out.movedim(0, d) if d else out


def gather(x: Tensor, index: Tensor | Array) -> Tensor:
    """``x[index]`` along the first axis (reading each edge's endpoint features); backward is a scatter sum."""
    idx = _index_array(index, "gather")
    if idx.size and idx.max() >= x.shape[0]:
        raise IndexError(f"gather: index {int(idx.max())} is out of range for {x.shape[0]} rows")
    return GatherRows.apply(x, index=idx)


def softmax(src: Tensor, index: Tensor | Array, num_nodes: int | None = None, dim: int = 0) -> Tensor:
    """PyG's segment softmax: normalise ``src`` over the entries that share an index (e.g. a node's in-edges).

    out[e] = exp(src[e] - m[i]) / (sum_{e': index[e'] = i} exp(src[e'] - m[i]) + 1e-16),  i = index[e],
    with m[i] the (constant) segment max for stability.
    """
    moved, d = _to_dim0(src, dim, "softmax")
    idx = _index_array(index, "softmax", moved.shape[0])
    n = int(num_nodes) if num_nodes is not None else (int(idx.max()) + 1 if idx.size else 0)
    shift = ScatterExtreme().forward(moved.detach().numpy(), idx, n, "max")
    e = (moved - from_numpy(np.ascontiguousarray(shift[idx]))).exp()
    denom = GatherRows.apply(ScatterSum.apply(e, index=idx, dim_size=n), index=idx) + 1e-16
    out = e / denom
    return out.movedim(0, d) if d else out


segment_softmax = softmax
