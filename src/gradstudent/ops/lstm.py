"""The LSTM as one whole-sequence op (see :mod:`gradstudent.ops.rnn` for the idea).

PyTorch's LSTM, gates ordered (i, f, g, o), with ``gx = x W_ih^T + b_ih``::

    [i, f, g, o] = gx[t] + h[t-1] @ W_hh^T + b_hh        (B, 4H) pre-activations
    i, f, o = sigmoid(.)        g = tanh(.)
    c[t] = f * c[t-1] + i * g
    h[t] = o * tanh(c[t])

Output: all hidden states and the final cell state packed as (T + 1, B, H):
``out[:T]`` are h[0..T-1], ``out[T]`` is the last cell state.

Backward through time (``dh``, ``dc``: gradients reaching h[t], c[t])::

    dc = dc + dh * o * (1 - tanh(c)^2)
    do = dh * tanh(c)    di = dc * g    dg = dc * i    df = dc * c[t-1]
    dpre = [di, df, dg, do] * (activation derivatives)    -> gx.grad[t]
    dc[t-1] = dc * f     dh[t-1] = dpre @ W_hh (+ out.grad[t-1])

Speed notes (measured on CPU, NumPy + OpenBLAS):

* sigmoid(x) = (1 + tanh(x/2)) / 2, so after halving the i, f, o columns of the
  pre-activations a single tanh pass over the whole (B, 4H) block computes all
  four gates (NumPy's tanh is vectorized, several times faster than scipy's expit);
* both loops work on one step's (B, 4H) / (B, H) blocks with preallocated buffers
  and ``out=`` arguments: whole-sequence elementwise passes over (T, B, 4H) arrays
  run from main memory and were slower than the same work done per step in cache;
* W_hh^T is made C-contiguous once: OpenBLAS is ~30% faster with it for (B, H) @ (H, 4H);
* tanh(c) is recomputed in backward rather than stored (one cheap pass per step);
* W_hh's gradient is one GEMM over all T*B rows after the loop, not T small ones.
"""

from __future__ import annotations

from ..autograd.function import register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from .rnn import Recurrence, _split_inputs, _weight_grads, time_order
from .shape import cat, stack


