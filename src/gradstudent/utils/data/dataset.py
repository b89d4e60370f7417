"""Datasets: anything with ``__len__`` and ``__getitem__`` returning one sample."""

from __future__ import annotations

import math
from typing import Any, Generic, Sequence, TypeVar

from ...random import Generator, default_generator
from ...tensor import Tensor

T = TypeVar("T")


class Dataset(Generic[T]):
    """Base class: subclasses define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> T:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are rows of the given tensors: ``ds[i] == (a[i], b[i], ...)``."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: at least one tensor is required")
        n = tensors[0].shape[0]
        for k, t in enumerate(tensors):
            if t.shape[0] != n:
                raise ValueError(f"TensorDataset: tensor {k} has {t.shape[0]} rows but tensor 0 has {n} (shapes {[tuple(t.shape) for t in tensors]})")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(t._data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset[T]):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset: Dataset[T], indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]  # type: ignore[index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset[T], lengths: Sequence[float], generator: Generator | None = None) -> list[Subset[T]]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if any(isinstance(f, bool) or not isinstance(f, int | float) or not f >= 0 for f in lengths):
        raise ValueError(f"random_split: lengths must be non-negative numbers, got {list(lengths)}")
    if any(isinstance(f, float) and not f.is_integer() for f in lengths) and not math.isclose(sum(lengths), 1.0):
        raise ValueError(f"random_split: fractional lengths must sum to 1, got {list(lengths)} (sum {sum(lengths)})")
    if all(0 <= f <= 1 for f in lengths) and math.isclose(sum(lengths), 1.0) and sum(lengths) != n:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):  # distribute the remainder round-robin, as torch
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(s) for s in lengths]
    if sum(sizes) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the dataset size {n}")
    perm = (generator or default_generator()).permutation(n).tolist()
    out, start = [], 0
    for s in sizes:
        out.append(Subset(dataset, perm[start : start + s]))
        start += s
    return out
