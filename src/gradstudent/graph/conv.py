"""Graph convolutions with PyG's names, arguments and parameter names (``state_dict``s move to PyG).

Notation: x (N, F) node features, edge e = (j -> i), N(i) the sources of edges into i, W learnable.

* ``GCNConv``   x'_i = b + sum_{j in N(i) + i} w_ji / sqrt(d_j d_i) W x_j       (Kipf & Welling 2017)
* ``ChebConv``  x' = b + sum_k W_k T_k(L_hat) x,  T_0 = I, T_1 = L_hat, T_k = 2 L_hat T_{k-1} - T_{k-2}
* ``SAGEConv``  x'_i = W_l mean_{j in N(i)} x_j + W_r x_i                       (Hamilton et al. 2017)
* ``GraphConv`` x'_i = W_rel sum_{j in N(i)} w_ji x_j + W_root x_i             (Morris et al. 2019)
* ``GINConv``   x'_i = MLP((1 + eps) x_i + sum_{j in N(i)} x_j)                (Xu et al. 2019)
* ``EdgeConv``  x'_i = max_{j in N(i)} MLP([x_i, x_j - x_i])                   (Wang et al. 2019)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import from_numpy, zeros
from ..nn import functional as F
from ..nn import init
from ..nn.containers import ModuleList
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.parameter import Parameter
from ..ops.shape import cat
from ..tensor import Tensor
from .message_passing import MessagePassing
from .scatter import SparseAdj, gather, scatter, spmm
from .utils import add_remaining_self_loops, remove_self_loops


def glorot_(w: Tensor) -> None:
    """PyG's default init: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    a = math.sqrt(6.0 / (w.shape[-2] + w.shape[-1]))
    init.uniform_(w, -a, a)


def _ones_like_edges(edge_index: Tensor, dtype: Any) -> Tensor:
    return from_numpy(np.ones(edge_index.shape[1], dtype=dtype))


def _np_dtype(x: Tensor) -> Any:
    return x.detach().numpy().dtype


def gcn_norm(
    edge_index: Tensor, edge_weight: Tensor | None, num_nodes: int, improved: bool = False, add_self_loops: bool = True,
    dtype: Any = np.float32,
) -> tuple[Tensor, Tensor]:
    """Edge weights w_ji / sqrt(d_j d_i) with d_i = sum of weights into i (after one self-loop per node)."""
    if edge_weight is None:
        edge_weight = _ones_like_edges(edge_index, dtype)
    if add_self_loops:
        edge_index, edge_weight = add_remaining_self_loops(edge_index, edge_weight, 2.0 if improved else 1.0, num_nodes)
    ei = edge_index.numpy()
    deg = scatter(edge_weight, ei[1], 0, num_nodes, "sum")
    empty = (deg.detach().numpy() == 0).astype(_np_dtype(deg))
    dinv = (deg + from_numpy(empty)).pow(-0.5) * from_numpy(1 - empty)  # 0 for isolated nodes, no inf
    return edge_index, gather(dinv, ei[0]) * edge_weight * gather(dinv, ei[1])


class GCNConv(MessagePassing):
    """PyG's ``GCNConv``: ``lin`` (no bias) then normalised propagation then ``bias``.

    ``cached=True`` computes the normalised adjacency once (transductive training on one graph).
    The propagation is one sparse-dense product ``A_hat @ (x W^T)`` (the same sum as ``message``).
    """

    def __init__(
        self, in_channels: int, out_channels: int, improved: bool = False, cached: bool = False,
        add_self_loops: bool = True, normalize: bool = True, bias: bool = True,
    ) -> None:
        super().__init__(aggr="add")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.improved, self.cached, self.add_self_loops, self.normalize = improved, cached, add_self_loops, normalize
        self.lin = Linear(in_channels, out_channels, bias=False)
        self.bias = Parameter(zeros(out_channels)) if bias else None
        self._cache: tuple[SparseAdj, Tensor] | None = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        glorot_(self.lin.weight)
        if self.bias is not None:
            init.zeros_(self.bias)
        self._cache = None

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        x = self.lin(x)
        if self._cache is None:
            n = x.shape[0]
            if self.normalize:
                edge_index, w = gcn_norm(edge_index, edge_weight, n, self.improved, self.add_self_loops, _np_dtype(x))
            else:
                w = edge_weight if edge_weight is not None else _ones_like_edges(edge_index, _np_dtype(x))
            ei = edge_index.numpy()
            adj = SparseAdj(ei[1], ei[0], (n, n))  # A_hat[i, j] = weight of edge j -> i
            if self.cached:
                frozen = w.detach().numpy().copy()
                frozen.setflags(write=False)  # constant from now on: spmm may keep its CSR matrix
                w = from_numpy(frozen)
                self._cache = (adj, w)
        else:
            adj, w = self._cache
        out = spmm(adj, w, x)
        return out + self.bias if self.bias is not None else out

    def message(self, x_j: Tensor, edge_weight: Tensor) -> Tensor:
        return x_j * edge_weight.reshape(-1, 1)


