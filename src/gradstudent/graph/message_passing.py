"""``MessagePassing``: the base class of graph layers, with PyG's ``propagate`` -> message / aggregate / update.

For every edge ``e = (j -> i)`` (``j = edge_index[0, e]`` the source, ``i = edge_index[1, e]`` the target)::

    m_e   = message(x_i, x_j, ...)                    one vector per edge
    a_i   = aggregate_{e: target(e) = i} m_e          sum / mean / max / min (``aggr``)
    out_i = update(a_i, ...)                          identity by default

``propagate(edge_index, x=x, w=w)`` reads ``message``'s signature: an argument named ``x_j`` receives
``x`` gathered at the sources, ``x_i`` at the targets; any other name (``w``) is passed through, and
the names ``index``, ``size_i``, ``edge_index`` are filled in. A student's layer is a few lines::

    class MeanConv(MessagePassing):
        def __init__(self, c_in, c_out):
            super().__init__(aggr="mean")
            self.lin = nn.Linear(c_in, c_out)
        def forward(self, x, edge_index):
            return self.propagate(edge_index, x=self.lin(x))
        def message(self, x_j):
            return x_j
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..nn.module import Module
from ..tensor import Tensor
from .scatter import gather, scatter


class MessagePassing(Module):
    """Base class: subclasses write ``forward`` (calling ``propagate``) and ``message``.

    ``aggr``: "add"/"sum", "mean", "max" or "min". ``flow``: "source_to_target" (default, messages
    go from ``edge_index[0]`` to ``edge_index[1]``) or "target_to_source".
    """

    def __init__(self, aggr: str | None = "add", flow: str = "source_to_target", node_dim: int = 0) -> None:
        super().__init__()
        if aggr not in ("add", "sum", "mean", "max", "min", None):
            raise ValueError(f"MessagePassing: aggr must be 'add', 'sum', 'mean', 'max' or 'min', got {aggr!r}")
        if flow not in ("source_to_target", "target_to_source"):
            raise ValueError(f"MessagePassing: flow must be 'source_to_target' or 'target_to_source', got {flow!r}")
        if node_dim not in (0, -2):
            raise NotImplementedError("MessagePassing: nodes must be on the first axis (node_dim=0)")
        self.aggr, self.flow = aggr, flow
        self._message_args = [p for p in inspect.signature(self.message).parameters]
        self._update_args = set(inspect.signature(self.update).parameters) - {"aggr_out"}

    # ---- the three steps --------------------------------------------------------------------
    def propagate(self, edge_index: Tensor, size: tuple[int, int] | None = None, **kwargs: Any) -> Tensor:
        """Gather per-edge inputs, ``message``, ``aggregate`` at the targets, ``update``."""
        ei = edge_index.numpy() if isinstance(edge_index, Tensor) else np.asarray(edge_index)
        if ei.ndim != 2 or ei.shape[0] != 2:
            raise ValueError(f"{type(self).__name__}.propagate: edge_index must have shape (2, E), got {ei.shape}")
        j_row, i_row = (ei[0], ei[1]) if self.flow == "source_to_target" else (ei[1], ei[0])
        n_j, n_i = self._sizes(size, kwargs)
        for name, n in (("source", n_j), ("target", n_i)):
            row = j_row if name == "source" else i_row
            if row.size and n is not None and row.max() >= n:
                raise IndexError(f"{type(self).__name__}.propagate: edge_index has {name} node {int(row.max())} but only {n} nodes")
        n_i = n_i if n_i is not None else (int(i_row.max()) + 1 if i_row.size else 0)
        args = self._collect(kwargs, j_row, i_row, ei, n_i)
        msg = self.message(**args)
        out = self.aggregate(msg, i_row, dim_size=n_i)
        return self.update(out, **{k: v for k, v in kwargs.items() if k in self._update_args})

    def message(self, x_j: Tensor) -> Tensor:
        """The vector edge ``j -> i`` sends (default: the source's features)."""
        return x_j

    def aggregate(self, inputs: Tensor, index: np.ndarray, dim_size: int | None = None) -> Tensor:
        """Reduce the messages that arrive at each target node (``self.aggr``)."""
        return scatter(inputs, index, 0, dim_size, reduce=self.aggr or "sum")

    def update(self, aggr_out: Tensor, **kwargs: Any) -> Tensor:
        """Post-process each node's aggregate (default: unchanged)."""
        return aggr_out

    # ---- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _split(value: Any) -> tuple[Any, Any]:
        """(source part, target part): a pair ``(x_src, x_dst)`` for bipartite graphs, else the same twice."""
        return (value[0], value[1]) if isinstance(value, tuple) else (value, value)

    def _sizes(self, size: tuple[int, int] | None, kwargs: dict[str, Any]) -> tuple[int | None, int | None]:
        if size is not None:
            return size[0], size[1]
        for name in self._message_args:
            if name.endswith(("_i", "_j")) and isinstance(kwargs.get(name[:-2]), Tensor | tuple):
                src, dst = self._split(kwargs[name[:-2]])
                return (src.shape[0] if isinstance(src, Tensor) else None, dst.shape[0] if isinstance(dst, Tensor) else None)
        return None, None

    def _collect(self, kwargs: dict[str, Any], j_row: np.ndarray, i_row: np.ndarray, ei: np.ndarray, n_i: int) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name in self._message_args:
            if name.endswith("_j") and name[:-2] in kwargs:
                src = self._split(kwargs[name[:-2]])[0]
                args[name] = gather(src, j_row) if isinstance(src, Tensor) else None
            elif name.endswith("_i") and name[:-2] in kwargs:
                dst = self._split(kwargs[name[:-2]])[1]
                args[name] = gather(dst, i_row) if isinstance(dst, Tensor) else None
            elif name == "index":
                args[name] = i_row
            elif name == "size_i":
                args[name] = n_i
            elif name == "edge_index":
                args[name] = ei
            elif name in kwargs:
                args[name] = kwargs[name]
        return args
