"""Convolutions against PyTorch: forward, first and second derivatives, finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from oracle import check_op

import gradstudent as gs
import gradstudent.nn.functional as F
from gradstudent import nn

TF = torch.nn.functional

# (name, input shape, weight shape, bias?, keyword arguments)
CONV2D = [
    ("plain", (2, 3, 6, 5), (4, 3, 3, 3), True, {}),
    ("pad1", (2, 3, 5, 5), (4, 3, 3, 3), True, {"padding": 1}),
    ("stride2", (2, 2, 7, 6), (3, 2, 3, 3), True, {"stride": 2, "padding": 1}),
    ("rect", (1, 2, 6, 7), (3, 2, 2, 3), False, {"stride": (2, 1), "padding": (1, 0)}),
    ("dilation", (1, 2, 7, 7), (2, 2, 3, 3), True, {"dilation": 2, "padding": 2}),
    ("groups", (2, 4, 5, 5), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ("depthwise", (1, 3, 5, 4), (3, 1, 3, 3), False, {"groups": 3}),
    ("same_odd", (1, 2, 5, 6), (3, 2, 3, 3), True, {"padding": "same"}),
    ("same_even", (1, 2, 5, 6), (3, 2, 2, 4), True, {"padding": "same", "dilation": (1, 2)}),
    ("valid", (1, 2, 5, 6), (3, 2, 3, 3), True, {"padding": "valid"}),
    ("1x1", (2, 3, 4, 4), (5, 3, 1, 1), True, {"stride": 2}),
    # >= 8 input channels at stride 1: the shifted-GEMM kernel
    ("shifted", (2, 8, 4, 5), (3, 8, 3, 3), True, {"padding": 1}),
    ("shifted_dil_same", (1, 8, 5, 4), (2, 8, 2, 3), False, {"padding": "same", "dilation": (2, 1)}),
    ("shifted_valid_1x1", (2, 9, 3, 3), (4, 9, 1, 1), True, {}),
]


@pytest.mark.parametrize("name,xs,ws,bias,kw", CONV2D, ids=[c[0] for c in CONV2D])
def test_conv2d_matches_torch(name, xs, ws, bias, kw) -> None:
    inputs = [xs, ws] + ([(ws[0],)] if bias else [])
    seen = check_op(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), inputs)
    assert {"conv2d", "conv_transpose2d", "conv2d_weight"} <= seen


def test_conv2d_unbatched_and_float32() -> None:
    check_op(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1), [(2, 5, 5), (3, 2, 3, 3)], gradgradcheck=False)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 8, 8), dtype=np.float32), rng.standard_normal((4, 3, 3, 3), dtype=np.float32)
    y = F.conv2d(gs.tensor(x), gs.tensor(w), padding=1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y._data, TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy(), atol=1e-5)


CONV1D = [
    ("plain", (2, 3, 9), (4, 3, 3), True, {}),
    ("stride_pad_dil", (2, 2, 11), (3, 2, 3), True, {"stride": 2, "padding": 2, "dilation": 2}),
    ("same", (1, 2, 8), (2, 2, 4), False, {"padding": "same"}),
    ("groups", (1, 4, 7), (4, 2, 3), True, {"groups": 2}),
]


@pytest.mark.parametrize("name,xs,ws,bias,kw", CONV1D, ids=[c[0] for c in CONV1D])
def test_conv1d_matches_torch(name, xs, ws, bias, kw) -> None:
    inputs = [xs, ws] + ([(ws[0],)] if bias else [])
    check_op(lambda *a: F.conv1d(*a, **kw), lambda *a: TF.conv1d(*a, **kw), inputs)


CONVT = [
    ("plain", (2, 3, 4, 4), (3, 2, 3, 3), True, {}),
    ("stride2", (1, 2, 3, 4), (2, 3, 3, 3), True, {"stride": 2, "padding": 1, "output_padding": 1}),
    ("rect_dil", (1, 2, 3, 3), (2, 2, 2, 3), False, {"stride": (2, 1), "padding": (0, 1), "dilation": (1, 2)}),
    ("groups", (1, 4, 3, 3), (4, 1, 3, 3), True, {"groups": 2, "stride": 2}),
    ("k4s2", (1, 2, 3, 3), (2, 2, 4, 4), True, {"stride": 2, "padding": 1}),
    ("s1_dil_outpad", (1, 2, 4, 3), (2, 3, 3, 2), True, {"dilation": 2, "output_padding": 1, "padding": (1, 0)}),
    ("s1_bigpad", (1, 2, 6, 6), (2, 3, 3, 3), False, {"padding": 3}),
    ("s1_shifted", (1, 8, 3, 4), (8, 2, 3, 3), True, {"padding": 1}),
]


@pytest.mark.parametrize("name,xs,ws,bias,kw", CONVT, ids=[c[0] for c in CONVT])
def test_conv_transpose2d_matches_torch(name, xs, ws, bias, kw) -> None:
    inputs = [xs, ws] + ([(ws[1] * kw.get("groups", 1),)] if bias else [])
    seen = check_op(lambda *a: F.conv_transpose2d(*a, **kw), lambda *a: TF.conv_transpose2d(*a, **kw), inputs)
    assert "conv_transpose2d" in seen


def test_conv_transpose1d_matches_torch() -> None:
    kw = {"stride": 3, "padding": 1, "output_padding": 2}
    check_op(lambda *a: F.conv_transpose1d(*a, **kw), lambda *a: TF.conv_transpose1d(*a, **kw), [(2, 2, 5), (2, 3, 4), (3,)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_accumulate_adds_into_a_slice(dtype) -> None:
    from gradstudent.ops.conv_kernels import gemm_accumulate

    rng = np.random.default_rng(0)
    big = rng.standard_normal((20, 5)).astype(dtype)
    a, b = rng.standard_normal((7, 3)).astype(dtype), rng.standard_normal((3, 5)).astype(dtype)
    expect = big.copy()
    expect[4:11] += a @ b
    gemm_accumulate(big[4:11], a, b)  # a slice of rows: contiguous, written in place
    np.testing.assert_allclose(big, expect, rtol=1e-5)


def test_both_kernels_agree_on_float32_layers() -> None:
    """A ResNet-sized layer through the shifted-GEMM kernel and through im2col (groups=1 vs a split)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 16, 10, 9), dtype=np.float32)
    w = rng.standard_normal((16, 16, 3, 3), dtype=np.float32)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gx, gw = gs.tensor(x, requires_grad=True), gs.tensor(w, requires_grad=True)
    ty, gy = TF.conv2d(tx, tw, padding=1), F.conv2d(gx, gw, padding=1)
    np.testing.assert_allclose(gy._data, ty.detach().numpy(), atol=1e-4)
    ty.square().sum().backward(), gy.square().sum().backward()
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gw.grad._data, tw.grad.numpy(), rtol=1e-4, atol=1e-2)


