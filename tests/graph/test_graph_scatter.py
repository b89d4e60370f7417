"""The graph kernels (graph_scatter_sum, graph_gather, graph_scatter_extreme, graph_spmm, segment softmax)
against torch / PyG: forward, first and second derivatives, finite differences in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_geometric.utils import scatter as pyg_scatter
from torch_geometric.utils import softmax as pyg_softmax

import gradstudent as gs
from gradstudent import graph as G
from oracle import check_op

INDEX = np.array([0, 2, 2, 0, 4, 2, 0], dtype=np.int64)  # groups 1, 3, 5 receive nothing


def _gs_scatter(src, index, dim, dim_size, reduce):
    return G.scatter(src, index, dim, dim_size, reduce)


def _pyg_scatter(src, index, dim, dim_size, reduce):
    return pyg_scatter(src, index, dim, dim_size=dim_size, reduce=reduce)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("shape,dim", [((7, 3), 0), ((2, 7), 1), ((7,), 0), ((7, 2, 2), 0), ((3, 7, 2), -2)])
def test_scatter_matches_pyg(reduce: str, shape: tuple[int, ...], dim: int) -> None:
    ops = check_op(_gs_scatter, _pyg_scatter, [shape, INDEX, dim, 6, reduce])
    assert ops & {"graph_scatter_sum", "graph_scatter_extreme"}


def test_scatter_empty_and_errors() -> None:
    out = G.scatter(gs.zeros(0, 3), np.zeros(0, dtype=np.int64), 0, 4)
    assert tuple(out.shape) == (4, 3)
    with pytest.raises(IndexError, match="scatter: index 4 is out of range"):
        G.scatter(gs.zeros(2, 3), np.array([0, 4]), 0, 4)
    with pytest.raises(ValueError, match="index has 2 entries but src has 3"):
        G.scatter(gs.zeros(3, 3), np.array([0, 1]), 0, 4)
    with pytest.raises(ValueError, match="reduce must be"):
        G.scatter(gs.zeros(2, 3), np.array([0, 1]), 0, 4, reduce="prod")


def test_scatter_max_ties_split_gradient_like_torch() -> None:
    src = np.array([[1.0], [1.0], [0.5], [2.0]])
    idx = np.array([0, 0, 0, 1])
    check_op(_gs_scatter, _pyg_scatter, [src, idx, 0, 2, "max"], gradcheck=False, gradgradcheck=False)


def test_gather() -> None:
    check_op(lambda x, i: G.gather(x, i), lambda x, i: x[i], [(5, 3), INDEX])


@pytest.mark.parametrize("shape", [(7,), (7, 2)])
def test_segment_softmax_matches_pyg(shape: tuple[int, ...]) -> None:
    check_op(lambda s, i: G.softmax(s, i, 6), lambda s, i: pyg_softmax(s, i, num_nodes=6), [shape, INDEX])


def _torch_spmm(values, x, ei):
    out = torch.zeros(5, x.shape[1], dtype=x.dtype)
    return out.index_add(0, ei[0], values[:, None] * x[ei[1]])


def test_spmm_matches_torch() -> None:
    ei = np.array([[0, 2, 2, 4, 4, 1, 0], [1, 0, 3, 3, 3, 2, 0]], dtype=np.int64)  # a multi-edge and a loop
    ops = check_op(lambda v, x, e: G.spmm(e, v, x, (5, 4)), _torch_spmm, [(7,), (4, 3), ei])
    assert "graph_spmm" in ops


def test_float32_stays_float32() -> None:
    x = gs.randn(7, 3)
    for reduce in ("sum", "mean", "max"):
        assert G.scatter(x, INDEX, 0, 6, reduce).dtype == gs.float32
    assert G.softmax(x, INDEX).dtype == gs.float32
    assert G.spmm(np.array([[0, 1], [1, 2]]), gs.ones(2), x, (3, 7)).dtype == gs.float32


def test_spmm_reuses_the_matrix_only_for_read_only_values() -> None:
    adj = G.SparseAdj(np.array([0, 1, 1]), np.array([1, 0, 1]), (2, 2))
    v = np.array([1.0, 2.0, 3.0])
    x = gs.from_numpy(np.eye(2))
    a = G.spmm(adj, gs.from_numpy(v), x).numpy().copy()
    v[0] = 10.0  # writable values: rebuilt, so the change is seen
    assert G.spmm(adj, gs.from_numpy(v), x).numpy()[0, 1] == 10.0 and a[0, 1] == 1.0
    frozen = v.copy()
    frozen.setflags(write=False)
    assert G.spmm(adj, gs.from_numpy(frozen), x).numpy()[0, 1] == 10.0
    assert adj.matrix(frozen) is adj.matrix(frozen)
