"""The fused attention ops (``attention``, ``packed_self_attention``) against PyTorch, the composed
path, finite differences and second derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn
from gradstudent.autograd import gradcheck, gradgradcheck
from gradstudent.nn import functional as F
from gradstudent.ops.attention import FusedAttention, PackedSelfAttention, attention, causal_mask


def _rand(rng, *shape):
    return rng.standard_normal(shape)


def _masks(rng, L, S):
    """(gradstudent mask for sdpa, torch mask): none, causal, bool, float, broadcast (B, 1, 1, S)."""
    allowed = rng.random((L, S)) > 0.3
    allowed[:, 0] = True  # every query sees at least one key
    float_mask = rng.standard_normal((L, S))
    pad = np.ones((2, 1, 1, S), dtype=bool)
    pad[1, ..., -1] = False
    return [
        ("none", None, None, False),
        ("causal", None, None, True),
        ("bool", allowed, allowed, False),
        ("float", float_mask, float_mask, False),
        ("padding", pad, pad, False),
    ]


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "padding"])
@pytest.mark.parametrize("shapes", [((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), ((2, 1, 4, 3), (2, 1, 4, 3), (2, 1, 4, 2))])
def test_sdpa_fused_matches_torch(kind, shapes) -> None:
    rng = np.random.default_rng(0)
    (qs, ks, vs) = shapes
    L, S = qs[-2], ks[-2]
    if kind == "causal" and L != S:
        ks, vs = ks[:-2] + (L, ks[-1]), vs[:-2] + (L, vs[-1])
        S = L
    name, m, tm, causal = next(c for c in _masks(rng, L, S) if c[0] == kind)
    arrays = [_rand(rng, *s) for s in (qs, ks, vs)]
    g = _rand(rng, *(qs[:-1] + vs[-1:]))
    ours = [gs.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ours, attn_mask=None if m is None else gs.tensor(m), is_causal=causal)
    assert out._ctx is not None and type(out._ctx) is FusedAttention
    ref = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=None if tm is None else torch.tensor(tm), is_causal=causal)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.backward(gs.tensor(g))
    ref.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_fused_equals_composed_float32_and_large_scores() -> None:
    """float32 stays float32; scores around 1e4 neither overflow nor give NaN."""
    rng = np.random.default_rng(1)
    q, k, v = (gs.tensor((rng.standard_normal((3, 8, 16)) * 100).astype(np.float32), requires_grad=True) for _ in range(3))
    mask = causal_mask(8, 8, np.float32)
    fused = FusedAttention.apply(q, k, v, mask=mask._data, scale=0.25)
    composed, _ = attention(q, k, v, mask, 0.0, 0.25)
    assert fused.dtype == np.float32 and np.isfinite(fused._data).all()
    np.testing.assert_allclose(fused._data, composed._data, rtol=1e-4, atol=1e-3)
    g = gs.randn(*fused.shape)
    a = gs.autograd.grad(fused, [q, k, v], g)
    b = gs.autograd.grad(composed, [q, k, v], g)
    for x, y in zip(a, b):
        assert x.dtype == np.float32
        np.testing.assert_allclose(x._data, y._data, rtol=1e-3, atol=1e-2)


def test_fused_attention_gradcheck_and_second_order() -> None:
    rng = np.random.default_rng(2)
    q, k, v = (gs.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = causal_mask(3, 5, np.float64)._data

    def fn(q, k, v):
        return FusedAttention.apply(q, k, v, mask=mask, scale=0.5)

    assert gradcheck(fn, (q, k, v))
    assert gradgradcheck(fn, (q, k, v))


def _torch_mha(mha: nn.MultiheadAttention, batch_first: bool) -> torch.nn.MultiheadAttention:
    t = torch.nn.MultiheadAttention(mha.embed_dim, mha.num_heads, batch_first=batch_first, dtype=torch.float64)
    t.load_state_dict({k: torch.tensor(v._data) for k, v in mha.state_dict().items()})
    return t


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("mask", ["none", "causal", "padding", "attn_bool"])
def test_packed_self_attention_matches_torch_mha(batch_first, mask) -> None:
    gs.manual_seed(0)
    rng = np.random.default_rng(3)
    B, L, E, h = 3, 5, 8, 2
    mha = nn.MultiheadAttention(E, h, batch_first=batch_first).double()
    ref = _torch_mha(mha, batch_first)
    x_np = rng.standard_normal((B, L, E) if batch_first else (L, B, E))
    kwargs_gs, kwargs_t = {}, {}
    if mask == "causal":
        cm = np.triu(np.ones((L, L), dtype=bool), 1)
        kwargs_gs = dict(attn_mask=gs.tensor(cm), is_causal=True)
        kwargs_t = dict(attn_mask=torch.tensor(cm), is_causal=True)
    elif mask == "padding":
        pad = np.zeros((B, L), dtype=bool)
        pad[1, -2:] = True
        kwargs_gs, kwargs_t = dict(key_padding_mask=gs.tensor(pad)), dict(key_padding_mask=torch.tensor(pad))
    elif mask == "attn_bool":
        am = rng.random((L, L)) > 0.7
        np.fill_diagonal(am, False)
        kwargs_gs, kwargs_t = dict(attn_mask=gs.tensor(am)), dict(attn_mask=torch.tensor(am))
    x = gs.tensor(x_np, requires_grad=True)
    xt = torch.tensor(x_np, requires_grad=True)
    out, w = mha(x, x, x, need_weights=False, **kwargs_gs)
    assert w is None
    node = out._ctx
    seen = set()
    stack = [node]
    while stack:  # the packed op is in the graph
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, PackedSelfAttention):
            break
        stack.extend(t._ctx for t in n.inputs)
    else:
        pytest.fail("MultiheadAttention(need_weights=False) did not use packed_self_attention")
    out_t, _ = ref(xt, xt, xt, need_weights=False, **kwargs_t)
    np.testing.assert_allclose(out._data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)
    g = rng.standard_normal(out.shape)
    out.backward(gs.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    grads_t = dict(ref.named_parameters())
    for name, p in mha.named_parameters():
        np.testing.assert_allclose(p.grad._data, grads_t[name].grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


def test_packed_self_attention_gradcheck_and_second_order() -> None:
    rng = np.random.default_rng(4)
    qkv = gs.tensor(rng.standard_normal((2, 3, 12)), requires_grad=True)
    mask = causal_mask(3, 3, np.float64)._data

    def fn(qkv):
        return PackedSelfAttention.apply(qkv, mask=mask, scale=1 / math.sqrt(2), heads=2)

    assert gradcheck(fn, (qkv,))
    assert gradgradcheck(fn, (qkv,))


def test_transformer_layer_second_order_through_fused_path() -> None:
    """A gradient penalty through an encoder layer (create_graph=True) matches torch's."""
    gs.manual_seed(1)
    rng = np.random.default_rng(5)
    layer = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, norm_first=True).double()
    ref = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, norm_first=True, dtype=torch.float64)
    ref.load_state_dict({k: torch.tensor(v._data) for k, v in layer.state_dict().items()})
    x_np = rng.standard_normal((2, 4, 8))
    x = gs.tensor(x_np, requires_grad=True)
    xt = torch.tensor(x_np, requires_grad=True)
    (gx,) = gs.autograd.grad((layer(x) ** 2).sum(), [x], create_graph=True)
    with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):  # torch's flash kernel has no double backward
        (gxt,) = torch.autograd.grad((ref(xt) ** 2).sum(), [xt], create_graph=True)
        (gxt * gxt).sum().backward()
    (gx * gx).sum().backward()
    np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    w = dict(ref.named_parameters())
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad._data, w[name].grad.numpy(), rtol=1e-7, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_softmax_rows_far_below_the_matrix_max(dtype) -> None:
    """Rows whose scores sit far below the rest of their matrix (shifted by the matrix max they would
    underflow) are recomputed with their own max; results match torch, with no NaN or zero rows."""
    rng = np.random.default_rng(6)
    q = rng.standard_normal((2, 3, 6, 4))
    k = rng.standard_normal((2, 3, 7, 4))
    v = rng.standard_normal((2, 3, 7, 5))
    q[0, 1, 2] *= 1e3  # one query row with huge scores: its matrix max is huge
    q[1, 2, :3] *= 500
    mask = np.zeros((6, 7))
    mask[:, 5:] = -np.inf
    ours = [gs.tensor(a.astype(dtype), requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, attn_mask=gs.tensor(mask.astype(dtype)))
    ref = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask.astype(dtype)))
    assert np.isfinite(out._data).all()
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), **tol)
    out.sum().backward()
    ref.sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), **tol)


