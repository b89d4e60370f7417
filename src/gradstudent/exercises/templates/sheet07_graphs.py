"""Sheet 7 — graphs: message passing with scatter operations.

A graph with ``num_nodes`` nodes has edges ``edge_index``: a (2, E) integer tensor
whose column e is an edge from ``edge_index[0, e]`` (source j) to ``edge_index[1, e]``
(target i). A message-passing layer computes a message per edge and aggregates
the messages arriving at each node — with ``index_add`` / ``scatter_add``, never a
Python loop over edges.
"""

from __future__ import annotations

import gradstudent as gs
from gradstudent import Tensor


def sum_aggregate(x: Tensor, edge_index: Tensor, num_nodes: int) -> Tensor:
    """out[i] = sum over edges (j -> i) of x[j]; x: (num_nodes, F). Nodes without in-edges get 0."""
    ### BEGIN SOLUTION
    src, dst = edge_index[0], edge_index[1]
    messages = x[src]  # (E, F): one message per edge
    index = dst.unsqueeze(1).expand(-1, x.shape[1])
    return gs.zeros(num_nodes, x.shape[1], dtype=x.dtype).scatter_add(0, index, messages)
    ### END SOLUTION


def gcn_layer(x: Tensor, edge_index: Tensor, weight: Tensor) -> Tensor:
    """Kipf & Welling's graph convolution: H = D^-1/2 (A + I) D^-1/2 X W^T.

    Add a self-loop to every node, let deg[i] be the number of edges arriving at
    i (self-loop included), and weight each edge j -> i by 1 / sqrt(deg[i] deg[j]).
    weight: (F_out, F_in).
    """
    ### BEGIN SOLUTION
    n = x.shape[0]
    loops = gs.arange(n).unsqueeze(0).expand(2, n)
    ei = gs.cat([edge_index, loops], dim=1)
    src, dst = ei[0], ei[1]
    deg = gs.zeros(n, dtype=x.dtype).scatter_add(0, dst, gs.ones(ei.shape[1], dtype=x.dtype))
    norm = (deg[src] * deg[dst]).rsqrt()  # (E,)
    h = x @ weight.mT
    messages = h[src] * norm.unsqueeze(1)
    index = dst.unsqueeze(1).expand(-1, h.shape[1])
    return gs.zeros(n, h.shape[1], dtype=h.dtype).scatter_add(0, index, messages)
    ### END SOLUTION