class ChebConv(MessagePassing):
    """PyG's ``ChebConv``: ``lins.k`` (no bias) applied to T_k(L_hat) x, plus ``bias``.

    ``L_hat = 2 L / lambda_max - I``, with the Laplacian ``L`` chosen by ``normalization``:
    ``None``: ``L = D - A``; ``"sym"``: ``L = I - D^-1/2 A D^-1/2``; ``"rw"``: ``L = I - D^-1 A``
    (degrees summed over ``edge_index[0]``, as PyG's ``get_laplacian``). ``lambda_max`` defaults to 2
    for ``"sym"`` (its spectrum lies in [0, 2]); the other two need it passed to ``forward``.
    T_0 = x, T_1 = L_hat x, T_k = 2 L_hat T_{k-1} - T_{k-2}.
    """

    def __init__(self, in_channels: int, out_channels: int, K: int, normalization: str | None = "sym", bias: bool = True) -> None:
        super().__init__(aggr="add")
        if K <= 0:
            raise ValueError(f"ChebConv: K must be positive, got {K}")
        if normalization not in (None, "sym", "rw"):
            raise ValueError(f"ChebConv: normalization must be None, 'sym' or 'rw', got {normalization!r}")
        self.in_channels, self.out_channels, self.normalization = in_channels, out_channels, normalization
        self.lins = ModuleList([Linear(in_channels, out_channels, bias=False) for _ in range(K)])
        self.bias = Parameter(zeros(out_channels)) if bias else None
        for lin in self.lins:
            glorot_(lin.weight)

    def _norm(self, edge_index: Tensor, edge_weight: Tensor | None, n: int, lambda_max: float, dtype: Any) -> tuple[SparseAdj, Tensor]:
        """The entries of L_hat as a sparse matrix: off-diagonal ones per edge, then the diagonal."""
        edge_index, edge_weight = remove_self_loops(edge_index, edge_weight)
        w = edge_weight if edge_weight is not None else _ones_like_edges(edge_index, dtype)
        ei = edge_index.numpy()
        deg = scatter(w, ei[0], 0, n, "sum")  # d_i = sum_j w_ij over the edges leaving i
        empty = (deg.detach().numpy() == 0).astype(dtype)  # isolated nodes: D^-1 taken as 0, as PyG
        if self.normalization is None:  # L = D - A
            off, diag = -w, deg
        elif self.normalization == "sym":  # L = I - D^-1/2 A D^-1/2
            dinv = (deg + from_numpy(empty)).pow(-0.5) * from_numpy(1 - empty)
            off, diag = -(gather(dinv, ei[0]) * w * gather(dinv, ei[1])), from_numpy(np.ones(n, dtype=dtype))
        else:  # "rw": L = I - D^-1 A
            dinv = (deg + from_numpy(empty)).pow(-1.0) * from_numpy(1 - empty)
            off, diag = -(gather(dinv, ei[0]) * w), from_numpy(np.ones(n, dtype=dtype))
        scale = 2.0 / lambda_max  # L_hat = 2 L / lambda_max - I
        loops = np.arange(n, dtype=np.int64)
        rows, cols = np.concatenate([ei[1], loops]), np.concatenate([ei[0], loops])
        values = cat([off * scale, diag * scale - 1.0], 0)
        return SparseAdj(rows, cols, (n, n)), values

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None, batch: Tensor | None = None, lambda_max: float | None = None) -> Tensor:
        if lambda_max is None and self.normalization != "sym":
            raise ValueError(
                f"ChebConv: normalization={self.normalization!r} needs lambda_max passed to forward() "
                f"(the largest eigenvalue of L; only 'sym' has the default 2)"
            )
        if lambda_max is not None and (isinstance(lambda_max, Tensor) and lambda_max.numel() != 1):
            raise ValueError(f"ChebConv: lambda_max must be one number here, got shape {tuple(lambda_max.shape)}")
        lam = 2.0 if lambda_max is None else float(lambda_max)
        if not lam > 0:
            raise ValueError(f"ChebConv: lambda_max must be positive, got {lam}")
        adj, w = self._norm(edge_index, edge_weight, x.shape[0], lam, _np_dtype(x))
        tx0 = x
        out = self.lins[0](tx0)
        if len(self.lins) > 1:
            tx1 = spmm(adj, w, x)
            out = out + self.lins[1](tx1)
            for lin in list(self.lins)[2:]:
                tx2 = spmm(adj, w, tx1) * 2.0 - tx0
                out = out + lin(tx2)
                tx0, tx1 = tx1, tx2
        return out + self.bias if self.bias is not None else out


