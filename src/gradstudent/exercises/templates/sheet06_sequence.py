"""Sheet 6 — sequence models: an LSTM cell and scaled dot-product attention.

Write them with gradstudent's Tensor operations (autograd does the backward).
"""

from __future__ import annotations

import math

import numpy as np

import gradstudent as gs
from gradstudent import Tensor


def lstm_cell(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step with PyTorch's gate order (input i, forget f, cell g, output o).

    x: (N, D), h and c: (N, H), w_ih: (4H, D), w_hh: (4H, H), biases (4H,).
    gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, o (each (N, H));
    c' = sigmoid(f) c + sigmoid(i) tanh(g);  h' = sigmoid(o) tanh(c'). Returns (h', c').
    """
    ### BEGIN SOLUTION
    gates = x @ w_ih.mT + b_ih + h @ w_hh.mT + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_new = o.sigmoid() * c_new.tanh()
    return h_new, c_new
    ### END SOLUTION


def attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False) -> Tensor:
    """softmax(q k^T / sqrt(d)) v for q: (..., L, d), k: (..., S, d), v: (..., S, dv).

    With ``causal=True`` position i may only attend to positions j <= i (set the
    other scores to -inf before the softmax).
    """
    ### BEGIN SOLUTION
    scores = q @ k.mT / math.sqrt(q.shape[-1])
    if causal:
        L, S = scores.shape[-2], scores.shape[-1]
        future = gs.from_numpy(np.triu(np.ones((L, S), dtype=bool), k=1))  # True above the diagonal
        scores = scores.masked_fill(future, float("-inf"))
    return scores.softmax(-1) @ v
    ### END SOLUTION
