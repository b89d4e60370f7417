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

Speed trick: sigmoid(x) = (1 + tanh(x/2)) / 2, so after halving the i, f, o
columns of the pre-activations (and of W_hh^T, once), a single tanh pass over
the whole (B, 4H) block computes all four gates (NumPy's tanh is vectorized
and several times faster than scipy's expit).
"""

from __future__ import annotations

from ..autograd.function import register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from .rnn import Recurrence, _split_inputs, _weight_grads, previous, time_order


@register("lstm_sequence")
class LSTMSequence(Recurrence):
    """inputs (gx (T, B, 4H), h0 (B, H), c0 (B, H), W_hh (4H, H), [b_hh (4H,)]) -> (T + 1, B, H)"""

    has_cell_state = True

    def run(self, gx: Array, h0: Array, c0: Array, *rest: Array) -> Array:
        xp = get_array_module(gx)
        _, _, _, w_hh, b_hh = _split_inputs((gx, h0, c0) + rest, True, self.has_bias)
        T, B, G = gx.shape
        H = G // 4
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: with the i, f, o columns halved beforehand,
        # one tanh pass over the (B, 4H) block then `* scale + shift` gives all four gates
        scale = xp.full(G, 0.5, dtype=gx.dtype)
        scale[2 * H : 3 * H] = 1.0
        shift = 0.5 * (scale != 1.0).astype(gx.dtype)
        acts = xp.empty((T, B, G), dtype=gx.dtype)  # pre-activations, then the gates i, f, g, o
        if b_hh is not None:
            xp.add(gx, b_hh, out=acts)
        else:
            acts[...] = gx
        acts *= scale
        wT = w_hh.T * scale  # (H, 4H), columns scaled like the pre-activations
        out = xp.empty((T + 1, B, H), dtype=gx.dtype)
        cs = xp.empty((T, B, H), dtype=gx.dtype)
        tanh_c = xp.empty((T, B, H), dtype=gx.dtype)
        rec = xp.empty((B, G), dtype=gx.dtype)
        h, c = h0, c0
        for t in time_order(T, self.reverse):
            a = acts[t]
            xp.matmul(h, wT, out=rec)
            a += rec
            xp.tanh(a, out=a)
            a *= scale
            a += shift  # a = [i, f, g, o]
            ct = cs[t]
            xp.multiply(a[:, H : 2 * H], c, out=ct)  # c = f * c_prev + i * g
            ct += a[:, :H] * a[:, 2 * H : 3 * H]
            xp.tanh(ct, out=tanh_c[t])
            xp.multiply(a[:, 3 * H :], tanh_c[t], out=out[t])  # h = o * tanh(c)
            h, c = out[t], ct
        out[T] = c
        self.acts, self.cs, self.tanh_c, self.out = acts, cs, tanh_c, out
        return out

    def bptt(self, grad: Array) -> tuple[Array | None, ...]:
        xp = get_array_module(grad)
        _, h0, c0, w_hh, _ = _split_inputs(tuple(t.data for t in self.inputs), True, self.has_bias)
        acts, cs, tanh_c = self.acts, self.cs, self.tanh_c
        T, B, G = acts.shape
        H = G // 4
        i, f, g, o = acts[..., :H], acts[..., H : 2 * H], acts[..., 2 * H : 3 * H], acts[..., 3 * H :]
        # activation derivatives, for all steps at once: sigmoid' = s (1 - s), tanh' = 1 - g^2
        dact = acts * (1.0 - acts)
        dact[..., 2 * H : 3 * H] = 1.0 - g * g
        o_dtanh = o * (1.0 - tanh_c * tanh_c)  # d h / d c = o * tanh'(c)
        c_prev = previous(cs, c0, self.reverse)
        dpre = xp.empty_like(acts)
        dh = xp.zeros_like(h0)
        dc = grad[T].copy()  # gradient of the returned final cell state
        for t in reversed(time_order(T, self.reverse)):
            dh = dh + grad[t]
            dc += dh * o_dtanh[t]
            d = dpre[t]
            xp.multiply(dc, g[t], out=d[:, :H])  # di
            xp.multiply(dc, c_prev[t], out=d[:, H : 2 * H])  # df
            xp.multiply(dc, i[t], out=d[:, 2 * H : 3 * H])  # dg
            xp.multiply(dh, tanh_c[t], out=d[:, 3 * H :])  # do
            d *= dact[t]
            dc *= f[t]  # gradient reaching c[t-1]
            dh = d @ w_hh  # gradient reaching h[t-1]
        gw, gb = _weight_grads(xp, dpre, previous(self.out[:T], h0, self.reverse), self.has_bias)
        return (dpre, dh, dc, gw) + ((gb,) if self.has_bias else ())

    @staticmethod
    def unroll(gx: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, *b: Tensor, reverse: bool, has_bias: bool) -> Tensor:
        """The same LSTM written with ordinary differentiable Tensor ops (reference and create_graph path)."""
        from .shape import cat, stack

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
