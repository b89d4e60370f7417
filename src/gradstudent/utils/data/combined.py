"""Datasets made of other datasets: ``ConcatDataset`` (one after another) and
``StackDataset`` (side by side), and ``get_worker_info`` (always None: the
DataLoader loads in the main process)."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterable

from .dataset import Dataset

__all__ = ["ConcatDataset", "StackDataset", "get_worker_info"]


class ConcatDataset(Dataset[Any]):
    """The datasets one after another: item i comes from the dataset whose range holds i.

    ``cumulative_sizes[k]`` = total length of datasets 0..k, so item i is item
    ``i - cumulative_sizes[k-1]`` of dataset k = bisect_right(cumulative_sizes, i).
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        if idx >= len(self):
            raise IndexError(f"ConcatDataset: index {idx} out of range for length {len(self)}")
        k = bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[k - 1] if k > 0 else 0
        return self.datasets[k][idx - start]


class StackDataset(Dataset[Any]):
    """Datasets of equal length side by side: item i is a tuple (positional) or a dict (keywords)."""

    def __init__(self, *args: Dataset[Any], **kwargs: Dataset[Any]) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like input/output, but both types are given.")
        parts = list(args) or list(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset should be passed")
        lengths = {len(d) for d in parts}
        if len(lengths) != 1:
            raise ValueError("Size mismatch between datasets")
        self._length = lengths.pop()
        self.datasets: tuple[Dataset[Any], ...] | dict[str, Dataset[Any]] = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


def get_worker_info() -> None:
    """None: gradstudent's DataLoader loads every batch in the main process (no worker processes)."""
    return None
