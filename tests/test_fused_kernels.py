"""Fast paths of fused ops on inputs large enough to take them: cache-blocked loops (more than
``backend.BLOCK`` elements), matrix-vector row sums, reductions fused into a loss. Each is
compared with PyTorch in float32, and with its own float64 result."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import backend
from gradstudent.nn import functional as F


def _pair(rng, shape, scale=1.0, dtype=np.float32):
    a = (rng.standard_normal(shape) * scale).astype(dtype)
    return gs.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("approximate", ["tanh", "none"])
def test_gelu_large_matches_torch(approximate) -> None:
    rng = np.random.default_rng(0)
    n = backend.BLOCK * 2 + 77  # several blocks and a ragged tail
    x, xt = _pair(rng, (n // 7, 7), scale=3.0)
    y = F.gelu(x, approximate=approximate)
    yt = torch.nn.functional.gelu(xt, approximate=approximate)
    assert y.dtype == np.float32
    # atol: torch's vectorized float32 erf is itself off by ~1e-6 in the far tail (ours uses SciPy's)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-5, atol=5e-6)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gs.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_gelu_tanh_non_contiguous_input() -> None:
    rng = np.random.default_rng(1)
    x, xt = _pair(rng, (300, 400))
    y = F.gelu(x.T, approximate="tanh")
    yt = torch.nn.functional.gelu(xt.T, approximate="tanh")
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bce_with_logits_large_inputs(reduction) -> None:
    """Logits of +-1e4 neither overflow nor lose the loss; the fused reduction matches torch."""
    rng = np.random.default_rng(2)
    x, xt = _pair(rng, (64, 100), scale=3.0)
    x.data[0, :4] = xt.data[0, :4] = torch.tensor([1e4, -1e4, 88.0, -88.0])
    y_np = rng.random((64, 100)).astype(np.float32)
    loss = F.binary_cross_entropy_with_logits(x, gs.tensor(y_np), reduction=reduction)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(xt, torch.tensor(y_np), reduction=reduction)
    assert np.isfinite(loss.data).all() and loss.dtype == np.float32
    np.testing.assert_allclose(loss.data, ref.detach().numpy(), rtol=1e-5, atol=1e-4)
    g = np.ones(loss.shape, np.float32)
    loss.backward(gs.tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_layer_norm_large_rows_match_torch() -> None:
    rng = np.random.default_rng(3)
    x, xt = _pair(rng, (4, 300, 128), scale=50.0)
    x.data += 1e3  # a large mean: the two-pass variance stays accurate
    with torch.no_grad():
        xt += 1e3
    w, wt = _pair(rng, (128,))
    b, bt = _pair(rng, (128,))
    y = F.layer_norm(x, (128,), w, b)
    yt = torch.nn.functional.layer_norm(xt, (128,), wt, bt)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gs.tensor(g))
    yt.backward(torch.tensor(g))
    for a, t in ((x, xt), (w, wt), (b, bt)):
        assert a.grad.dtype == np.float32
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-3, atol=1e-3)


def test_linear_plain_backward_equals_recorded_backward() -> None:
    """Linear's array fast path (plain backward) and its Tensor path (create_graph) agree."""
    rng = np.random.default_rng(4)
    x = gs.tensor(rng.standard_normal((7, 5)), requires_grad=True)
    w = gs.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    b = gs.tensor(rng.standard_normal(3), requires_grad=True)
    g = gs.tensor(rng.standard_normal((7, 3)))
    plain = gs.autograd.grad(F.linear(x, w, b), [x, w, b], g)
    recorded = gs.autograd.grad(F.linear(x, w, b), [x, w, b], g, create_graph=True)
    for p, r in zip(plain, recorded):
        np.testing.assert_allclose(p.data, r.data, rtol=1e-12)


def test_normal_cdf_float32_tails_and_specials() -> None:
    """The exact GELU's Phi(x): float32 relative error ~1e-7 in both tails (no 1 + erf cancellation)."""
    import scipy.special as sp

    from gradstudent.ops.nn_ops import _normal_cdf

    x = np.concatenate([np.linspace(-12, 12, 100_001), [-1e-6, 0.0, 1e-6]]).astype(np.float32)
    ref = sp.ndtr(x.astype(np.float64))
    got = _normal_cdf(x)
    assert got.dtype == np.float32
    # relative tolerances, so the left tail counts; far out, float32 rounding of the exponent
    # (z^2 ~ 70) limits any float32 evaluation to ~1e-5
    np.testing.assert_allclose(got, ref, rtol=3e-5, atol=0)
    near = np.abs(x) <= 4
    np.testing.assert_allclose(got[near], ref[near], rtol=2e-6, atol=0)
    specials = _normal_cdf(np.array([np.nan, np.inf, -np.inf, -40.0], np.float32))
    assert np.isnan(specials[0]) and specials[1] == 1.0 and specials[2] == 0.0 and specials[3] == 0.0
    np.testing.assert_allclose(_normal_cdf(x.astype(np.float64)), ref, rtol=1e-14, atol=0)
