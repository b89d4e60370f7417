"""``gs.utils.data.distributed``: which samples each rank reads (``DistributedSampler``, ``GlobalBatchShardSampler``).

``DistributedSampler(dataset, num_replicas, rank, shuffle=True, seed=0, drop_last=False)``
has ``torch.utils.data.distributed.DistributedSampler``'s semantics: every epoch one
permutation of the dataset drawn from a generator seeded with ``seed + epoch`` (so every rank
draws the same one without talking; call ``set_epoch(e)`` before each epoch for a new order),
padded by repeating its first indices to a multiple of ``num_replicas`` (or cut, with
``drop_last``), and rank ``r`` takes every ``num_replicas``-th index from position ``r``::

    permutation  p0 p1 p2 p3 p4 p5 p6 | p0      (7 samples, 2 ranks: padded to 8)
    rank 0       p0    p2    p4    p6
    rank 1          p1    p3    p5    p0

``GlobalBatchShardSampler(sampler, batch_size, drop_last, num_replicas, rank)`` is the batch
sampler ``gradstudent run --distributed`` uses to reproduce a single-process run: it cuts the
same global batches that ``BatchSampler(sampler, batch_size, drop_last)`` would give one
process, and yields rank ``r``'s strided shard ``batch[r::num_replicas]`` of each. The union
of the ranks' step-``k`` batches is the single run's step-``k`` batch, nothing is padded, and
a last, shorter batch is shared unevenly (the training loop weights the ranks' losses by their
shard sizes; see :mod:`gradstudent.experiments._distributed`).

Both are also ``gradstudent.distributed.DistributedSampler`` and ``...GlobalBatchShardSampler``.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sized

import numpy as np

from ...random import Generator
from .sampler import BatchSampler, Sampler


def _world_defaults(num_replicas: int | None, rank: int | None, owner: str) -> tuple[int, int]:
    if num_replicas is None or rank is None:
        from ...distributed.process_group import get_rank, get_world_size, is_initialized  # (tensor-level: numpy and mpi4py)

        if not is_initialized():
            raise RuntimeError(f"{owner}: pass num_replicas and rank, or call init_process_group() first")
        num_replicas = get_world_size() if num_replicas is None else num_replicas
        rank = get_rank() if rank is None else rank
    if isinstance(num_replicas, bool) or not isinstance(num_replicas, int) or num_replicas < 1:
        raise ValueError(f"{owner}: num_replicas must be a positive integer, got {num_replicas!r}")
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < num_replicas:
        raise ValueError(f"{owner}: Invalid rank {rank!r}, rank should be in the interval [0, {num_replicas - 1}]")
    return num_replicas, rank


class DistributedSampler(Sampler[int]):
    """This rank's indices of one epoch, as ``torch.utils.data.distributed.DistributedSampler``.

    ``num_samples = ceil(n / W)`` per rank (``floor`` with ``drop_last`` when ``n`` is not a
    multiple of ``W``), ``total_size = num_samples * W``. The order depends on ``seed + epoch``
    only, never on the default generator (the numbers are gradstudent's, not torch's).
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        self.num_replicas, self.rank = _world_defaults(num_replicas, rank, "DistributedSampler")
        self.dataset, self.shuffle, self.seed, self.drop_last = dataset, bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of ``epoch`` (call it before each epoch, as in torch)."""
        self.epoch = int(epoch)

    def _index_array(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            indices = Generator().manual_seed(self.seed + self.epoch).permutation(n).astype(np.int64)
        else:
            indices = np.arange(n, dtype=np.int64)
        if self.drop_last:
            indices = indices[: self.total_size]
        elif self.total_size > n:  # pad by repeating from the start (several times if n < W)
            repeats = math.ceil((self.total_size - n) / max(n, 1))
            indices = np.concatenate([indices, *([indices] * repeats)])[: self.total_size]
        return indices[self.rank : self.total_size : self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class GlobalBatchShardSampler(BatchSampler):
    """Rank ``rank``'s shard ``batch[rank::num_replicas]`` of each global batch of ``BatchSampler(sampler, batch_size, drop_last)``.

    ``agree``, if given, is applied to each epoch's index order before it is cut (the runner
    passes "take rank 0's", so that ranks whose random streams drifted apart still read
    disjoint shards of the same batches). Every shard must be non-empty: a global batch
    smaller than ``num_replicas`` is an error naming the batch.
    """

    def __init__(self, sampler: Sampler[int], batch_size: int, drop_last: bool, num_replicas: int, rank: int,
                 agree: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        super().__init__(sampler, batch_size, drop_last)
        self.num_replicas, self.rank = _world_defaults(num_replicas, rank, "GlobalBatchShardSampler")
        self.agree = agree

    def _array_batches(self) -> Iterator[np.ndarray]:
        order = self.sampler._index_array() if isinstance(self.sampler, Sampler) else None
        if order is None:
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        order = np.ascontiguousarray(order, dtype=np.int64)
        if self.agree is not None:
            order = self.agree(order)
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        return (self._shard(order[s : s + self.batch_size], s) for s in range(0, stop, self.batch_size))

    def _shard(self, batch: np.ndarray, start: int) -> np.ndarray:
        if len(batch) < self.num_replicas:
            raise ValueError(f"GlobalBatchShardSampler: the global batch at position {start} has {len(batch)} sample(s), "
                             f"fewer than the {self.num_replicas} ranks, so some rank would get none; choose a batch size "
                             "that leaves a last batch of at least one sample per rank, or drop_last=True")
        return batch[self.rank :: self.num_replicas]

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self._array_batches():
            yield batch.tolist()

    def global_batch_sizes(self, n: int) -> list[int]:
        """The global batch sizes of one epoch over ``n`` indices."""
        full, rest = divmod(n, self.batch_size)
        return [self.batch_size] * full + ([rest] if rest and not self.drop_last else [])

    def __repr__(self) -> str:
        return f"GlobalBatchShardSampler(batch_size={self.batch_size}, num_replicas={self.num_replicas}, rank={self.rank})"