class SAGEConv(MessagePassing):
    """PyG's ``SAGEConv``: ``lin_l`` (with bias) on the aggregated neighbours + ``lin_r`` (no bias) on the node."""

    def __init__(self, in_channels: int | tuple[int, int], out_channels: int, aggr: str = "mean", normalize: bool = False, root_weight: bool = True, bias: bool = True) -> None:
        super().__init__(aggr=aggr)
        c_src, c_dst = in_channels if isinstance(in_channels, tuple) else (in_channels, in_channels)
        self.in_channels, self.out_channels, self.normalize, self.root_weight = in_channels, out_channels, normalize, root_weight
        self.lin_l = Linear(c_src, out_channels, bias=bias)
        if root_weight:
            self.lin_r = Linear(c_dst, out_channels, bias=False)

    def forward(self, x: Tensor | tuple[Tensor, Tensor], edge_index: Tensor) -> Tensor:
        x_src, x_dst = self._split(x)
        out = self.lin_l(self.propagate(edge_index, x=(x_src, x_dst)))
        if self.root_weight:
            out = out + self.lin_r(x_dst)
        return F.normalize(out, p=2.0, dim=-1) if self.normalize else out


class GraphConv(MessagePassing):
    """PyG's ``GraphConv``: ``lin_rel`` (with bias) on the weighted neighbour sum + ``lin_root`` (no bias)."""

    def __init__(self, in_channels: int, out_channels: int, aggr: str = "add", bias: bool = True) -> None:
        super().__init__(aggr=aggr)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.lin_rel = Linear(in_channels, out_channels, bias=bias)
        self.lin_root = Linear(in_channels, out_channels, bias=False)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        out = self.propagate(edge_index, x=x, edge_weight=edge_weight)
        return self.lin_rel(out) + self.lin_root(x)

    def message(self, x_j: Tensor, edge_weight: Tensor | None) -> Tensor:
        return x_j if edge_weight is None else x_j * edge_weight.reshape(-1, 1)


class GINConv(MessagePassing):
    """PyG's ``GINConv``: ``nn`` applied to (1 + eps) x_i + sum of neighbours; ``eps`` a buffer or a parameter."""

    def __init__(self, nn: Module, eps: float = 0.0, train_eps: bool = False) -> None:
        super().__init__(aggr="add")
        self.nn = nn
        if train_eps:
            self.eps = Parameter(from_numpy(np.array([eps], dtype=np.float32)))
        else:
            self.register_buffer("eps", from_numpy(np.array([eps], dtype=np.float32)))

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        out = self.propagate(edge_index, x=x)
        return self.nn(out + x * (self.eps + 1.0))


class EdgeConv(MessagePassing):
    """PyG's ``EdgeConv`` (DGCNN): max over neighbours of ``nn([x_i, x_j - x_i])``."""

    def __init__(self, nn: Module, aggr: str = "max") -> None:
        super().__init__(aggr=aggr)
        self.nn = nn

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.propagate(edge_index, x=x)

    def message(self, x_i: Tensor, x_j: Tensor) -> Tensor:
        return self.nn(cat([x_i, x_j - x_i], -1))


def knn_graph(pos: Tensor | np.ndarray, k: int, batch: Tensor | np.ndarray | None = None, loop: bool = False) -> Tensor:
    """Edges j -> i from each node's k nearest neighbours j (within its own graph of the batch)."""
    p = pos.detach().numpy() if isinstance(pos, Tensor) else np.asarray(pos)
    b = np.zeros(p.shape[0], dtype=np.int64) if batch is None else (batch.numpy() if isinstance(batch, Tensor) else np.asarray(batch))
    with no_grad():
        d2 = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1) if p.shape[0] <= 4096 else None
    if d2 is None:
        raise ValueError("knn_graph: more than 4096 points; build the graph per batch")
    d2 = np.where(b[:, None] == b[None, :], d2, np.inf)
    if not loop:
        np.fill_diagonal(d2, np.inf)
    kk = min(k, p.shape[0] - (0 if loop else 1))
    nbr = np.argpartition(d2, kk - 1, axis=1)[:, :kk] if kk > 0 else np.zeros((p.shape[0], 0), np.int64)
    tgt = np.repeat(np.arange(p.shape[0]), nbr.shape[1])
    src = nbr.reshape(-1)
    ok = np.isfinite(d2[tgt, src])
    return from_numpy(np.stack([src[ok], tgt[ok]]).astype(np.int64))
