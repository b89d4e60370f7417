"""Embedding, LayerNorm, MultiheadAttention, Transformer layers and positional encodings vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:torch.*")


def to_torch_state(module) -> dict:
    return {k: torch.tensor(np.array(v._data)) for k, v in module.state_dict().items()}


def _check_grads(g_mod, t_mod, atol=1e-9):
    tp = dict(t_mod.named_parameters())
    gnames = [n for n, _ in g_mod.named_parameters()]
    assert gnames == list(tp), f"parameter names differ:\n{gnames}\n{list(tp)}"
    for n, p in g_mod.named_parameters():
        want = tp[n].grad
        got = p.grad
        if want is None:
            assert got is None or np.abs(got._data).max() == 0, n
            continue
        np.testing.assert_allclose(got._data, want.numpy(), atol=atol, rtol=1e-6, err_msg=n)


def _run_both(g_mod, t_mod, g_args, t_args, index=None):
    g_out, t_out = g_mod(*g_args), t_mod(*t_args)
    if index is not None:
        g_out, t_out = g_out[index], t_out[index]
    np.testing.assert_allclose(g_out._data, t_out.detach().numpy(), atol=1e-10)
    w = np.random.default_rng(9).standard_normal(g_out.shape)
    (g_out * gs.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    return g_out, t_out


# ---------------------------------------------------------------- Embedding, LayerNorm
def test_embedding_module():
    g = nn.Embedding(10, 4, padding_idx=0)
    assert np.all(g.weight._data[0] == 0)
    t = torch.nn.Embedding(10, 4, padding_idx=0)
    t.load_state_dict(to_torch_state(g))
    idx = np.array([[0, 3, 3, 9], [1, 0, 2, 3]])
    _run_both(g, t, [gs.tensor(idx)], [torch.tensor(idx)])
    np.testing.assert_allclose(g.weight.grad._data, t.weight.grad.numpy(), atol=1e-6)
    assert np.all(g.weight.grad._data[0] == 0)
    # max_norm renormalises looked-up rows in place, as torch
    g2 = nn.Embedding(6, 3, max_norm=1.0)
    t2 = torch.nn.Embedding(6, 3, max_norm=1.0)
    t2.load_state_dict(to_torch_state(g2))
    i2 = np.array([1, 2, 2, 5])
    np.testing.assert_allclose(g2(gs.tensor(i2))._data, t2(torch.tensor(i2)).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(g2.weight._data, t2.weight.detach().numpy(), atol=1e-6)
    frozen = nn.Embedding.from_pretrained(gs.randn(5, 2))
    assert not frozen.weight.requires_grad


def test_embedding_gradient_is_fast():
    """The backward scatter-add uses a sparse product, not a Python/add.at loop."""
    import time

    g = nn.Embedding(65, 64)
    idx = gs.randint(0, 65, (32, 64))
    out = g(idx)
    t0 = time.perf_counter()
    for _ in range(20):
        g.weight.grad = None
        out = g(idx)
        out.sum().backward()
    assert (time.perf_counter() - t0) / 20 < 0.005


@pytest.mark.parametrize("shape,norm", [((2, 3, 8), 8), ((2, 3, 4, 5), (4, 5))])
@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, False)])
def test_layernorm_module(shape, norm, affine, bias):
    g = nn.LayerNorm(norm, elementwise_affine=affine, bias=bias).double()
    t = torch.nn.LayerNorm(norm, elementwise_affine=affine, bias=bias).double()
    if affine:
        with gs.no_grad():
            g.weight._data[...] = np.random.default_rng(0).standard_normal(g.weight.shape)
        t.load_state_dict(to_torch_state(g))
    x = np.random.default_rng(1).standard_normal(shape) * 3 + 1
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _run_both(g, t, [gx], [tx])
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-10)
    _check_grads(g, t)


# ---------------------------------------------------------------- MultiheadAttention
def _mha_pair(E=8, h=2, **kw):
    gs.manual_seed(0)
    g = nn.MultiheadAttention(E, h, **kw).double()
    t = torch.nn.MultiheadAttention(E, h, **kw).double()
    t.load_state_dict(to_torch_state(g))
    return g, t


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "bool", "float", "kpm", "both", "3d"])
def test_mha_self_attention(batch_first, masks):
    g, t = _mha_pair(batch_first=batch_first)
    rng = np.random.default_rng(0)
    B, L, E = 3, 5, 8
    x = rng.standard_normal((B, L, E) if batch_first else (L, B, E))
    kw_g, kw_t = {}, {}
    if masks in ("bool", "both"):
        m = np.triu(np.ones((L, L), bool), 1)
        kw_g["attn_mask"], kw_t["attn_mask"] = gs.tensor(m), torch.tensor(m)
    if masks == "float":
        m = rng.standard_normal((L, L))
        kw_g["attn_mask"], kw_t["attn_mask"] = gs.tensor(m), torch.tensor(m)
    if masks == "3d":
        m = rng.random((B * 2, L, L)) < 0.3
        m[..., 0] = False
        kw_g["attn_mask"], kw_t["attn_mask"] = gs.tensor(m), torch.tensor(m)
    if masks in ("kpm", "both"):
        kpm = np.zeros((B, L), bool)
        kpm[0, 3:] = True
        kpm[2, 4] = True
        kw_g["key_padding_mask"], kw_t["key_padding_mask"] = gs.tensor(kpm), torch.tensor(kpm)
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, g_w = g(gx, gx, gx, **kw_g)
    t_out, t_w = t(tx, tx, tx, **kw_t)
    np.testing.assert_allclose(g_out._data, t_out.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(g_w._data, t_w.detach().numpy(), atol=1e-10)
    w = rng.standard_normal(g_out.shape)
    ((g_out * gs.tensor(w)).sum() + (g_w * g_w).sum()).backward()
    ((t_out * torch.tensor(w)).sum() + (t_w * t_w).sum()).backward()
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-10)
    _check_grads(g, t)


def test_mha_cross_attention_kdim_vdim_and_per_head_weights():
    g, t = _mha_pair(E=8, h=4, kdim=5, vdim=3, batch_first=True)
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    rng = np.random.default_rng(1)
    q, k, v = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 6, 5)), rng.standard_normal((2, 6, 3))
    gq, gk, gv = (gs.tensor(a, requires_grad=True) for a in (q, k, v))
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    g_out, g_w = g(gq, gk, gv, average_attn_weights=False)
    t_out, t_w = t(tq, tk, tv, average_attn_weights=False)
    assert g_w.shape == (2, 4, 4, 6)
    np.testing.assert_allclose(g_w._data, t_w.detach().numpy(), atol=1e-10)
    (g_out.sum() + (g_w * g_w).sum()).backward()
    (t_out.sum() + (t_w * t_w).sum()).backward()
    for a, b in ((gq, tq), (gk, tk), (gv, tv)):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), atol=1e-10)
    _check_grads(g, t)
    out, w = g(gq[0], gk[0], gv[0], need_weights=False)  # unbatched
    assert out.shape == (4, 8) and w is None


def test_mha_init_matches_torch_statistics():
    g = nn.MultiheadAttention(64, 4)
    assert np.all(g.in_proj_bias._data == 0) and np.all(g.out_proj.bias._data == 0)
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform_ on the (3E, E) packed weight
    assert np.abs(g.in_proj_weight._data).max() <= bound + 1e-6
    assert np.abs(g.in_proj_weight._data).max() > 0.9 * bound


# ---------------------------------------------------------------- Transformer layers
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer(norm_first, activation, batch_first):
    kw = dict(dim_feedforward=16, dropout=0.0, activation=activation, batch_first=batch_first, norm_first=norm_first)
    gs.manual_seed(0)
    g = nn.TransformerEncoderLayer(8, 2, **kw).double()
    t = torch.nn.TransformerEncoderLayer(8, 2, **kw).double()
    t.load_state_dict(to_torch_state(g))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    kpm = np.zeros((3, 5), bool)
    mask = nn.Transformer.generate_square_subsequent_mask(5).double()
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_args, t_args = [gx, mask], [tx, torch.tensor(mask._data)]
    kpm[1, 3:] = True
    g_args.append(gs.tensor(kpm))
    t_args.append(torch.tensor(kpm))
    _run_both(g, t, g_args, t_args)
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-9)
    _check_grads(g, t)


@pytest.mark.parametrize("norm_first", [False, True])
def test_full_transformer(norm_first):
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
              batch_first=True, norm_first=norm_first)
    gs.manual_seed(0)
    g = nn.Transformer(**kw).double()
    t = torch.nn.Transformer(**kw).double()
    assert list(g.state_dict()) == list(t.state_dict())
    t.load_state_dict(to_torch_state(g))
    rng = np.random.default_rng(0)
    src, tgt = rng.standard_normal((2, 6, 8)), rng.standard_normal((2, 4, 8))
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4).double()
    skpm = np.zeros((2, 6), bool)
    skpm[0, 4:] = True
    g_args = [gs.tensor(src), gs.tensor(tgt), None, tgt_mask, None, gs.tensor(skpm), None, gs.tensor(skpm)]
    t_args = [torch.tensor(src), torch.tensor(tgt), None, torch.tensor(tgt_mask._data), None, torch.tensor(skpm), None, torch.tensor(skpm)]
    _run_both(g, t, g_args, t_args)
    _check_grads(g, t)


def test_train_mode_dropout_and_deepcopy_independence():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    enc = nn.TransformerEncoder(layer, 2)
    p0 = enc.layers[0].linear1.weight
    p1 = enc.layers[1].linear1.weight
    assert p0 is not p1 and np.array_equal(p0._data, p1._data)
    x = gs.randn(4, 2, 8)
    enc.train()
    assert not np.allclose(enc(x)._data, enc(x)._data)
    enc.eval()
    np.testing.assert_array_equal(enc(x)._data, enc(x)._data)


# ---------------------------------------------------------------- positional encodings
def test_sinusoidal_encoding_values():
    pe = nn.SinusoidalPositionalEncoding(6, max_len=10)
    x = gs.zeros(2, 4, 6)
    out = pe(x)._data
    p, i = 3, 1  # column 2i = 2 -> sin(p / 10000^(2/6))
    assert out[0, p, 2] == pytest.approx(np.sin(p / 10000 ** (2 / 6)), abs=1e-6)
    assert out[1, p, 3] == pytest.approx(np.cos(p / 10000 ** (2 * i / 6)), abs=1e-6)
    assert list(pe.state_dict()) == []  # a fixed table, not saved
    tm = nn.SinusoidalPositionalEncoding(6, batch_first=False)(gs.zeros(4, 2, 6))._data
    np.testing.assert_allclose(tm[:, 0], out[0], atol=1e-7)


def test_learned_positional_embedding_gets_gradients():
    pe = nn.LearnedPositionalEmbedding(16, 4)
    x = gs.zeros(2, 5, 4)
    pe(x, offset=3).sum().backward()
    g = pe.embedding.weight.grad._data
    assert np.all(g[3:8] == 2) and np.all(g[:3] == 0) and np.all(g[8:] == 0)


def test_rotary_embedding_relative_positions():
    """q_m . k_n after rotation depends only on m - n; the rotation keeps norms."""
    rope = nn.RotaryEmbedding(8, max_len=32)
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal(8).astype(np.float32), rng.standard_normal(8).astype(np.float32)
    seq_q = gs.tensor(np.tile(q, (20, 1)))
    seq_k = gs.tensor(np.tile(k, (20, 1)))
    rq, rk = rope(seq_q)._data, rope(seq_k)._data
    assert float(rq[3] @ rk[1]) == pytest.approx(float(rq[12] @ rk[10]), rel=1e-4)
    np.testing.assert_allclose(np.linalg.norm(rq, axis=1), np.linalg.norm(q), rtol=1e-5)
    x = gs.randn(2, 3, 5, 8, requires_grad=True)
    rope(x).sum().backward()
    assert x.grad.shape == x.shape
