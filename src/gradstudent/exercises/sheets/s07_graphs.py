"""Sheet 7 checks: message passing against the dense adjacency-matrix formulas."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import gradstudent as gs

from ..checking import assert_close, rng
from . import Sheet, Task


def _graph(seed: int, n: int = 6, e: int = 10) -> np.ndarray:
    r = rng(seed)
    edges = r.integers(0, n, size=(2, e))
    edges[:, 0] = [2, 2]  # a self-loop; node n-1 has no in-edges below
    edges[1][edges[1] == n - 1] = 0
    return edges


def _adjacency(edges: np.ndarray, n: int) -> np.ndarray:
    a = np.zeros((n, n))
    np.add.at(a, (edges[1], edges[0]), 1.0)  # a[i, j] counts the edges j -> i (multi-edges add up)
    return a


def check_sum_aggregate(m: ModuleType) -> None:
    for seed in (0, 1):
        edges = _graph(seed)
        x = rng(seed + 10).normal(size=(6, 3))
        tx = gs.tensor(x, requires_grad=True)
        out = m.sum_aggregate(tx, gs.tensor(edges), 6)
        a = _adjacency(edges, 6)
        assert_close("sum aggregation (6 nodes, 10 edges incl. a self-loop and a node without in-edges)", out, a @ x,
                     hint="out[i] sums x[j] over the edges j -> i")
        out.sum().backward()
        assert_close("gradient of x through the aggregation", tx.grad, a.sum(0)[:, None] * np.ones((1, 3)))


def check_gcn(m: ModuleType) -> None:
    for seed in (2, 3):
        edges = _graph(seed)
        x, w = rng(seed).normal(size=(6, 4)), rng(seed + 1).normal(size=(2, 4))
        tx, tw = gs.tensor(x, requires_grad=True), gs.tensor(w, requires_grad=True)
        out = m.gcn_layer(tx, gs.tensor(edges), tw)
        a = _adjacency(edges, 6) + np.eye(6)
        d = a.sum(1) ** -0.5
        ref_a = d[:, None] * a * d[None, :]
        assert_close("GCN layer output", out, ref_a @ x @ w.T, hint="degrees count incoming edges plus the self-loop")
        g = rng(seed + 2).normal(size=(6, 2))
        (out * gs.tensor(g)).sum().backward()
        assert_close("GCN gradient of x", tx.grad, ref_a.T @ g @ w)
        assert_close("GCN gradient of the weight", tw.grad, g.T @ ref_a @ x)


SHEET = Sheet(7, "graphs", "Graphs: a message-passing layer", "sheet07_graphs.py", [
    Task("sum_aggregate", 4, check_sum_aggregate, "aggregate neighbour features with scatter_add"),
    Task("gcn_layer", 6, check_gcn, "a GCN layer with symmetric normalisation"),
])
