"""Pooling, unfold/fold and padding against PyTorch (values, gradients, second derivatives)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import check_op

import gradstudent as gs
import gradstudent.nn.functional as F
from gradstudent import nn

TF = torch.nn.functional

MAXPOOL = [
    ("2x2", (2, 3, 6, 6), {"kernel_size": 2}),
    ("3s2p1", (2, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("ceil", (1, 2, 7, 5), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ("ceil_pad", (1, 2, 8, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("dilation", (1, 2, 8, 7), {"kernel_size": (2, 3), "stride": (1, 2), "padding": 1, "dilation": 2}),
    ("overlap", (1, 2, 5, 5), {"kernel_size": 3, "stride": 1}),
]


@pytest.mark.parametrize("name,shape,kw", MAXPOOL, ids=[c[0] for c in MAXPOOL])
def test_max_pool2d_matches_torch(name, shape, kw) -> None:
    seen = check_op(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), [shape])
    assert {"max_pool2d", "max_pool2d_scatter"} <= seen  # (the gather appears in second derivatives)


def test_max_pool2d_ties_follow_torch() -> None:
    """After a ReLU whole windows are 0: the gradient goes to the first maximum only, as in torch."""
    x = np.maximum(np.random.default_rng(0).standard_normal((2, 3, 8, 8)), 0)
    x[0, 0, :2, :2] = 1.5  # an exact 4-way tie of a positive value
    for kw in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}]:
        check_op(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), [x], gradcheck=False, gradgradcheck=False)


def test_max_pool1d_and_return_indices() -> None:
    check_op(lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1), [(2, 3, 9)])
    kw = {"kernel_size": 3, "stride": 2, "padding": 1, "return_indices": True}
    assert "max_pool2d_gather" in check_op(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), [(2, 2, 7, 8)])
    check_op(lambda x: F.max_pool1d(x, 2, return_indices=True), lambda x: TF.max_pool1d(x, 2, return_indices=True), [(1, 2, 8)])
    m = nn.MaxPool2d(2, return_indices=True)
    y, idx = m(gs.randn(1, 1, 4, 4))
    assert idx.dtype == np.int64 and y.shape == idx.shape == (1, 1, 2, 2)


def test_max_unpool2d_matches_torch() -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 6, 6))
    _, t_idx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    y = np.random.default_rng(4).standard_normal((2, 3, 3, 3))
    check_op(lambda y, i: F.max_unpool2d(y, i, 2), lambda y, i: TF.max_unpool2d(y, i, 2), [y, t_idx.numpy()])
    # pool -> unpool round trip through the modules
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    out, idx = pool(gs.tensor(x))
    np.testing.assert_allclose(unpool(out, idx)._data, TF.max_unpool2d(*TF.max_pool2d(torch.tensor(x), 2, return_indices=True), 2).numpy())


AVGPOOL = [
    ("2x2", (2, 3, 6, 6), {"kernel_size": 2}),
    ("3s2p1", (2, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("no_pad_count", (1, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ("ceil", (1, 2, 8, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}),
    ("ceil_count", (1, 2, 8, 7), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ("divisor", (1, 2, 6, 6), {"kernel_size": (2, 3), "stride": 1, "divisor_override": 4}),
]


@pytest.mark.parametrize("name,shape,kw", AVGPOOL, ids=[c[0] for c in AVGPOOL])
def test_avg_pool2d_matches_torch(name, shape, kw) -> None:
    seen = check_op(lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw), [shape])
    assert {"avg_pool2d", "avg_pool2d_spread"} <= seen


def test_avg_pool1d_matches_torch() -> None:
    check_op(lambda x: F.avg_pool1d(x, 3, 2, 1), lambda x: TF.avg_pool1d(x, 3, 2, 1), [(2, 3, 9)])


@pytest.mark.parametrize("shape,size", [((2, 3, 6, 6), 1), ((2, 3, 6, 6), (3, 2)), ((1, 2, 7, 5), (3, 4)), ((1, 2, 7, 5), (None, 2))])
def test_adaptive_avg_pool2d_matches_torch(shape, size) -> None:
    check_op(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size), [shape])


def test_adaptive_avg_pool1d_matches_torch() -> None:
    check_op(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), [(2, 3, 7)])


def test_unfold_fold_match_torch() -> None:
    kw = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}
    seen = check_op(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), [(2, 3, 6, 7)])
    assert {"unfold", "fold"} <= seen
    kw = {"output_size": (5, 6), "kernel_size": 3, "padding": 1, "stride": 2}
    check_op(lambda x: F.fold(x, **kw), lambda x: TF.fold(x, **kw), [(2, 18, 9)])
    x = gs.randn(1, 2, 5, 5)
    np.testing.assert_allclose(nn.Fold((5, 5), 2)(nn.Unfold(2)(x))._data[0, :, 1:-1, 1:-1], 4 * x._data[0, :, 1:-1, 1:-1], rtol=1e-6)


def test_pool_modules_and_errors() -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    for ours, theirs in [
        (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)), (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (nn.AdaptiveAvgPool2d((3, 3)), torch.nn.AdaptiveAvgPool2d((3, 3))),
    ]:
        np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).numpy(), atol=1e-6)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(gs.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match="too small"):
        F.max_pool2d(gs.zeros(1, 1, 2, 2), 3)
    unbatched = F.max_pool2d(gs.tensor(x[0]), 2)
    assert unbatched.shape == (3, 4, 4)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode) -> None:
    seen = check_op(lambda x: F.pad(x, (1, 2, 2, 1), mode), lambda x: TF.pad(x, (1, 2, 2, 1), mode), [(2, 2, 4, 5)])
    assert ("constant_pad" in seen) == (mode == "constant")


def test_pad_value_and_negative() -> None:
    check_op(lambda x: F.pad(x, (-1, 2, 0, 0, 1, 1), value=2.5), lambda x: TF.pad(x, (-1, 2, 0, 0, 1, 1), value=2.5), [(2, 3, 4)])
    check_op(lambda x: F.pad(x, (2, 1), "reflect"), lambda x: TF.pad(x, (2, 1), "reflect"), [(2, 3, 4)])
    layers = [(nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1)), (nn.ReflectionPad2d((1, 0, 2, 1)), torch.nn.ReflectionPad2d((1, 0, 2, 1))),
              (nn.ReplicationPad2d(2), torch.nn.ReplicationPad2d(2)), (nn.ConstantPad2d(1, -1.0), torch.nn.ConstantPad2d(1, -1.0))]
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    for ours, theirs in layers:
        np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).numpy())
    with pytest.raises(ValueError, match="reflect padding"):
        F.pad(gs.zeros(1, 1, 3, 3), (3, 3), "reflect")
