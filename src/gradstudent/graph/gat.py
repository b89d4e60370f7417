"""``GATConv`` (Velickovic et al. 2018) and graph pooling.

GAT, per head h (features split into H heads of C channels, ``x_j^h = (W x_j)^h``)::

    e_ji   = LeakyReLU(a_src^h . x_j^h + a_dst^h . x_i^h)
    alpha  = softmax over the edges into i of e_ji           (segment softmax, then dropout)
    x'_i^h = sum_j alpha_ji x_j^h ;  heads concatenated (H*C) or averaged (C), plus bias.

Pooling reduces each graph of a batch to one vector: ``global_*_pool(x, batch)`` is a scatter
over ``batch``; ``AttentionalAggregation`` weighs the nodes by a learned softmax gate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import zeros
from ..nn import functional as F
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.parameter import Parameter
from ..tensor import Tensor
from .conv import glorot_
from .message_passing import MessagePassing
from .scatter import scatter, softmax
from .utils import add_self_loops, remove_self_loops


class GATConv(MessagePassing):
    """PyG's ``GATConv``: parameters ``lin.weight`` (H*C, F), ``att_src``/``att_dst`` (1, H, C), ``bias``."""

    def __init__(
        self, in_channels: int, out_channels: int, heads: int = 1, concat: bool = True, negative_slope: float = 0.2,
        dropout: float = 0.0, add_self_loops: bool = True, bias: bool = True,
    ) -> None:
        super().__init__(aggr="add")
        self.in_channels, self.out_channels, self.heads, self.concat = in_channels, out_channels, heads, concat
        self.negative_slope, self.dropout, self.add_self_loops = negative_slope, dropout, add_self_loops
        self.lin = Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = Parameter(zeros(1, heads, out_channels))
        self.att_dst = Parameter(zeros(1, heads, out_channels))
        self.bias = Parameter(zeros(heads * out_channels if concat else out_channels)) if bias else None
        for w in (self.lin.weight, self.att_src, self.att_dst):
            glorot_(w)

    def forward(self, x: Tensor, edge_index: Tensor, return_attention_weights: bool = False) -> Any:
        n, H, C = x.shape[0], self.heads, self.out_channels
        h = self.lin(x).reshape(n, H, C)
        a_src, a_dst = (h * self.att_src).sum(-1), (h * self.att_dst).sum(-1)  # (N, H) each
        if self.add_self_loops:
            edge_index, _ = remove_self_loops(edge_index)
            edge_index, _ = add_self_loops(edge_index, num_nodes=n)
        out = self.propagate(edge_index, x=h, alpha=(a_src, a_dst), size=(n, n))
        out = out.reshape(n, H * C) if self.concat else out.mean(1)
        if self.bias is not None:
            out = out + self.bias
        if return_attention_weights:
            return out, (edge_index, self._alpha)
        return out

    def message(self, x_j: Tensor, alpha_j: Tensor, alpha_i: Tensor, index: np.ndarray, size_i: int) -> Tensor:
        e = F.leaky_relu(alpha_j + alpha_i, self.negative_slope)  # (E, H)
        alpha = softmax(e, index, size_i)
        self._alpha = alpha.detach()
        alpha = F.dropout(alpha, self.dropout, self.training)
        return x_j * alpha.unsqueeze(-1)  # (E, H, C)


def _pool(x: Tensor, batch: Tensor | None, size: int | None, reduce: str) -> Tensor:
    if batch is None:
        idx = np.zeros(x.shape[0], dtype=np.int64)
        size = 1
    else:
        idx = batch.numpy() if isinstance(batch, Tensor) else np.asarray(batch)
        if idx.shape[0] != x.shape[0]:
            raise ValueError(f"global_{reduce}_pool: batch has {idx.shape[0]} entries but x has {x.shape[0]} nodes")
    n = size if size is not None else (int(idx.max()) + 1 if idx.size else 0)
    return scatter(x, idx, 0, n, reduce)


def global_add_pool(x: Tensor, batch: Tensor | None, size: int | None = None) -> Tensor:
    """z[g] = sum of x over the nodes of graph g (batch None: one graph, shape (1, F))."""
    return _pool(x, batch, size, "sum")


def global_mean_pool(x: Tensor, batch: Tensor | None, size: int | None = None) -> Tensor:
    """z[g] = mean of x over the nodes of graph g."""
    return _pool(x, batch, size, "mean")


def global_max_pool(x: Tensor, batch: Tensor | None, size: int | None = None) -> Tensor:
    """z[g] = elementwise max of x over the nodes of graph g."""
    return _pool(x, batch, size, "max")


class AttentionalAggregation(Module):
    """PyG's ``AttentionalAggregation`` (Li et al. 2016): z[g] = sum_{v in g} softmax_g(gate_nn(x_v)) nn(x_v)."""

    def __init__(self, gate_nn: Module, nn: Module | None = None) -> None:
        super().__init__()
        self.gate_nn, self.nn = gate_nn, nn

    def forward(self, x: Tensor, index: Tensor | None = None, ptr: Tensor | None = None, dim_size: int | None = None) -> Tensor:
        idx = np.zeros(x.shape[0], dtype=np.int64) if index is None else (index.numpy() if isinstance(index, Tensor) else np.asarray(index))
        n = dim_size if dim_size is not None else (1 if index is None else int(idx.max()) + 1)
        gate = softmax(self.gate_nn(x), idx, n)  # (N, 1): attention over each graph's nodes
        h = self.nn(x) if self.nn is not None else x
        return scatter(gate * h, idx, 0, n, "sum")


GlobalAttention = AttentionalAggregation
