"""``DataLoader``: batches of samples, optionally shuffled with a seedable generator.

For a ``TensorDataset`` batches are sliced straight out of the tensors (one
fancy-index per batch, no per-sample Python work); other datasets are read
sample by sample and combined by ``collate_fn``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ...random import Generator, default_generator
from ...tensor import Tensor
from .dataset import Dataset, TensorDataset


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples: tensors/arrays/numbers -> a batch tensor; tuples and dicts recursively."""
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._make(np.stack([b._data for b in batch]))
    if isinstance(first, np.ndarray):
        return Tensor._make(np.stack(batch))
    if isinstance(first, bool | int | float | np.number):
        return Tensor(np.array(batch))
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, tuple | list):
        if any(len(b) != len(first) for b in batch):
            raise ValueError("default_collate: samples in a batch have different numbers of fields")
        return type(first)(default_collate(list(fields)) for fields in zip(*batch)) if isinstance(first, tuple) else [
            default_collate(list(fields)) for fields in zip(*batch)
        ]
    if isinstance(first, str):
        return list(batch)
    raise TypeError(f"default_collate: don't know how to batch samples of type {type(first).__name__}")


class DataLoader:
    """Iterate over ``dataset`` in batches.

    ``shuffle=True`` draws a new order each epoch from ``generator`` (or the
    default generator), so a fixed seed gives a fixed order.
    """

    def __init__(
        self,
        dataset: Dataset[Any],
        batch_size: int | None = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable[[Sequence[Any]], Any] | None = None,
        generator: Generator | None = None,
        num_workers: int = 0,
        **unused: Any,
    ) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator
        self._custom_collate = collate_fn is not None

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        return (self.generator or default_generator()).permutation(n) if self.shuffle else np.arange(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self.batch_size is None:  # no batching: samples one by one
            for i in order:
                yield self.dataset[int(i)]
            return
        fast = isinstance(self.dataset, TensorDataset) and not self._custom_collate
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if fast:
                yield self.dataset[idx]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])
