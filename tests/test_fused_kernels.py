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
    np.testing.assert_allclose(y._data, yt.detach().numpy(), rtol=1e-5, atol=5e-6)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gs.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_gelu_tanh_non_contiguous_input() -> None:
    rng = np.random.default_rng(1)
    x, xt = _pair(rng, (300, 400))
    y = F.gelu(x.T, approximate="tanh")
    yt = torch.nn.functional.gelu(xt.T, approximate="tanh")
    np.testing.assert_allclose(y._data, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bce_with_logits_large_inputs(reduction) -> None:
    """Logits of +-1e4 neither overflow nor lose the loss; the fused reduction matches torch."""
    rng = np.random.default_rng(2)
    x, xt = _pair(rng, (64, 100), scale=3.0)
    x._data[0, :4] = xt.data[0, :4] = torch.tensor([1e4, -1e4, 88.0, -88.0])
    y_np = rng.random((64, 100)).astype(np.float32)
    loss = F.binary_cross_entropy_with_logits(x, gs.tensor(y_np), reduction=reduction)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(xt, torch.tensor(y_np), reduction=reduction)
    assert np.isfinite(loss._data).all() and loss.dtype == np.float32
    np.testing.assert_allclose(loss._data, ref.detach().numpy(), rtol=1e-5, atol=1e-4)
    g = np.ones(loss.shape, np.float32)
    loss.backward(gs.tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_layer_norm_large_rows_match_torch() -> None:
    rng = np.random.default_rng(3)
    x, xt = _pair(rng, (4, 300, 128), scale=50.0)
    x._data += 1e3  # a large mean: the two-pass variance stays accurate
    with torch.no_grad():
        xt += 1e3
    w, wt = _pair(rng, (128,))
    b, bt = _pair(rng, (128,))
    y = F.layer_norm(x, (128,), w, b)
    yt = torch.nn.functional.layer_norm(xt, (128,), wt, bt)
    np.testing.assert_allclose(y._data, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gs.tensor(g))
    yt.backward(torch.tensor(g))
    for a, t in ((x, xt), (w, wt), (b, bt)):
        assert a.grad.dtype == np.float32
        np.testing.assert_allclose(a.grad._data, t.grad.numpy(), rtol=1e-3, atol=1e-3)


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
        np.testing.assert_allclose(p._data, r._data, rtol=1e-12)


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


# ---------------------------------------------------------------- fast path == reference, every op
# One entry per registered op with an array-level ``backward_arrays``: (inputs, options) builders at
# sizes above the cache block (backend.BLOCK elements), so the blocked loops run several blocks.
# A new op with a fast path must add its entry here (test_every_fast_path_has_a_case).
def _fast_cases() -> dict[str, list]:
    B = backend.BLOCK

    def lin(r, dt):
        return [r((300, 256), dt), r((260, 256), dt), r((260,), dt)], {}

    def gelu(approx):
        return lambda r, dt: ([r((B // 100 + 3, 211), dt, 3.0)], {"approximate": approx})

    def bce(reduction):
        return lambda r, dt: ([r((400, 200), dt, 3.0), r((400, 200), dt, 0.5)], {"reduction": reduction})

    def layer_norm(r, dt):
        return [r((4, 170, 128), dt, 5.0), r((128,), dt), r((128,), dt)], {"ndim": 1, "eps": 1e-5, "has_weight": True}

    def batch_norm(r, dt):
        return [r((32, 16, 12, 12), dt, 2.0), r((16,), dt), r((16,), dt)], {"eps": 1e-5, "has_weight": True, "has_bias": True}

    def attn(causal, dropout):
        def make(r, dt):
            L = 96
            mask = np.triu(np.full((L, L), -np.inf, dt), 1) if causal else None
            drop = (np.random.default_rng(5).random((4, 2, L, L)) > 0.2).astype(dt) / dt(0.8) if dropout else None
            return [r((4, 2, L, 72), dt), r((4, 2, L, 72), dt), r((4, 2, L, 72), dt)], {"mask": mask, "scale": 0.3, "drop": drop}
        return make

    def packed(r, dt):
        L = 96
        mask = np.triu(np.full((L, L), -np.inf, dt), 1)
        return [r((4, L, 3 * 192), dt)], {"mask": mask, "scale": 0.25, "heads": 4}

    def rec(gates, cell=False, reverse=False, **opts):
        def make(r, dt):
            T, Bt, H = (18 if gates == 1 else 6), 40, 96
            ins = [r((T, Bt, gates * H), dt), r((Bt, H), dt)] + ([r((Bt, H), dt)] if cell else [])
            ins += [r((gates * H, H), dt, 0.2), r((gates * H,), dt)]
            return ins, {"reverse": reverse, "has_bias": True, **opts}
        return make

    def pair(shape_x, shape_y):  # elementwise binary ops, with broadcasting (the engine unbroadcasts)
        def make(r, dt):
            return [r(shape_x, dt), r(shape_y, dt)], {}
        return make

    def positive(shape):  # a denominator kept away from 0
        def make(r, dt):
            t = r(shape, dt)
            return [gs.tensor(np.abs(t._data) + dt(0.5), requires_grad=True)], {}
        return make

    def one(r, dt):
        return [r((B // 64 + 3, 64), dt, 2.0)], {}

    def div(r, dt):
        return [r((B // 64 + 3, 64), dt)] + positive((64,))(r, dt)[0], {}

    return {
        "add": [pair((B // 64 + 3, 64), (64,)), pair((7, 1), (1, 5))],
        "sub": [pair((B // 64 + 3, 64), (64,))],
        "mul": [pair((B // 64 + 3, 64), (B // 64 + 3, 64)), pair((3, 1, 4), (5, 1))],
        "div": [div],
        "neg": [one],
        "exp": [one],
        "tanh": [one],
        "sigmoid": [one],
        "relu": [one],
        "linear": [lin],
        "gelu": [gelu("tanh"), gelu("none")],
        "bce_with_logits": [bce("none"), bce("mean")],
        "layer_norm": [layer_norm],
        "batch_norm": [batch_norm],
        "attention": [attn(False, False), attn(True, True)],
        "packed_self_attention": [packed],
        "rnn_sequence": [rec(1, nonlinearity="tanh"), rec(1, nonlinearity="relu", reverse=True)],
        "gru_sequence": [rec(3), rec(3, reverse=True)],
        "lstm_sequence": [rec(4, cell=True), rec(4, cell=True, reverse=True)],
    }


FAST_CASES = _fast_cases()


def test_every_fast_path_has_a_case() -> None:
    with_fast_path = {name for name, cls in gs.autograd.OPS.items() if cls.has_fast_backward}
    assert with_fast_path == set(FAST_CASES), (
        f"ops with backward_arrays but no FAST_CASES entry: {sorted(with_fast_path - set(FAST_CASES))}"
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op,variant", [(op, i) for op, makers in FAST_CASES.items() for i in range(len(makers))])
def test_fast_path_equals_reference(op, variant, dtype) -> None:
    """The engine's two ways through an op agree: ``backward_arrays`` (create_graph=False) and the
    differentiable reference ``backward`` (create_graph=True); a fused forward equals its ``reference``."""
    rng = np.random.default_rng(7)

    def r(shape, dt, scale=1.0):
        return gs.tensor((rng.standard_normal(shape) * scale).astype(dt), requires_grad=True)

    cls = gs.autograd.OPS[op]
    inputs, opts = FAST_CASES[op][variant](r, dtype)
    out = cls.apply(*inputs, **opts)
    assert out.dtype == dtype
    tol = {"rtol": 2e-4, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    if cls.reference is not None:
        with gs.no_grad():
            ref_out = cls.reference(*inputs, **opts)
        scale = float(np.abs(ref_out._data).max()) or 1.0  # relative to the largest value (float32 sums)
        np.testing.assert_allclose(out._data / scale, ref_out._data / scale, rtol=tol["rtol"], atol=tol["rtol"],
                                   err_msg=f"{op}: forward != reference")
    g = gs.tensor(rng.standard_normal(out.shape).astype(dtype))
    fast = gs.autograd.grad(out, inputs, g, retain_graph=True)
    reference = gs.autograd.grad(out, inputs, g, create_graph=True)
    for i, (a, b) in enumerate(zip(fast, reference)):
        assert a.dtype == b.dtype == dtype
        scale = float(np.abs(b._data).max()) or 1.0  # sums over many terms: compare relative to the largest
        np.testing.assert_allclose(a._data / scale, b._data / scale, rtol=tol["rtol"], atol=tol["rtol"],
                                   err_msg=f"{op}: gradient of input {i}, fast path != reference")
