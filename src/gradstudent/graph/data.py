"""Graph data: ``Data`` (one graph), ``Batch`` (a disjoint union of graphs) and a graph ``DataLoader``.

A mini-batch of graphs is one big graph with no edges between its parts: node features are
stacked, every graph's ``edge_index`` is shifted by the number of nodes before it, and
``batch[v]`` says which graph node v came from (``ptr[g]:ptr[g+1]`` are graph g's nodes).
Pooling (``global_mean_pool(x, batch)``) then reduces each part to one vector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..creation import from_numpy
from ..ops.shape import cat
from ..tensor import Tensor


class Data:
    """One graph: ``x`` (N, F) node features, ``edge_index`` (2, E), optional ``edge_attr``, ``y``, ``pos`` (N, D).

    Any other keyword becomes an attribute too (``train_mask=...``), as in PyG.
    """

    def __init__(
        self, x: Tensor | None = None, edge_index: Tensor | None = None, edge_attr: Tensor | None = None,
        y: Tensor | None = None, pos: Tensor | None = None, **kwargs: Any,
    ) -> None:
        self.x, self.edge_index, self.edge_attr, self.y, self.pos = x, edge_index, edge_attr, y, pos
        if edge_index is not None and (edge_index.ndim != 2 or edge_index.shape[0] != 2):
            raise ValueError(f"Data: edge_index must have shape (2, E), got {tuple(edge_index.shape)}")
        self._num_nodes: int | None = kwargs.pop("num_nodes", None)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def keys(self) -> list[str]:
        return [k for k, v in vars(self).items() if not k.startswith("_") and v is not None]

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    @property
    def num_nodes(self) -> int:
        if self._num_nodes is not None:
            return self._num_nodes
        for t in (self.x, self.pos):
            if t is not None:
                return int(t.shape[0])
        if self.edge_index is not None and self.edge_index.shape[1]:
            return int(self.edge_index.numpy().max()) + 1
        return 0

    @num_nodes.setter
    def num_nodes(self, n: int) -> None:
        self._num_nodes = int(n)

    @property
    def num_edges(self) -> int:
        return 0 if self.edge_index is None else int(self.edge_index.shape[1])

    @property
    def num_node_features(self) -> int:
        return 0 if self.x is None else (int(self.x.shape[1]) if self.x.ndim > 1 else 1)

    num_features = num_node_features

    def __repr__(self) -> str:
        parts = [f"{k}={list(v.shape) if isinstance(v, Tensor) else v}" for k, v in vars(self).items() if not k.startswith("_") and v is not None]
        return f"Data({', '.join(parts)})"


class Batch(Data):
    """A disjoint union of graphs with ``batch`` (node -> graph) and ``ptr`` (graph -> first node)."""

    @classmethod
    def from_data_list(cls, data_list: Sequence[Data]) -> Batch:
        if not data_list:
            raise ValueError("Batch.from_data_list: the list of graphs is empty")
        sizes = np.array([d.num_nodes for d in data_list], dtype=np.int64)
        ptr = np.concatenate(([0], np.cumsum(sizes)))
        out = cls()
        keys = [k for k in data_list[0].keys()]
        for key in keys:
            values = [d[key] for d in data_list]
            if key == "edge_index":
                shifted = [v.numpy() + ptr[g] for g, v in enumerate(values)]
                out.edge_index = from_numpy(np.concatenate(shifted, axis=1).astype(np.int64))
            elif all(isinstance(v, Tensor) for v in values):
                vals = [v.reshape(1) if v.ndim == 0 else v for v in values]
                setattr(out, key, cat(vals, 0))
            else:
                setattr(out, key, values)
        out.batch = from_numpy(np.repeat(np.arange(len(data_list), dtype=np.int64), sizes))
        out.ptr = from_numpy(ptr)
        out._num_nodes = int(ptr[-1])
        out._num_graphs = len(data_list)
        return out

    @property
    def num_graphs(self) -> int:
        return self._num_graphs


class DataLoader:
    """Mini-batches of graphs as :class:`Batch` objects (seedable shuffling, like ``utils.data.DataLoader``)."""

    def __init__(self, dataset: Sequence[Data], batch_size: int = 1, shuffle: bool = False, seed: int | None = None, drop_last: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for s in range(0, n, self.batch_size):
            idx = order[s : s + self.batch_size]
            if self.drop_last and idx.size < self.batch_size:
                return
            yield Batch.from_data_list([self.dataset[int(i)] for i in idx])
