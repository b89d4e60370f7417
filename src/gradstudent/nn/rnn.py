"""Recurrent layers with PyTorch's interface: ``RNN``, ``GRU``, ``LSTM`` and their one-step cells.

Parameter names, shapes and initialisation are PyTorch's, so ``state_dict``s move
between the two libraries. For layer ``k`` (and ``_reverse`` for the backward
direction of a bidirectional layer), with G = 1 (RNN), 3 (GRU) or 4 (LSTM) gates::

    weight_ih_l{k}: (G*H, input size of layer k)    weight_hh_l{k}: (G*H, H)
    bias_ih_l{k}:   (G*H,)                          bias_hh_l{k}:   (G*H,)

all initialised U(-1/sqrt(H), 1/sqrt(H)). Each layer first projects the whole
input sequence with one GEMM (``x @ W_ih^T``), then runs the time loop as one
op (:func:`gradstudent.ops.rnn.recurrence`).

Truncated backpropagation through time: carry the final state into the next
chunk with ``.detach()`` (``h = h.detach()``) so gradients stop at the chunk edge.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..creation import empty, zeros
from ..ops.linalg import linear
from ..ops.rnn import recurrence
from ..ops.shape import cat, stack
from ..tensor import Tensor
from . import init
from .functional import dropout as _dropout
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}
_OP_MODE = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "GRU": "gru", "LSTM": "lstm"}


class RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`GRU` and :class:`LSTM`."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError("LSTM: proj_size (projected hidden states) is not supported")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{mode}: dropout must be in [0, 1], got {dropout}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"dropout={dropout} acts only between recurrent layers, so with num_layers=1 it does nothing",
                stacklevel=3,
            )
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        G = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                setattr(self, "weight_ih" + sfx, Parameter(empty(G, layer_in, dtype=dtype)))
                setattr(self, "weight_hh" + sfx, Parameter(empty(G, hidden_size, dtype=dtype)))
                if bias:
                    setattr(self, "bias_ih" + sfx, Parameter(empty(G, dtype=dtype)))
                    setattr(self, "bias_hh" + sfx, Parameter(empty(G, dtype=dtype)))
        self.reset_parameters()

    def flatten_parameters(self) -> None:
        """A no-op, kept so PyTorch code runs: PyTorch packs the weights into one
        contiguous cuDNN buffer here; gradstudent's weights need no packing."""

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _layer_params(self, layer: int, d: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
        get = self._parameters.get
        return get("weight_ih" + sfx), get("weight_hh" + sfx), get("bias_ih" + sfx), get("bias_hh" + sfx)  # type: ignore[return-value]

    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None]:
        """x: (T, B, I) time-major; h0, c0: (layers * dirs, B, H). Returns (output, h_n, c_n)."""
        T = x.shape[0]
        dirs = 2 if self.bidirectional else 1
        op_mode = _OP_MODE[self.mode]
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh = self._layer_params(layer, d)
                k = layer * dirs + d
                if b_ih is not None and b_hh is not None and self.mode != "GRU":
                    # b_ih and b_hh are only ever added together (the GRU's b_hn is not): adding their
                    # sum once inside the recurrence saves a pass over the (T, B, G*H) projection
                    b_ih, b_hh = None, b_ih + b_hh
                gx = linear(x, w_ih, b_ih)  # (T, B, G*H): all time steps in one GEMM
                out = recurrence(op_mode, gx, h0[k], w_hh, b_hh, None if c0 is None else c0[k], reverse=d == 1)
                hs = out[:T] if c0 is not None else out
                h_n.append(hs[0] if d == 1 else hs[T - 1])  # the last step processed
                if c0 is not None:
                    c_n.append(out[T])
                outs.append(hs)
            x = outs[0] if dirs == 1 else cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, stack(h_n), (stack(c_n) if c0 is not None else None)

    def _prepare(self, input: Tensor, hx: Any) -> tuple[Tensor, Tensor, Tensor | None, bool]:
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: expected a 2-D (unbatched) or 3-D input, got shape {tuple(input.shape)}")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input has {input.shape[-1]} features (shape {tuple(input.shape)}) but input_size={self.input_size}")
        batched = input.ndim == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        B = x.shape[1]
        state_shape = (self.num_layers * (2 if self.bidirectional else 1), B, self.hidden_size)
        is_lstm = self.mode == "LSTM"
        if hx is None:
            h0 = zeros(*state_shape, dtype=x.dtype)
            c0 = zeros(*state_shape, dtype=x.dtype) if is_lstm else None
        else:
            if is_lstm:
                if not isinstance(hx, tuple | list) or len(hx) != 2:
                    raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            for label, s in (("h_0", h0), ("c_0", c0)):
                if s is not None and tuple(s.shape) != state_shape:
                    raise ValueError(f"{name}: {label} has shape {tuple(s.shape)}, expected {state_shape}")
        return x, h0, c0, batched

    def _finish(self, out: Tensor, batched: bool) -> Tensor:
        if not batched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out

    def forward(self, input: Tensor, hx: Any = None) -> Any:
        x, h0, c0, batched = self._prepare(input, hx)
        out, h_n, c_n = self._run(x, h0, c0)
        out = self._finish(out, batched)
        if not batched:
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return (out, (h_n, c_n)) if self.mode == "LSTM" else (out, h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h[t] = act(x[t] W_ih^T + b_ih + h[t-1] W_hh^T + b_hh), act = tanh or relu.

    Input (T, B, input_size) (or (B, T, .) with ``batch_first``); returns
    ``(output (T, B, D*H), h_n (D*num_layers, B, H))``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, **kwargs)
        self.nonlinearity = nonlinearity


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n as in PyTorch); returns ``(output, h_n)``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, **kwargs: Any) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o as in PyTorch); returns ``(output, (h_n, c_n))``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, **kwargs: Any) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, **kwargs)


# ---------------------------------------------------------------- single-step cells
class RNNCellBase(Module):
    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty(gates * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gates * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gates * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(gates * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, mode: str, x: Tensor, h: Tensor | None, c: Tensor | None = None) -> tuple[Tensor, Tensor, bool]:
        """One step as a length-1 sequence of the whole-sequence op; returns (packed output, x, batched)."""
        name = type(self).__name__
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input (B, {self.input_size}) or ({self.input_size},), got shape {tuple(x.shape)}")
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
            h = h.unsqueeze(0) if h is not None else None
            c = c.unsqueeze(0) if c is not None else None
        shape = (x.shape[0], self.hidden_size)
        h = zeros(*shape, dtype=x.dtype) if h is None else h
        if mode == "lstm":
            c = zeros(*shape, dtype=x.dtype) if c is None else c
        gx = linear(x, self.weight_ih, self.bias_ih).unsqueeze(0)
        return recurrence(mode, gx, h, self.weight_hh, self.bias_hh, c), x, batched

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)"""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, 1, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        out, _, batched = self._step("rnn_" + self.nonlinearity, input, hx)
        return out[0] if batched else out[0, 0]


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        out, _, batched = self._step("gru", input, hx)
        return out[0] if batched else out[0, 0]


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h', c') = cell(x, (h, c))``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h, c = (None, None) if hx is None else hx
        out, _, batched = self._step("lstm", input, h, c)
        return (out[0], out[1]) if batched else (out[0, 0], out[1, 0])