def test_fused_dropout_matches_the_composition_with_the_same_draws() -> None:
    rng = np.random.default_rng(7)
    q, k, v = (gs.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 2)))
    mask = causal_mask(5, 6, np.float64)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.4, generator=gs.Generator().manual_seed(3))
    assert type(out._ctx) is FusedAttention
    ref, _ = attention(q, k, v, None, 0.4, None, gs.Generator().manual_seed(3))
    np.testing.assert_allclose(out._data, ref._data, rtol=1e-12)
    g = gs.tensor(rng.standard_normal(out.shape))
    for a, b in zip(gs.autograd.grad(out, [q, k, v], g), gs.autograd.grad(ref, [q, k, v], g)):
        np.testing.assert_allclose(a._data, b._data, rtol=1e-10, atol=1e-12)
    drop = (rng.random((2, 3, 5, 6)) > 0.4) / 0.6

    def fn(q, k, v):
        return FusedAttention.apply(q, k, v, mask=mask._data, scale=0.5, drop=drop)

    assert gradcheck(fn, (q, k, v))
    assert gradgradcheck(fn, (q, k, v))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)._data == 0)


def test_mha_train_mode_dropout_packed_equals_composed() -> None:
    """MultiheadAttention with dropout in training: the packed op (need_weights=False) draws the
    same mask as the composed path (need_weights=True) and gives the same output and gradients."""
    rng = np.random.default_rng(8)
    mha = nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True).double()
    x = gs.tensor(rng.standard_normal((3, 5, 8)), requires_grad=True)
    results = []
    for need_weights in (False, True):
        gs.manual_seed(11)
        out, _ = mha(x, x, x, need_weights=need_weights, is_causal=True, attn_mask=gs.tensor(np.triu(np.ones((5, 5), bool), 1)))
        grads = gs.autograd.grad(out.sum(), [x, mha.in_proj_weight])
        results.append((out._data, [g._data for g in grads]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)

    qkv = gs.tensor(rng.standard_normal((2, 3, 12)), requires_grad=True)
    drop = (rng.random((2, 2, 3, 3)) > 0.3) / 0.7

    def fn(qkv):
        return PackedSelfAttention.apply(qkv, mask=None, scale=0.5, heads=2, drop=drop)

    assert gradcheck(fn, (qkv,))
    assert gradgradcheck(fn, (qkv,))
