"""Samplers and DataLoader arguments as PyTorch (issue 12), bad values refused (issue 11)."""

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn, optim
from gradstudent.experiments.common import evaluate, train_epoch
from gradstudent.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data


def _ds(n=10):
    return TensorDataset(gs.arange(n), gs.arange(n) * 10)


def _raises_like_torch(make_gs, make_torch):
    with pytest.raises(Exception) as t_err:
        make_torch()
    with pytest.raises(type(t_err.value)):
        make_gs()


@pytest.mark.parametrize("n, bs, drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (0, 2, False)])
def test_batch_sampler_matches_torch(n, bs, drop):
    ours = list(BatchSampler(SequentialSampler(range(n)), bs, drop))
    theirs = list(tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop))
    assert ours == theirs and len(BatchSampler(range(n), bs, drop)) == len(theirs)


def test_random_samplers_semantics_and_lengths():
    g = gs.Generator().manual_seed(0)
    assert sorted(RandomSampler(range(7), generator=g)) == list(range(7))
    s = RandomSampler(range(3), num_samples=8, generator=g)  # repeated permutations, as torch
    drawn = list(s)
    assert len(s) == len(drawn) == 8 and sorted(drawn[:6]) == [0, 0, 1, 1, 2, 2]
    r = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(r) == 50 and set(r) <= {0, 1, 2}
    assert sorted(SubsetRandomSampler([5, 2, 9], generator=g)) == [2, 5, 9]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 100, generator=g))
    assert len(w) == 100 and set(w) <= {1, 3} and w.count(3) > w.count(1)
    assert sorted(WeightedRandomSampler([1, 1, 0, 1], 3, replacement=False, generator=g)) == [0, 1, 3]
    assert list(RandomSampler(range(5), generator=gs.Generator().manual_seed(3))) == \
        list(RandomSampler(range(5), generator=gs.Generator().manual_seed(3)))  # seeded: same stream


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: RandomSampler(range(3), replacement=1), lambda: tud.RandomSampler(range(3), replacement=1)),
        (lambda: RandomSampler(range(3), num_samples=0), lambda: tud.RandomSampler(range(3), num_samples=0)),
        (lambda: RandomSampler(range(3), num_samples=2.5), lambda: tud.RandomSampler(range(3), num_samples=2.5)),
        (lambda: WeightedRandomSampler([[1.0]], 2), lambda: tud.WeightedRandomSampler([[1.0]], 2)),
        (lambda: WeightedRandomSampler([1.0], -1), lambda: tud.WeightedRandomSampler([1.0], -1)),
        (lambda: WeightedRandomSampler([1.0], 1, replacement="no"), lambda: tud.WeightedRandomSampler([1.0], 1, replacement="no")),
        (lambda: BatchSampler(range(3), 0, False), lambda: tud.BatchSampler(range(3), 0, False)),
        (lambda: BatchSampler(range(3), 2.5, False), lambda: tud.BatchSampler(range(3), 2.5, False)),
        (lambda: BatchSampler(range(3), 2, None), lambda: tud.BatchSampler(range(3), 2, None)),
    ],
)
def test_sampler_errors_match_torch(ours, theirs):
    _raises_like_torch(ours, theirs)


def test_weighted_without_replacement_never_draws_zero_weights():
    # deliberate difference: torch.multinomial then returns zero-weight indices ([0, 1] here); we refuse
    with pytest.raises(RuntimeError, match="non-zero weight"):
        list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
    with pytest.raises(RuntimeError, match="non-negative"):
        list(WeightedRandomSampler([1.0, -1.0], 2))


def test_dataloader_sampler_and_batch_sampler_are_used():
    ds = _ds(6)
    tds = tud.TensorDataset(torch.arange(6), torch.arange(6) * 10)
    order = [5, 0, 3]
    ours = [b[0].tolist() for b in DataLoader(ds, batch_size=2, sampler=order)]
    theirs = [b[0].tolist() for b in tud.DataLoader(tds, batch_size=2, sampler=order)]
    assert ours == theirs == [[5, 0], [3]]
    bs = [[1, 2], [0], [5, 4, 3]]
    assert [b[0].tolist() for b in DataLoader(ds, batch_sampler=bs)] == [b[0].tolist() for b in tud.DataLoader(tds, batch_sampler=bs)]
    assert len(DataLoader(ds, batch_sampler=bs)) == 3
    assert [x.tolist() for x, _ in DataLoader(ds, batch_size=None, sampler=[2, 1])] == [2, 1]
    shuffled = DataLoader(ds, batch_size=4, shuffle=True, generator=gs.Generator().manual_seed(1))
    assert sorted(sum((b[0].tolist() for b in shuffled), [])) == list(range(6)) and len(shuffled) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(batch_size=2, shuffle=True, sampler=[0, 1]),
        dict(batch_sampler=[[0]], batch_size=2),
        dict(batch_sampler=[[0]], shuffle=True),
        dict(batch_sampler=[[0]], sampler=[0]),
        dict(batch_sampler=[[0]], drop_last=True),
        dict(batch_size=None, drop_last=True),
        dict(batch_size=2.5),
        dict(batch_size=0),
        dict(batch_size=-1),
        dict(num_workers=-1),
        dict(prefetch_factor=2),
        dict(persistent_workers=True),
        dict(timeout=-1),
        dict(shufle=True),
    ],
)
def test_dataloader_bad_arguments_fail_like_torch(kwargs):
    tds = tud.TensorDataset(torch.arange(6))
    _raises_like_torch(lambda: DataLoader(_ds(6), **kwargs), lambda: tud.DataLoader(tds, **kwargs))


def test_unknown_keyword_suggests_the_right_one():
    with pytest.raises(TypeError, match="'shufle'. Did you mean 'shuffle'"):
        DataLoader(_ds(), batch_size=4, shufle=True)


def test_mean_loss_of_an_empty_loader_is_an_error():
    model = nn.Linear(1, 2)
    ds = TensorDataset(gs.zeros(3, 1), gs.zeros(3, dtype=gs.int64))
    loader = DataLoader(ds, batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match="no samples"):
        train_epoch(None, model, loader, optim.SGD(model.parameters(), lr=0.1), nn.functional.cross_entropy)


def test_evaluate_restores_train_mode_when_forward_raises():
    model = nn.Sequential(nn.Linear(3, 2))
    model.train()
    with pytest.raises(ValueError):
        evaluate(model, np.zeros((4, 5), np.float32), np.zeros(4, np.int64))
    assert model.training and all(m.training for m in model.modules())