def test_gradient_penalty_through_a_cnn_matches_torch() -> None:
    """d/dW of ||d out / d x||^2 for conv-tanh-conv: needs the second derivative of every conv op."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in [(2, 2, 6, 6), (3, 2, 3, 3), (3,), (3, 2, 3, 3)]]

    def penalty(lib, fn, x, w1, b1, w2):
        h = fn.conv2d(x, w1, b1, stride=2, padding=1).tanh()
        out = fn.conv_transpose2d(h, w2, stride=2, padding=1, output_padding=1).sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True) if lib is torch else lib.autograd.grad([out], [x], create_graph=True)
        return (gx * gx).sum()

    g_in = [gs.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    penalty(gs, F, *g_in).backward()
    penalty(torch, TF, *t_in).backward()
    for g, t in zip(g_in, t_in):
        np.testing.assert_allclose(g.grad._data, t.grad.numpy(), atol=1e-10)


def test_conv_errors_are_clear() -> None:
    x, w = gs.zeros(8, 3, 32, 32), gs.zeros(16, 4, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: input has 3 channels .* weight expects 4"):
        F.conv2d(x, w)
    with pytest.raises(ValueError, match="smaller than the"):
        F.conv2d(gs.zeros(1, 4, 2, 2), w)
    with pytest.raises(TypeError, match="same dtype"):
        F.conv2d(gs.zeros(1, 4, 5, 5, dtype=gs.float64), w)
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        F.conv2d(gs.zeros(1, 4, 5, 5), w, stride=2, padding="same")
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(gs.zeros(1, 16, 4, 4), w, stride=1, output_padding=1)


def test_conv_modules_load_torch_state_dicts() -> None:
    torch.manual_seed(0)
    pairs = [
        (nn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3), torch.nn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3), (2, 3, 9, 9)),
        (nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"), torch.nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"), (2, 2, 6, 6)),
        (nn.Conv2d(2, 4, 3, padding="same", padding_mode="circular", bias=False), torch.nn.Conv2d(2, 4, 3, padding="same", padding_mode="circular", bias=False), (2, 2, 6, 6)),
        (nn.Conv1d(2, 4, 5, padding=2, padding_mode="replicate"), torch.nn.Conv1d(2, 4, 5, padding=2, padding_mode="replicate"), (3, 2, 10)),
        (nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), torch.nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), (2, 4, 5, 5)),
        (nn.ConvTranspose1d(4, 2, 3, stride=2), torch.nn.ConvTranspose1d(4, 2, 3, stride=2), (2, 4, 5)),
    ]
    for ours, theirs, shape in pairs:
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)


def test_conv_transpose_output_size_argument() -> None:
    m, tm = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 3, 4, 4)).astype(np.float32)
    y = m(gs.tensor(x), output_size=(8, 8))
    assert y.shape == (1, 2, 8, 8)
    np.testing.assert_allclose(y._data, tm(torch.tensor(x), output_size=(8, 8)).detach().numpy(), atol=1e-5)


def test_conv_default_init_matches_torch_bounds() -> None:
    gs.manual_seed(0)
    m = nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w, b = m.weight._data, m.bias._data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert "Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1))" == repr(m)
    t = nn.ConvTranspose2d(8, 4, 3, groups=2)
    assert t.weight.shape == (8, 2, 3, 3)
    assert np.abs(t.weight._data).max() <= 1 / math.sqrt(2 * 9)


def test_conv_without_grad_keeps_no_columns() -> None:
    w = nn.Parameter(gs.randn(4, 3, 3, 3))
    x = gs.randn(2, 3, 6, 6)
    with gs.no_grad():
        y = F.conv2d(x, w)
    assert y._ctx is None
    w.requires_grad_(False)
    y = F.conv2d(x.requires_grad_(), w)
    assert y._ctx.cols is None  # only the weight gradient needs the column matrix
