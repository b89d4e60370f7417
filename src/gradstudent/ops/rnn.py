"""Recurrent layers as whole-sequence ops: the time loop lives *inside* one Function.

A recurrent layer computes, for t = 0..T-1 (or T-1..0 for the reverse direction
of a bidirectional layer),

    h[t] = cell(gx[t], h[t-1])

where ``gx = x @ W_ih^T + b_ih`` is the input projection, done for all time
steps at once by one GEMM *before* the loop (it does not depend on h). Only the
recurrent part ``h[t-1] @ W_hh^T`` has to be sequential.

Why one op for the whole sequence? Built from per-step Tensor ops, a 64-step
LSTM records about a thousand graph nodes; here it is one node, the forward
loop is ~10 array calls per step, and backpropagation through time (BPTT) is
a second hand-written loop running backwards::

    dh[t] = out.grad[t] + (gradient flowing back from step t+1)
    dpre[t] = dh[t] * cell'(...)                 (pre-activation gradients, all gates)
    (gradient flowing to step t-1) = dpre[t] @ W_hh
    W_hh.grad = sum_t dpre[t]^T @ h[t-1]         (one GEMM over all T*B rows, after the loop)
    gx.grad = dpre                                (b_hh.grad = dpre summed over t, b)

The reference: :meth:`Recurrence.unroll` writes the same recurrence with ordinary
differentiable Tensor ops (the op's ``reference``); ``backward`` differentiates it,
so ``create_graph=True`` gives second derivatives. The hand-written BPTT loop is
the op's ``backward_arrays``, which the engine uses when no graph is recorded.
``tests/test_fused_kernels.py`` checks the two against each other.

This file has the shared machinery, the Elman RNN (tanh/ReLU) and the GRU; the
LSTM is in :mod:`gradstudent.ops.lstm`.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from ..autograd.function import OPS, Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import sum_first_axis
from .shape import stack


def time_order(T: int, reverse: bool) -> range:
    """The order in which the steps are processed."""
    return range(T - 1, -1, -1) if reverse else range(T)


def previous(seq: Array, first: Array, reverse: bool) -> Array:
    """``prev[t]``: the state that step t starts from (``first`` for the first processed step)."""
    xp = get_array_module(seq)
    if reverse:
        return xp.concatenate([seq[1:], first[None]], axis=0)
    return xp.concatenate([first[None], seq[:-1]], axis=0)


class Recurrence(Function):
    """Base class: inputs ``(gx, h0, [c0], W_hh, [b_hh])``; subclasses write the loops.

    * ``run(...)``: forward loop on arrays, saving what BPTT needs on ``self``;
    * ``bptt(grad)``: backward loop on arrays -> one array (or None) per input;
    * ``unroll(...)``: the same forward with differentiable Tensor ops (for create_graph).
    """

    has_cell_state: ClassVar[bool] = False

    def forward(self, *arrays: Array, reverse: bool, has_bias: bool, **options: Any) -> Array:
        self.reverse, self.has_bias = reverse, has_bias
        self.cell_options = options
        return self.run(*arrays)

    @classmethod
    def reference(cls, *inputs: Tensor, reverse: bool, has_bias: bool, **options: Any) -> Tensor:
        """The whole sequence from per-step Tensor ops (the subclass's ``unroll``)."""
        return cls.unroll(*inputs, reverse=reverse, has_bias=has_bias, **options)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Differentiate the unrolled Tensor-op version (the reference; second order works)."""
        return self.backward_through_reference(grad)

    def backward_arrays(self, grad: Array) -> tuple[Array | None, ...]:
        """Backpropagation through time on arrays (the subclass's ``bptt``)."""
        self.saved_inputs()
        grads = self.bptt(grad)
        return tuple(g if n else None for g, n in zip(grads, self.needs_input_grad))

    # ---- to be written by each recurrence
    def run(self, *arrays: Array) -> Array:  # pragma: no cover - abstract
        raise NotImplementedError

    def bptt(self, grad: Array) -> tuple[Array | None, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    #: staticmethod ``unroll(*inputs, reverse, has_bias, **options) -> Tensor``: the same forward
    #: with differentiable Tensor ops (the op's reference)
    unroll: ClassVar[Callable[..., Tensor]]


def _split_inputs(arrays: tuple[Any, ...], has_cell_state: bool, has_bias: bool) -> tuple[Any, ...]:
    """(gx, h0, c0 or None, W_hh, b_hh or None) from the flat input list."""
    gx, h0, *rest = arrays
    c0 = rest.pop(0) if has_cell_state else None
    w_hh = rest.pop(0)
    b_hh = rest.pop(0) if has_bias else None
    return gx, h0, c0, w_hh, b_hh


def _weight_grads(dpre: Array, hs: Array, h0: Array, reverse: bool, has_bias: bool) -> tuple[Array, Array | None]:
    """W_hh.grad[g, j] = sum_{t, b} dpre[t, b, g] h[t-1, b, j];  b_hh.grad[g] = sum_{t, b} dpre[t, b, g]

    ``hs`` (T, B, H) are the hidden states h[t]; the step processed first starts from ``h0``. Split
    into one GEMM over the T - 1 steps whose previous state is in ``hs`` (a view, no copy) plus
    the first step's small one.
    """
    G, H = dpre.shape[-1], hs.shape[-1]
    first, rest, prev = (-1, dpre[:-1], hs[1:]) if reverse else (0, dpre[1:], hs[:-1])
    gw = rest.reshape(-1, G).T @ prev.reshape(-1, H) + dpre[first].T @ h0
    gb = sum_first_axis(dpre.reshape(-1, G)) if has_bias else None
    return gw, gb


# ---------------------------------------------------------------- Elman RNN
@register("rnn_sequence")
class RNNSequence(Recurrence):
    """h[t] = act(gx[t] + h[t-1] @ W_hh^T + b_hh) with act = tanh or relu; output: all h, (T, B, H)"""

    def run(self, gx: Array, h0: Array, *rest: Array) -> Array:
        xp = get_array_module(gx)
        _, _, _, w_hh, b_hh = _split_inputs((gx, h0) + rest, False, self.has_bias)
        T = gx.shape[0]
        relu = self.cell_options["nonlinearity"] == "relu"
        hs = xp.empty(gx.shape, dtype=gx.dtype)  # pre-activations, overwritten by h in place
        if b_hh is not None:
            xp.add(gx, b_hh, out=hs)
        else:
            hs[...] = gx
        wT = xp.ascontiguousarray(w_hh.T)
        h = h0
        for t in time_order(T, self.reverse):
            ht = hs[t]
            ht += h @ wT
            if relu:
                xp.maximum(ht, 0, out=ht)
            else:
                xp.tanh(ht, out=ht)
            h = ht
        self.hs, self.h0 = hs, h0
        return hs

    def bptt(self, grad: Array) -> tuple[Array | None, ...]:
        xp = get_array_module(grad)
        _, h0, _, w_hh, _ = _split_inputs(tuple(t._data for t in self.inputs), False, self.has_bias)
        hs = self.hs
        # act'(pre) from the output: tanh' = 1 - h^2, relu' = [h > 0]
        dact = (hs > 0).astype(hs.dtype) if self.cell_options["nonlinearity"] == "relu" else 1.0 - hs * hs
        dpre = xp.empty_like(hs)
        dh = xp.zeros_like(h0)
        for t in reversed(time_order(hs.shape[0], self.reverse)):
            d = dpre[t]
            xp.add(dh, grad[t], out=d)
            d *= dact[t]  # dpre[t] = (h.grad[t] + from the future) * act'
            dh = d @ w_hh  # gradient reaching h[t-1]
        gw, gb = _weight_grads(dpre, hs, h0, self.reverse, self.has_bias)
        return (dpre, dh, gw) + ((gb,) if self.has_bias else ())

    @staticmethod
    def unroll(gx: Tensor, h0: Tensor, w_hh: Tensor, *b: Tensor, reverse: bool, has_bias: bool, nonlinearity: str) -> Tensor:
        h, hs = h0, {}
        for t in time_order(gx.shape[0], reverse):
            pre = gx[t] + h @ w_hh.mT
            if has_bias:
                pre = pre + b[0]
            h = pre.relu() if nonlinearity == "relu" else pre.tanh()
            hs[t] = h
        return stack([hs[t] for t in range(gx.shape[0])])


# ---------------------------------------------------------------- GRU
@register("gru_sequence")
class GRUSequence(Recurrence):
    """PyTorch's GRU, gates ordered (r, z, n); output: all h, (T, B, H)::

        r = sigmoid(gx_r + h W_hr^T + b_hr)      z = sigmoid(gx_z + h W_hz^T + b_hz)
        n = tanh(gx_n + r * (h W_hn^T + b_hn))   h' = (1 - z) * n + z * h
    """

    def run(self, gx: Array, h0: Array, *rest: Array) -> Array:
        xp = get_array_module(gx)
        _, _, _, w_hh, b_hh = _split_inputs((gx, h0) + rest, False, self.has_bias)
        T, B, G = gx.shape
        H = G // 3
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: halve the r, z columns once, then one tanh pass
        half = xp.ones(G, dtype=gx.dtype)
        half[: 2 * H] = 0.5
        wT = w_hh.T * half  # (H, 3H)
        bh = b_hh * half if b_hh is not None else None
        rz = gx[..., : 2 * H] * 0.5  # (T, B, 2H): pre-activations, then the gates r, z
        n = xp.empty((T, B, H), dtype=gx.dtype)
        ghn = xp.empty((T, B, H), dtype=gx.dtype)  # h W_hn^T + b_hn, needed for r's gradient
        hs = xp.empty((T, B, H), dtype=gx.dtype)
        h = h0
        for t in time_order(T, self.reverse):
            gh = h @ wT
            if bh is not None:
                gh += bh
            a = rz[t]
            a += gh[:, : 2 * H]
            xp.tanh(a, out=a)
            a *= 0.5
            a += 0.5
            ghn[t] = gh[:, 2 * H :]
            nt = n[t]
            xp.multiply(a[:, :H], gh[:, 2 * H :], out=nt)
            nt += gx[t, :, 2 * H :]
            xp.tanh(nt, out=nt)
            ht = hs[t]
            xp.subtract(h, nt, out=ht)  # h' = n + z (h - n)
            ht *= a[:, H:]
            ht += nt
            h = ht
        self.rz, self.n, self.ghn, self.hs, self.h0 = rz, n, ghn, hs, h0
        return hs

    def bptt(self, grad: Array) -> tuple[Array | None, ...]:
        xp = get_array_module(grad)
        _, h0, _, w_hh, _ = _split_inputs(tuple(t._data for t in self.inputs), False, self.has_bias)
        rz, n, ghn, hs = self.rz, self.n, self.ghn, self.hs
        T, B, H = hs.shape
        r, z = rz[..., :H], rz[..., H:]
        hprev = previous(hs, h0, self.reverse)
        # chain-rule factors that do not depend on the incoming gradient, for all t at once
        f_n = (1.0 - z) * (1.0 - n * n)  # dn_pre = dh * (1 - z) * tanh'
        f_z = (hprev - n) * z * (1.0 - z)  # dz_pre = dh * (h - n) * sigmoid'
        f_r = ghn * r * (1.0 - r)  # dr_pre = dn_pre * ghn * sigmoid'
        dgx = xp.empty((T, B, 3 * H), dtype=hs.dtype)
        dgh = xp.empty((T, B, 3 * H), dtype=hs.dtype)
        dh = xp.zeros_like(h0)
        for t in reversed(time_order(T, self.reverse)):
            dh = dh + grad[t]
            d, e = dgx[t], dgh[t]
            xp.multiply(dh, f_z[t], out=d[:, H : 2 * H])
            xp.multiply(dh, f_n[t], out=d[:, 2 * H :])
            xp.multiply(d[:, 2 * H :], f_r[t], out=d[:, :H])
            e[:, : 2 * H] = d[:, : 2 * H]
            xp.multiply(d[:, 2 * H :], r[t], out=e[:, 2 * H :])  # (h W_hn^T + b_hn).grad = dn_pre * r
            dh = dh * z[t] + e @ w_hh
        gw, gb = _weight_grads(dgh, hs, h0, self.reverse, self.has_bias)
        return (dgx, dh, gw) + ((gb,) if self.has_bias else ())

    @staticmethod
    def unroll(gx: Tensor, h0: Tensor, w_hh: Tensor, *b: Tensor, reverse: bool, has_bias: bool) -> Tensor:
        H = h0.shape[-1]
        h, hs = h0, {}
        for t in time_order(gx.shape[0], reverse):
            gh = h @ w_hh.mT
            if has_bias:
                gh = gh + b[0]
            x_r, x_z, x_n = gx[t].split(H, 1)
            h_r, h_z, h_n = gh.split(H, 1)
            r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
            n = (x_n + r * h_n).tanh()
            h = (1.0 - z) * n + z * h
            hs[t] = h
        return stack([hs[t] for t in range(gx.shape[0])])


# ---------------------------------------------------------------- public entry point
def recurrence(
    mode: str,
    gx: Tensor,
    h0: Tensor,
    w_hh: Tensor,
    b_hh: Tensor | None = None,
    c0: Tensor | None = None,
    reverse: bool = False,
) -> Tensor:
    """Run one recurrent layer (one direction) over a whole sequence.

    ``mode`` is ``"rnn_tanh"``, ``"rnn_relu"``, ``"gru"`` or ``"lstm"``; ``gx`` (T, B, G*H) is the input
    projection ``x @ W_ih^T + b_ih`` (G = 1, 3, 4 gates); ``h0``/``c0`` are (B, H). Returns all hidden
    states (T, B, H); for the LSTM (T + 1, B, H), with the final cell state in the last slot.
    """
    gates = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}
    if mode not in gates:
        raise ValueError(f"recurrence: unknown mode {mode!r}; expected one of {sorted(gates)}")
    H = w_hh.shape[-1]
    G = gates[mode] * H
    if gx.ndim != 3 or gx.shape[2] != G or gx.shape[0] == 0:
        raise ValueError(f"{mode}: input projection has shape {tuple(gx.shape)}, expected (T >= 1, B, {G})")
    if tuple(w_hh.shape) != (G, H):
        raise ValueError(f"{mode}: weight_hh has shape {tuple(w_hh.shape)}, expected ({G}, {H})")
    if tuple(h0.shape) != (gx.shape[1], H):
        raise ValueError(f"{mode}: initial hidden state has shape {tuple(h0.shape)}, expected ({gx.shape[1]}, {H})")
    bias = () if b_hh is None else (b_hh,)
    if mode == "lstm":
        if c0 is None or tuple(c0.shape) != tuple(h0.shape):
            raise ValueError(f"lstm: initial cell state must have shape {tuple(h0.shape)}, got {None if c0 is None else tuple(c0.shape)}")
        lstm = OPS["lstm_sequence"]  # ops/lstm.py (it builds on this module, so it is found by its registered name)
        return lstm.apply(gx, h0, c0, w_hh, *bias, reverse=reverse, has_bias=b_hh is not None)
    if mode == "gru":
        return GRUSequence.apply(gx, h0, w_hh, *bias, reverse=reverse, has_bias=b_hh is not None)
    return RNNSequence.apply(gx, h0, w_hh, *bias, reverse=reverse, has_bias=b_hh is not None, nonlinearity=mode[4:])
