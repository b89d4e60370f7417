"""ConcatDataset, StackDataset and get_worker_info against torch.utils.data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import gradstudent as gs
import gradstudent.utils.data as gud


def _items(dataset) -> list:
    def plain(x):
        if isinstance(x, tuple):
            return tuple(plain(v) for v in x)
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        return x.tolist() if hasattr(x, "tolist") else x

    return [plain(dataset[i]) for i in range(len(dataset))] + [plain(dataset[-1])]


def test_concat_and_stack_match_torch() -> None:
    a, b = np.arange(6.0).reshape(3, 2), np.arange(10.0, 14.0).reshape(2, 2)
    ours = gud.ConcatDataset([gud.TensorDataset(gs.tensor(a)), gud.TensorDataset(gs.tensor(b))])
    theirs = tud.ConcatDataset([tud.TensorDataset(torch.tensor(a)), tud.TensorDataset(torch.tensor(b))])
    assert len(ours) == len(theirs) == 5 and ours.cumulative_sizes == theirs.cumulative_sizes
    assert _items(ours) == _items(theirs)
    x, y = np.arange(4.0), np.arange(4) * 2
    for args, kwargs in (((0, 1), {}), ((), {"x": 0, "y": 1})):
        pick = lambda L, data: [L.tensor(v) for v in data]  # noqa: E731
        ours_s = gud.StackDataset(*[pick(gs, (x, y))[i] for i in args], **{k: pick(gs, (x, y))[i] for k, i in kwargs.items()})
        theirs_s = tud.StackDataset(*[pick(torch, (x, y))[i] for i in args], **{k: pick(torch, (x, y))[i] for k, i in kwargs.items()})
        assert _items(ours_s) == _items(theirs_s)
    with pytest.raises(ValueError, match="Size mismatch"):
        gud.StackDataset(gs.ones(2), gs.ones(3))
    with pytest.raises(IndexError):
        ours[5]
    assert gud.get_worker_info() is None is tud.get_worker_info()


def test_concat_dataset_in_a_dataloader() -> None:
    parts = [gud.TensorDataset(gs.arange(3)), gud.TensorDataset(gs.arange(10, 12))]
    batches = [b[0].tolist() for b in gud.DataLoader(gud.ConcatDataset(parts), batch_size=2)]
    assert batches == [[0, 1], [2, 10], [11]]