@register("lstm_sequence")
class LSTMSequence(Recurrence):
    """inputs (gx (T, B, 4H), h0 (B, H), c0 (B, H), W_hh (4H, H), [b_hh (4H,)]) -> (T + 1, B, H)"""

    has_cell_state = True

    def run(self, gx: Array, h0: Array, c0: Array, *rest: Array) -> Array:
        xp = get_array_module(gx)
        _, _, _, w_hh, b_hh = _split_inputs((gx, h0, c0) + rest, True, self.has_bias)
        T, B, G = gx.shape
        H = G // 4
        dt = gx.dtype
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: with the i, f, o columns halved beforehand,
        # one tanh pass over the (B, 4H) block then `* scale + shift` gives all four gates
        scale = xp.full(G, 0.5, dtype=dt)
        scale[2 * H : 3 * H] = 1.0
        shift = 0.5 * (scale != 1.0).astype(dt)
        acts = xp.empty((T, B, G), dtype=dt)  # per step: pre-activations, then the gates i, f, g, o
        wT = xp.ascontiguousarray(w_hh.T)  # (H, 4H); C-contiguous is faster for BLAS
        out = xp.empty((T + 1, B, H), dtype=dt)  # h[0..T-1], then the last c
        cs = xp.empty((T, B, H), dtype=dt)
        ig, tc = xp.empty((B, H), dtype=dt), xp.empty((B, H), dtype=dt)  # per-step buffers, reused
        h, c = h0, c0
        for t in time_order(T, self.reverse):
            a, ct = acts[t], cs[t]
            xp.matmul(h, wT, out=a)  # h[t-1] W_hh^T + gx[t] + b_hh
            a += gx[t]
            if b_hh is not None:
                a += b_hh
            a *= scale
            xp.tanh(a, out=a)
            a *= scale
            a += shift  # a = [i, f, g, o]
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            xp.multiply(f, c, out=ct)  # c = f * c_prev + i * g
            xp.multiply(i, g, out=ig)
            ct += ig
            xp.tanh(ct, out=tc)
            xp.multiply(o, tc, out=out[t])  # h = o * tanh(c)
            h, c = out[t], ct
        out[T] = c
        self.acts, self.cs, self.out = acts, cs, out  # tanh(c) is recomputed in backward
        return out

    def bptt(self, grad: Array) -> tuple[Array | None, ...]:
        """One backward step per time step, everything on (B, H) / (B, 4H) blocks that stay in cache."""
        xp = get_array_module(grad)
        _, h0, c0, w_hh, _ = _split_inputs(tuple(t._data for t in self.inputs), True, self.has_bias)
        acts, cs = self.acts, self.cs
        T, B, G = acts.shape
        H = G // 4
        order = time_order(T, self.reverse)
        dpre = xp.empty_like(acts)  # pre-activation gradients [di, df, dg, do], (T, B, 4H)
        dact = xp.empty((B, G), dtype=acts.dtype)  # activation derivatives of one step
        tmp, tc = xp.empty((B, H), dtype=acts.dtype), xp.empty((B, H), dtype=acts.dtype)
        dh = xp.zeros_like(h0)  # gradient reaching h[t] from step t+1
        dc = grad[T].copy()  # gradient reaching c[t]; starts as that of the returned final cell state
        for t in reversed(order):
            a, d = acts[t], dpre[t]
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            c_prev = c0 if t == order[0] else cs[t + (1 if self.reverse else -1)]
            dh += grad[t]  # dh[b, j] += out.grad[t, b, j]
            xp.tanh(cs[t], out=tc)
            xp.multiply(tc, tc, out=tmp)  # dc[b, j] += dh[b, j] o[b, j] (1 - tanh(c)[b, j]^2)
            xp.subtract(1.0, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp
            xp.multiply(dc, g, out=d[:, :H])  # di = dc * g
            xp.multiply(dc, c_prev, out=d[:, H : 2 * H])  # df = dc * c[t-1]
            xp.multiply(dc, i, out=d[:, 2 * H : 3 * H])  # dg = dc * i
            xp.multiply(dh, tc, out=d[:, 3 * H :])  # do = dh * tanh(c)
            xp.subtract(1.0, a, out=dact)  # sigmoid' = s (1 - s) ...
            dact *= a
            gd = dact[:, 2 * H : 3 * H]
            xp.multiply(g, g, out=gd)  # ... and tanh' = 1 - g^2 for the g block
            xp.subtract(1.0, gd, out=gd)
            d *= dact  # dpre[t, b, k] = d[b, k] * act'[b, k]
            dc *= f  # dc[t-1, b, j] = dc[t, b, j] f[b, j]
            xp.matmul(d, w_hh, out=dh)  # dh[t-1, b, j] = sum_k dpre[t, b, k] W_hh[k, j]
        gw, gb = _weight_grads(dpre, self.out[:T], h0, self.reverse, self.has_bias)
        return (dpre, dh, dc, gw) + ((gb,) if self.has_bias else ())

    @staticmethod
    def unroll(gx: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, *b: Tensor, reverse: bool, has_bias: bool) -> Tensor:
        """The same LSTM written with ordinary differentiable Tensor ops (reference and create_graph path)."""
        H = h0.shape[-1]
        h, c, hs = h0, c0, {}
        for t in time_order(gx.shape[0], reverse):
            pre = gx[t] + h @ w_hh.mT
            if has_bias:
                pre = pre + b[0]
            i, f, g, o = pre.split(H, 1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            hs[t] = h
        return cat([stack([hs[t] for t in range(gx.shape[0])]), c.unsqueeze(0)], 0)
