"""Sheet 6 checks: the LSTM cell against nn.LSTMCell, attention against scaled_dot_product_attention."""

from __future__ import annotations

from types import ModuleType

import gradstudent as gs
from gradstudent import nn

from ..checking import assert_close, rng
from . import Sheet, Task


def check_lstm_cell(m: ModuleType) -> None:
    r = rng(0)
    n, d, h = 3, 4, 5
    cell = nn.LSTMCell(d, h).double()
    x, h0, c0 = (gs.tensor(r.normal(size=s), requires_grad=True) for s in ((n, d), (n, h), (n, h)))
    params = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    h1, c1 = m.lstm_cell(x, h0, c0, *params)
    rh, rc = cell(x, (h0, c0))
    assert_close("LSTM h'", h1, rh, hint="gate order is i, f, g, o (PyTorch's)")
    assert_close("LSTM c'", c1, rc, hint="c' = sigmoid(f) c + sigmoid(i) tanh(g)")
    ours = gs.autograd.grad((h1 * 2 + c1).sum(), [x, h0, c0, *params])
    ref = gs.autograd.grad((rh * 2 + rc).sum(), [x, h0, c0, *params])
    for name, a, b in zip(("x", "h", "c", "weight_ih", "weight_hh", "bias_ih", "bias_hh"), ours, ref):
        assert_close(f"LSTM gradient of {name}", a, b)


def check_attention(m: ModuleType) -> None:
    r = rng(1)
    F = nn.functional
    for shape_q, shape_k, dv, causal in (((2, 4, 3), (2, 4, 3), 5, False), ((1, 2, 5, 4), (1, 2, 5, 4), 4, True), ((3, 2), (6, 2), 2, False)):
        q, k = gs.tensor(r.normal(size=shape_q), requires_grad=True), gs.tensor(r.normal(size=shape_k), requires_grad=True)
        v = gs.tensor(r.normal(size=shape_k[:-1] + (dv,)), requires_grad=True)
        out = m.attention(q, k, v, causal)
        ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        what = f"attention (q {shape_q}, k {shape_k}, causal={causal})"
        assert_close(what, out, ref, hint="scores scaled by 1/sqrt(d); causal masks j > i with -inf")
        for name, a, b in zip("qkv", gs.autograd.grad(out.sum(), [q, k, v]), gs.autograd.grad(ref.sum(), [q, k, v])):
            assert_close(f"{what}: gradient of {name}", a, b)


SHEET = Sheet(6, "sequence", "Sequence models: an LSTM cell and attention", "sheet06_sequence.py", [
    Task("lstm_cell", 5, check_lstm_cell, "one LSTM step, PyTorch's gate order"),
    Task("attention", 5, check_attention, "scaled dot-product attention with a causal mask"),
])
