"""``DataLoader``: batches of samples, optionally shuffled with a seedable generator.

For a ``TensorDataset`` batches are sliced straight out of the tensors (one
fancy-index per batch, no per-sample Python work); other datasets are read
sample by sample and combined by ``collate_fn``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ...random import Generator
from ...tensor import Tensor
from .dataset import Dataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


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


_KEYWORDS = ("dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn", "pin_memory",
             "drop_last", "timeout", "worker_init_fn", "multiprocessing_context", "generator", "prefetch_factor",
             "persistent_workers", "pin_memory_device", "in_order")


class DataLoader:
    """Iterate over ``dataset`` in batches, with PyTorch's arguments and rules.

    The indices come from ``sampler`` (default: ``RandomSampler`` when ``shuffle=True``, else
    ``SequentialSampler``), grouped by a ``BatchSampler(sampler, batch_size, drop_last)``, or
    from ``batch_sampler`` directly (then ``batch_size``, ``shuffle``, ``sampler`` and
    ``drop_last`` must stay at their defaults). ``batch_size=None`` yields samples one by one.
    ``shuffle=True`` draws a new order each epoch from ``generator`` (or the default
    generator), so a fixed seed gives a fixed order. Everything runs in this process:
    ``num_workers > 0`` is accepted and loads in the main process (same batches, no workers);
    ``pin_memory`` is a no-op. Unknown keywords (``shufle=True``) are refused.
    """

    def __init__(
        self,
        dataset: Dataset[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[Any] | Iterable[Any] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Sequence[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        **unknown: Any,
    ) -> None:
        if unknown:
            import difflib

            key = next(iter(unknown))
            close = difflib.get_close_matches(key, _KEYWORDS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"DataLoader.__init__() got an unexpected keyword argument {key!r}.{hint}")
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if sampler is not None and shuffle not in (None, False):
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle not in (None, False) or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # validates batch_size and drop_last
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.collate_fn = collate_fn or default_collate
        self._custom_collate = collate_fn is not None

    @property
    def shuffle(self) -> bool:
        return isinstance(self.sampler, RandomSampler)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is None:  # no batching: samples one by one
            for i in self.sampler:
                yield self.dataset[int(i)]
            return
        fast = isinstance(self.dataset, TensorDataset) and not self._custom_collate
        batches = self.batch_sampler._array_batches() if isinstance(self.batch_sampler, BatchSampler) else None
        for idx in batches if batches is not None else self.batch_sampler:
            if fast:  # one fancy-index per tensor, no per-sample Python work
                yield self.dataset[np.asarray(idx, dtype=np.int64)]  # type: ignore[index]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])


def _check_workers(num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: Any) -> None:
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("DataLoader: num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
    if not isinstance(timeout, int | float) or timeout < 0:
        raise ValueError("DataLoader: timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified in multiprocessing. "
                         "Let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
    if persistent_workers and num_workers == 0:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
