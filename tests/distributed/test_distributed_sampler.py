"""DistributedSampler against torch's, and GlobalBatchShardSampler against a single process's batches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data.distributed import DistributedSampler as TorchDistributedSampler

import gradstudent as gs
from gradstudent.distributed import DistributedSampler, GlobalBatchShardSampler
from gradstudent.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset


@given(n=st.integers(1, 40), world=st.integers(1, 6), drop_last=st.booleans())
@settings(max_examples=60, deadline=None)
def test_unshuffled_indices_match_torch(n: int, world: int, drop_last: bool) -> None:
    data = list(range(n))
    for rank in range(world):
        ours = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=False, drop_last=drop_last)
        theirs = TorchDistributedSampler(data, num_replicas=world, rank=rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) and ours.total_size == theirs.total_size


@given(n=st.integers(1, 40), world=st.integers(1, 5), seed=st.integers(0, 10), epoch=st.integers(0, 3))
@settings(max_examples=40, deadline=None)
def test_shuffled_shards_cover_one_permutation(n: int, world: int, seed: int, epoch: int) -> None:
    """The ranks' shards interleave to one permutation of range(n), padded by repeating its start (torch's layout)."""
    shards = []
    for rank in range(world):
        s = DistributedSampler(list(range(n)), num_replicas=world, rank=rank, seed=seed)
        s.set_epoch(epoch)
        shards.append(list(s))
    total = shards[0].__len__() * world
    interleaved = [shards[r][k] for k in range(len(shards[0])) for r in range(world)]
    assert len(interleaved) == total
    assert sorted(interleaved[:n]) == list(range(n))
    reps = (interleaved[:n] * (total // n + 1))[: total]
    assert interleaved == reps


def test_shuffle_depends_on_seed_and_epoch_only() -> None:
    data = list(range(50))
    a = DistributedSampler(data, num_replicas=2, rank=0, seed=3)
    gs.manual_seed(123)  # the default generator does not matter
    first = list(a)
    gs.manual_seed(7)
    assert list(a) == first
    a.set_epoch(1)
    assert list(a) != first
    assert list(DistributedSampler(data, num_replicas=2, rank=0, seed=4)) != first


def test_distributed_sampler_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(list(range(4)), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer"):
        DistributedSampler(list(range(4)), num_replicas=0, rank=0)
    with pytest.raises(RuntimeError, match="pass num_replicas and rank, or call init_process_group"):
        DistributedSampler(list(range(4)))


@pytest.mark.parametrize("n, batch, world", [(37, 8, 2), (37, 8, 3), (40, 10, 4), (13, 5, 3)])
def test_global_batch_shards_reassemble_the_single_process_batches(n: int, batch: int, world: int) -> None:
    data = list(range(n))
    gs.manual_seed(5)
    single = [list(b) for b in BatchSampler(RandomSampler(data), batch, False)._array_batches()]  # type: ignore[union-attr]
    per_rank = []
    for rank in range(world):
        gs.manual_seed(5)  # every rank's generator in the same state, as after the same seed
        per_rank.append(list(GlobalBatchShardSampler(RandomSampler(data), batch, False, world, rank)))
    assert all(len(p) == len(single) for p in per_rank)
    for step, expected in enumerate(single):
        shards = [per_rank[r][step] for r in range(world)]
        assert sorted(sum(shards, [])) == sorted(expected)
        assert shards[0] == expected[0::world]


def test_global_batch_shards_refuse_an_empty_shard() -> None:
    with pytest.raises(ValueError, match="has 1 sample\\(s\\), fewer than the 2 ranks"):
        list(GlobalBatchShardSampler(RandomSampler(list(range(9))), 4, False, 2, 1))


def test_global_batch_shards_feed_a_dataloader() -> None:
    X = gs.arange(12).reshape(6, 2).float()
    y = gs.arange(6)
    loader = DataLoader(TensorDataset(X, y), batch_sampler=GlobalBatchShardSampler(RandomSampler(list(range(6))), 4, False, 2, 1))
    sizes = [len(yb) for _, yb in loader]
    assert sizes == [2, 1]  # rank 1's halves of the global batches of 4 and 2
