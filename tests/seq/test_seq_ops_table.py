"""The sequence-model ops against PyTorch: forward, gradients, second derivatives, finite differences.

Ops: ``layer_norm``, ``embedding`` (+ its adjoint ``embedding_scatter``), the whole-sequence
recurrences ``rnn_sequence``, ``gru_sequence``, ``lstm_sequence`` (a length-1 sequence is one
LSTM cell step), and scaled dot-product attention (a composite of matmul/add/softmax).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent.nn import functional as F
from gradstudent.ops.rnn import recurrence
from oracle import OpCase

CASES: list[OpCase] = []


def row(op, fn, inputs, torch_fn=None, tag="", **opts):
    CASES.append(OpCase(op, fn, list(inputs), torch_fn, tag, opts))


# ---------------------------------------------------------------- layer norm
def _ln(shape, affine=True, bias=True):
    def fn(L, x, *wb):
        w = wb[0] if affine else None
        b = wb[1] if (affine and bias) else None
        return L.nn.functional.layer_norm(x, shape, w, b, 1e-5)

    return fn


row("layer_norm", _ln((4,)), [(3, 4), (4,), (4,)])
row("layer_norm", _ln((3, 4)), [(2, 3, 4), (3, 4), (3, 4)], tag="2d")
row("layer_norm", _ln((4,), affine=False), [(2, 5, 4)], tag="noaffine")
row("layer_norm", _ln((4,), bias=False), [(2, 5, 4), (4,)], tag="nobias")

# ---------------------------------------------------------------- embedding
IDX = np.array([[0, 2, 2], [4, 1, 0]])
row("embedding", lambda L, w, i: L.nn.functional.embedding(i, w), [(5, 3), IDX])
# torch's double backward ignores the 1/count scaling (embedding_dense_double_backward); ours keeps it,
# and gradgradcheck confirms ours; the scaled gradient is by design not the true one, so no gradcheck
row("embedding", lambda L, w, i: L.nn.functional.embedding(i, w, scale_grad_by_freq=True), [(5, 3), IDX], tag="freq", second_order=False, gradcheck=False)
# padding rows get no gradient: torch agrees, finite differences (rightly) do not
row("embedding", lambda L, w, i: L.nn.functional.embedding(i, w, padding_idx=2), [(5, 3), IDX], tag="pad", gradcheck=False)
row("embedding_scatter", lambda L, w, i: L.nn.functional.embedding(i, w) * L.nn.functional.embedding(i, w), [(5, 3), IDX], tag="double")


# ---------------------------------------------------------------- recurrences (torch side: plain unrolled loops)
def _torch_seq(mode, gx, h0, c0, w, b, reverse):
    T, H = gx.shape[0], h0.shape[-1]
    h, c, hs = h0, c0, {}
    steps = range(T - 1, -1, -1) if reverse else range(T)
    for t in steps:
        gh = h @ w.T + b
        if mode == "lstm":
            i, f, g, o = (gx[t] + gh).split(H, 1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
        elif mode == "gru":
            xr, xz, xn = gx[t].split(H, 1)
            hr, hz, hn = gh.split(H, 1)
            r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
            n = (xn + r * hn).tanh()
            h = (1 - z) * n + z * h
        else:
            pre = gx[t] + gh
            h = pre.relu() if mode == "rnn_relu" else pre.tanh()
        hs[t] = h
    out = torch.stack([hs[t] for t in range(T)])
    return torch.cat([out, c[None]]) if mode == "lstm" else out


def _seq_case(mode, gates, T, reverse):
    B, H = 2, 3

    def gs_fn(L, gx, h0, c0, w, b):
        return recurrence(mode, gx, h0, w, b, c0 if mode == "lstm" else None, reverse=reverse)

    def torch_fn(L, gx, h0, c0, w, b):
        out = _torch_seq(mode, gx, h0, c0, w, b, reverse)
        return out + 0 * c0.sum() if mode != "lstm" else out  # keep c0 in the graph for both

    def gs_fn2(L, gx, h0, c0, w, b):
        out = gs_fn(L, gx, h0, c0, w, b)
        return out + 0 * c0.sum() if mode != "lstm" else out

    op = {"lstm": "lstm_sequence", "gru": "gru_sequence"}.get(mode, "rnn_sequence")
    row(op, gs_fn2, [(T, B, gates * H), (B, H), (B, H), (gates * H, H), (gates * H,)], torch_fn,
        tag=f"{mode}-T{T}" + ("-rev" if reverse else ""), gc_atol=1e-5)


for mode, gates in (("rnn_tanh", 1), ("rnn_relu", 1), ("gru", 3), ("lstm", 4)):
    _seq_case(mode, gates, 3, False)
    _seq_case(mode, gates, 3, True)
_seq_case("lstm", 4, 1, False)  # one LSTM cell step


# ---------------------------------------------------------------- attention (composite)
def _sdpa(**kw):
    return lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


row("softmax", _sdpa(), [(2, 4, 3), (2, 5, 3), (2, 5, 2)], tag="sdpa")
row("softmax", _sdpa(is_causal=True), [(2, 4, 3), (2, 4, 3), (2, 4, 2)], tag="sdpa-causal")
row("softmax", _sdpa(scale=0.3), [(1, 2, 3, 3), (1, 2, 3, 3), (1, 2, 3, 2)], tag="sdpa-scale")
_MASK = np.array([[True, False, True], [True, True, False], [False, True, True]])
row("softmax", lambda L, q, k, v, m: L.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
    [(2, 3, 4), (2, 3, 4), (2, 3, 2), _MASK], tag="sdpa-boolmask")
row("softmax", lambda L, q, k, v, m: L.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
    [(2, 3, 4), (2, 3, 4), (2, 3, 2), (3, 3)], tag="sdpa-floatmask")


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_seq_op(case: OpCase) -> None:
    case.run()


def test_fast_bptt_matches_unrolled_in_float32() -> None:
    """The hand-written BPTT loop against autograd through the Tensor-op unrolling."""
    rng = np.random.default_rng(1)
    for mode, gates in (("rnn_tanh", 1), ("gru", 3), ("lstm", 4)):
        T, B, H = 7, 4, 5
        arrays = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((T, B, gates * H), (B, H), (B, H), (gates * H, H), (gates * H,))]
        results = []
        for fast in (True, False):
            ts = [gs.tensor(a, requires_grad=True) for a in arrays]
            gx, h0, c0, w, b = ts
            if fast:
                out = recurrence(mode, gx, h0, w, b, c0 if mode == "lstm" else None)
            else:
                from gradstudent.ops.lstm import LSTMSequence
                from gradstudent.ops.rnn import GRUSequence, RNNSequence

                if mode == "lstm":
                    out = LSTMSequence.unroll(gx, h0, c0, w, b, reverse=False, has_bias=True)
                elif mode == "gru":
                    out = GRUSequence.unroll(gx, h0, w, b, reverse=False, has_bias=True)
                else:
                    out = RNNSequence.unroll(gx, h0, w, b, reverse=False, has_bias=True, nonlinearity="tanh")
            (out * gs.tensor(np.linspace(-1, 1, out.numel()).reshape(out.shape).astype(np.float32))).sum().backward()
            results.append([out._data] + [t.grad._data if t.grad is not None else np.zeros(1) for t in ts])
        for a, b_ in zip(*results):
            np.testing.assert_allclose(a, b_, rtol=1e-4, atol=1e-5)


def test_recurrence_errors() -> None:
    gx, h0, w = gs.zeros(3, 2, 8), gs.zeros(2, 2), gs.zeros(8, 2)
    with pytest.raises(ValueError, match="lstm: initial cell state"):
        recurrence("lstm", gx, h0, w)
    with pytest.raises(ValueError, match="expected"):
        recurrence("gru", gx, h0, w)
    with pytest.raises(ValueError, match="unknown mode"):
        recurrence("elman", gx, h0, w)
    with pytest.raises(ValueError, match="layer_norm: normalized_shape"):
        F.layer_norm(gs.zeros(2, 3), (4,))
    with pytest.raises(IndexError, match="embedding: index out of range"):
        F.embedding(gs.tensor([5]), gs.zeros(5, 2))
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        F.scaled_dot_product_attention(gs.zeros(1, 2, 2), gs.zeros(1, 2, 2), gs.zeros(1, 2, 2), attn_mask=gs.zeros(2, 2), is_causal=True)
