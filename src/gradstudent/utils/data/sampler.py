"""Samplers: which dataset indices a ``DataLoader`` reads, in which order (as ``torch.utils.data``).

* ``SequentialSampler(ds)``: 0, 1, ..., n-1.
* ``RandomSampler(ds, replacement=False, num_samples=None, generator=None)``: a random
  permutation (repeated permutations when ``num_samples > n``), or draws with replacement.
* ``SubsetRandomSampler(indices)``: the given indices in a random order.
* ``WeightedRandomSampler(weights, num_samples, replacement=True)``: index ``i`` with
  probability ``weights[i] / sum(weights)`` (class balancing).
* ``BatchSampler(sampler, batch_size, drop_last)``: groups another sampler's indices into
  lists of ``batch_size``.

Random samplers draw from ``generator`` (or the default generator when iteration starts),
so a fixed seed gives a fixed order; the streams are gradstudent's, not torch's numbers.
Each sampler can also give its indices as one array (``_index_array``), which lets the
``DataLoader`` slice batches without a Python loop per sample.
"""

from __future__ import annotations

from typing import Any, Generic, Iterable, Iterator, Sequence, Sized, TypeVar

import numpy as np

from ...random import Generator, default_generator

T = TypeVar("T")


def _positive_int(name: str, value: Any, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{owner}: {name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


def _boolean(name: str, value: Any, owner: str, error: type[Exception] = ValueError) -> bool:
    if not isinstance(value, bool):
        raise error(f"{owner}: {name} should be a boolean value, but got {name}={value!r}")
    return value


class Sampler(Generic[T]):
    """Base class: an iterable of indices (subclasses define ``__iter__`` and usually ``__len__``)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def _index_array(self) -> np.ndarray | None:
        """All indices of one pass as an int64 array, or None when the sampler cannot say cheaply."""
        return None


class SequentialSampler(Sampler[int]):
    """Indices ``0 .. len(data_source) - 1`` in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the indices; with ``replacement=True``, ``num_samples`` independent draws."""

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None) -> None:
        self.data_source, self.generator = data_source, generator
        self.replacement = _boolean("replacement", replacement, "RandomSampler", TypeError)
        self._num_samples = num_samples
        _positive_int("num_samples", self.num_samples, "RandomSampler")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _index_array(self) -> np.ndarray:
        n, k = len(self.data_source), self.num_samples
        gen = self.generator or default_generator()
        if self.replacement:
            return gen.integers(0, n, (k,))
        if k == n:  # the common case: one permutation (the same draws as before samplers existed)
            return gen.permutation(n)
        parts = [gen.permutation(n) for _ in range(k // n)] + [gen.permutation(n)[: k % n]]
        return np.concatenate(parts)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (without replacement)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices, self.generator = indices, generator

    def _index_array(self) -> np.ndarray:
        order = (self.generator or default_generator()).permutation(len(self.indices))
        return np.asarray([self.indices[i] for i in order.tolist()], dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        self.num_samples = _positive_int("num_samples", num_samples, "WeightedRandomSampler")
        self.replacement = _boolean("replacement", replacement, "WeightedRandomSampler")
        w = np.asarray(weights.tolist() if hasattr(weights, "tolist") else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights, self.generator = w, generator

    def _index_array(self) -> np.ndarray:
        w = self.weights
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {self.num_samples} samples without replacement "
                               f"from {np.count_nonzero(w)} indices with non-zero weight")
        rng = (self.generator or default_generator()).rng
        return rng.choice(len(w), size=self.num_samples, replace=self.replacement, p=w / w.sum()).astype(np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Lists of ``batch_size`` indices from ``sampler`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _positive_int("batch_size", batch_size, "BatchSampler")
        self.drop_last = _boolean("drop_last", drop_last, "BatchSampler")
        self.sampler = sampler

    def _array_batches(self) -> Iterator[np.ndarray] | None:
        """Batches as index arrays when the sampler gives its indices as one array."""
        order = self.sampler._index_array() if isinstance(self.sampler, Sampler) else None
        if order is None:
            return None
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        return (order[s : s + self.batch_size] for s in range(0, stop, self.batch_size))

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
