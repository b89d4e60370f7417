"""Batch norm and group norm against PyTorch, including running statistics and second derivatives."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import check_op

import gradstudent as gs
import gradstudent.nn.functional as F
from gradstudent import nn

TF = torch.nn.functional


@pytest.mark.parametrize("shape", [(4, 3, 5, 4), (6, 3), (4, 3, 7)])
def test_batch_norm_training_matches_torch(shape) -> None:
    c = shape[1]
    seen = check_op(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [shape, (c,), (c,)], atol=1e-8,
    )
    assert "batch_norm" in seen
    check_op(lambda x: F.batch_norm(x, None, None, training=True, eps=1e-3),
             lambda x: TF.batch_norm(x, None, None, training=True, eps=1e-3), [shape], atol=1e-8)


def test_batch_norm_eval_matches_torch() -> None:
    rm, rv = np.array([0.5, -1.0, 0.0]), np.array([2.0, 0.5, 1.0])
    check_op(
        lambda x, w, b: F.batch_norm(x, gs.tensor(rm), gs.tensor(rv), w, b, training=False),
        lambda x, w, b: TF.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b, training=False),
        [(2, 3, 4, 4), (3,), (3,)],
    )


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm2d_running_stats_follow_torch(momentum) -> None:
    ours, theirs = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = (rng.standard_normal((4, 3, 5, 5)) * 2 + 1).astype(np.float32)
        np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k]._data, v.numpy(), rtol=1e-5, err_msg=k)
    assert ours.num_batches_tracked.dtype == np.int64 and int(ours.num_batches_tracked) == 3
    ours.eval(), theirs.eval()
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)


def test_batchnorm_variants_follow_torch() -> None:
    rng = np.random.default_rng(1)
    pairs = [
        (nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), (8, 4)),
        (nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False), (8, 4, 3)),
        (nn.BatchNorm2d(3, track_running_stats=False), torch.nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    ]
    for ours, theirs, shape in pairs:
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for mode in ("train", "eval"):
            getattr(ours, mode)(), getattr(theirs, mode)()
            x = rng.standard_normal(shape).astype(np.float32)
            xt, xg = torch.tensor(x, requires_grad=True), gs.tensor(x, requires_grad=True)
            yt, yg = theirs(xt), ours(xg)
            np.testing.assert_allclose(yg._data, yt.detach().numpy(), atol=1e-5)
            (yt * yt).sum().backward(), (yg * yg).sum().backward()
            np.testing.assert_allclose(xg.grad._data, xt.grad.numpy(), atol=1e-4)
    # state_dicts move between the frameworks, and a loaded BN predicts the same in eval mode
    t = torch.nn.BatchNorm2d(3)
    t(torch.randn(8, 3, 4, 4) * 3)
    g = nn.BatchNorm2d(3)
    g.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    t.eval(), g.eval()
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(g(gs.tensor(x))._data, t(torch.tensor(x)).detach().numpy(), atol=1e-5)


def test_batch_norm_errors() -> None:
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(gs.randn(1, 3))
    with pytest.raises(ValueError, match="expected a 4-D input"):
        nn.BatchNorm2d(3)(gs.randn(4, 3))
    with pytest.raises(ValueError, match="expected 3 channels"):
        nn.BatchNorm2d(3)(gs.randn(4, 2, 2, 2))


def test_group_norm_matches_torch() -> None:
    check_op(lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b), [(2, 4, 3, 3), (4,), (4,)], atol=1e-8)
    ours, theirs = nn.GroupNorm(2, 6), torch.nn.GroupNorm(2, 6)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((1, 6, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)
