"""RNN / GRU / LSTM modules and cells against PyTorch with copied weights: outputs, states, every gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn


def to_torch_state(module) -> dict:
    return {k: torch.tensor(np.array(v._data)) for k, v in module.state_dict().items()}


def _pair(kind, I, H, dtype=np.float64, **kw):
    g = getattr(nn, kind)(I, H, **kw)
    t = getattr(torch.nn, kind)(I, H, **kw).double()
    if dtype == np.float64:
        g = g.double()
    t.load_state_dict(to_torch_state(g))
    return g, t


def _compare_grads(g_mod, t_mod, atol=1e-10):
    tp = dict(t_mod.named_parameters())
    names = [n for n, _ in g_mod.named_parameters()]
    assert names == list(tp), "parameter names/order differ from torch"
    for n, p in g_mod.named_parameters():
        assert p.grad is not None, n
        np.testing.assert_allclose(p.grad._data, tp[n].grad.numpy(), atol=atol, rtol=1e-7, err_msg=n)


CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(bias=False, batch_first=True),
]


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layer_matches_torch(kind, cfg, with_state):
    rng = np.random.default_rng(0)
    I, H, T, B = 3, 4, 5, 2
    g, t = _pair(kind, I, H, **cfg)
    L = cfg.get("num_layers", 1) * (2 if cfg.get("bidirectional") else 1)
    xs = rng.standard_normal((B, T, I) if cfg.get("batch_first") else (T, B, I))
    gx, tx = gs.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    g_state = t_state = None
    if with_state:
        h0 = rng.standard_normal((L, B, H))
        c0 = rng.standard_normal((L, B, H))
        gh, th = gs.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
        gc, tc = gs.tensor(c0, requires_grad=True), torch.tensor(c0, requires_grad=True)
        g_state = (gh, gc) if kind == "LSTM" else gh
        t_state = (th, tc) if kind == "LSTM" else th
    g_out, g_hn = g(gx, g_state)
    t_out, t_hn = t(tx, t_state)
    np.testing.assert_allclose(g_out._data, t_out.detach().numpy(), atol=1e-12)
    g_states = g_hn if kind == "LSTM" else (g_hn,)
    t_states = t_hn if kind == "LSTM" else (t_hn,)
    for a, b in zip(g_states, t_states):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-12)
    # a loss touching the output and every returned state
    w_out = rng.standard_normal(g_out.shape)
    ws = [rng.standard_normal(s.shape) for s in g_states]
    g_loss = (g_out * gs.tensor(w_out)).sum() + sum((s * gs.tensor(w)).sum() for s, w in zip(g_states, ws))
    t_loss = (t_out * torch.tensor(w_out)).sum() + sum((s * torch.tensor(w)).sum() for s, w in zip(t_states, ws))
    g_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-10)
    if with_state:
        np.testing.assert_allclose(gh.grad._data, th.grad.numpy(), atol=1e-10)
        if kind == "LSTM":
            np.testing.assert_allclose(gc.grad._data, tc.grad.numpy(), atol=1e-10)
    _compare_grads(g, t)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_unbatched_and_float32(kind):
    rng = np.random.default_rng(1)
    g, t = _pair(kind, 3, 4, dtype=np.float32)
    t = t.float()
    x = rng.standard_normal((6, 3)).astype(np.float32)
    g_out, _ = g(gs.tensor(x))
    t_out, _ = t(torch.tensor(x))
    assert g_out.shape == (6, 4) and g_out.dtype == np.float32
    np.testing.assert_allclose(g_out._data, t_out.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_float32_gradients_stay_float32(kind, bidirectional):
    """The hand-written BPTT loops must not upcast (a float64 scalar or buffer would) and must match torch."""
    rng = np.random.default_rng(3)
    g, t = _pair(kind, 3, 5, dtype=np.float32, batch_first=True, bidirectional=bidirectional)
    t = t.float()
    x = rng.standard_normal((2, 7, 3)).astype(np.float32)
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, _ = g(gx)
    t_out, _ = t(tx)
    (g_out * g_out).sum().backward()
    (t_out * t_out).sum().backward()
    assert g_out.dtype == np.float32 and gx.grad.dtype == np.float32
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-4)
    for (n, p), (_, q) in zip(g.named_parameters(), t.named_parameters()):
        assert p.grad.dtype == np.float32, n
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-4, err_msg=n)


def test_rnn_relu_and_default_init():
    g = nn.RNN(3, 8, nonlinearity="relu", num_layers=2, dropout=0.0)
    names = [n for n, _ in g.named_parameters()]
    t = torch.nn.RNN(3, 8, nonlinearity="relu", num_layers=2)
    assert names == [n for n, _ in t.named_parameters()]
    for (n, p), (_, q) in zip(g.named_parameters(), t.named_parameters()):
        assert p.shape == tuple(q.shape)
        assert np.abs(p._data).max() <= 1 / np.sqrt(8) + 1e-7  # U(-1/sqrt(H), 1/sqrt(H))
    t.load_state_dict(to_torch_state(g))
    x = np.random.default_rng(2).standard_normal((4, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(g(gs.tensor(x))[0]._data, t(torch.tensor(x))[0].detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(kind, batched):
    rng = np.random.default_rng(3)
    g = getattr(nn, kind)(3, 4).double()
    t = getattr(torch.nn, kind)(3, 4).double()
    t.load_state_dict(to_torch_state(g))
    shape = (2, 3) if batched else (3,)
    sshape = (2, 4) if batched else (4,)
    x = rng.standard_normal(shape)
    h = rng.standard_normal(sshape)
    c = rng.standard_normal(sshape)
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gh, th = gs.tensor(h, requires_grad=True), torch.tensor(h, requires_grad=True)
    gc, tc = gs.tensor(c, requires_grad=True), torch.tensor(c, requires_grad=True)
    if kind == "LSTMCell":
        g_out, t_out = g(gx, (gh, gc)), t(tx, (th, tc))
    else:
        g_out, t_out = (g(gx, gh),), (t(tx, th),)
    for a, b in zip(g_out, t_out):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-12)
    sum(((a * (k + 1.0)).sum() for k, a in enumerate(g_out)), gs.tensor(0.0)).backward()
    sum((a * (k + 1.0)).sum() for k, a in enumerate(t_out)).backward()
    np.testing.assert_allclose(gx.grad._data, tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(gh.grad._data, th.grad.numpy(), atol=1e-10)
    if kind == "LSTMCell":
        np.testing.assert_allclose(gc.grad._data, tc.grad.numpy(), atol=1e-10)
    _compare_grads(g, t)
    # default state (zeros)
    out0 = g(gx)
    tout0 = t(tx)
    a0 = out0[0] if kind == "LSTMCell" else out0
    b0 = tout0[0] if kind == "LSTMCell" else tout0
    np.testing.assert_allclose(a0._data, b0.detach().numpy(), atol=1e-12)


def test_dropout_between_layers_only_in_training():
    gs.manual_seed(0)
    g = nn.LSTM(3, 5, num_layers=3, dropout=0.5)
    x = gs.randn(4, 2, 3)
    g.eval()
    a, b = g(x)[0]._data, g(x)[0]._data
    np.testing.assert_array_equal(a, b)
    g.train()
    c, d = g(x)[0]._data, g(x)[0]._data
    assert not np.allclose(c, d)
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(3, 4, dropout=0.2)


def test_truncated_bptt_and_clipping():
    """Truncated BPTT (states detached between chunks) + gradient clipping + SGD, step for step as torch."""
    from gradstudent.nn.utils import clip_grad_norm_

    gs.manual_seed(0)
    g = nn.LSTM(2, 6).double()
    t = torch.nn.LSTM(2, 6).double()
    t.load_state_dict(to_torch_state(g))
    g_opt = gs.optim.SGD(g.parameters(), lr=0.1)
    t_opt = torch.optim.SGD(t.parameters(), lr=0.1)
    x = np.random.default_rng(0).standard_normal((20, 3, 2))
    g_state = t_state = None
    for start in range(0, 20, 5):
        chunk = x[start : start + 5]
        g_opt.zero_grad()
        t_opt.zero_grad()
        g_out, g_state = g(gs.tensor(chunk), g_state)
        t_out, t_state = t(torch.tensor(chunk), t_state)
        (g_out**2).sum().backward()
        (t_out**2).sum().backward()
        g_state = tuple(s.detach() for s in g_state)  # cut the graph at the chunk edge
        t_state = tuple(s.detach() for s in t_state)
        assert all(not s.requires_grad for s in g_state)
        g_norm = clip_grad_norm_(g.parameters(), 0.1)
        t_norm = torch.nn.utils.clip_grad_norm_(t.parameters(), 0.1)
        assert float(g_norm) == pytest.approx(float(t_norm), rel=1e-9)
        assert float(g_norm) > 0.1  # clipping really acted
        g_opt.step()
        t_opt.step()
    tp = dict(t.named_parameters())
    for n, p in g.named_parameters():
        np.testing.assert_allclose(p._data, tp[n].detach().numpy(), atol=1e-10, err_msg=n)


def test_state_dict_moves_to_torch_after_training():
    """Train a little in gradstudent, load the state_dict into torch, get the same outputs."""
    gs.manual_seed(0)
    g = nn.GRU(3, 5, num_layers=2, batch_first=True)
    opt = gs.optim.Adam(g.parameters(), lr=1e-2)
    x = gs.randn(4, 6, 3)
    for _ in range(5):
        opt.zero_grad()
        (g(x)[0] ** 2).mean().backward()
        opt.step()
    t = torch.nn.GRU(3, 5, num_layers=2, batch_first=True)
    t.load_state_dict(to_torch_state(g))
    np.testing.assert_allclose(g(x)[0]._data, t(torch.tensor(x._data))[0].detach().numpy(), atol=1e-5)


def test_errors():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match="input_size=3"):
        lstm(gs.zeros(5, 2, 4))
    with pytest.raises(TypeError, match="h_0, c_0"):
        lstm(gs.zeros(5, 2, 3), gs.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="h_0 has shape"):
        nn.GRU(3, 4)(gs.zeros(5, 2, 3), gs.zeros(2, 2, 4))
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
