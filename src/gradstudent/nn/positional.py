"""Position information for attention models, which otherwise see a *set* of tokens.

* :class:`SinusoidalPositionalEncoding` (fixed, "Attention is all you need")::

      pe[p, 2i] = sin(p / 10000^(2i/d))     pe[p, 2i+1] = cos(p / 10000^(2i/d))

* :class:`LearnedPositionalEmbedding`: a trainable table, one vector per position (GPT-2).
* :class:`RotaryEmbedding` (RoPE): rotates each pair of query/key features by an angle
  proportional to the position, so the score q_m . k_n depends only on m - n::

      rot(x)[.., j]       = x[.., j] cos(p theta_j) - x[.., j + d/2] sin(p theta_j)
      rot(x)[.., j + d/2] = x[.., j + d/2] cos(p theta_j) + x[.., j] sin(p theta_j),  theta_j = base^(-2j/d)
"""

from __future__ import annotations

import math
import numpy as np

from ..creation import arange
from ..ops.shape import cat
from ..tensor import Tensor
from .dropout import Dropout
from .module import Module
from .sparse import Embedding


def sinusoidal_table(max_len: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """(max_len, d_model) float32 table of sines (even columns) and cosines (odd columns)."""
    pos = np.arange(max_len, dtype=np.float64)[:, None]
    freq = np.exp(-math.log(base) * np.arange(0, d_model, 2, dtype=np.float64) / d_model)
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq[: d_model // 2])
    return pe.astype(np.float32)


class SinusoidalPositionalEncoding(Module):
    """x + pe[:T] (then dropout); x is (B, T, d) with ``batch_first`` (default) or (T, B, d)."""

    def __init__(self, d_model: int, max_len: int = 5000, dropout: float = 0.0, batch_first: bool = True) -> None:
        super().__init__()
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        self.dropout = Dropout(dropout)
        self.register_buffer("pe", Tensor(sinusoidal_table(max_len, d_model)), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        T = x.shape[1] if self.batch_first else x.shape[0]
        if T > self.max_len:
            raise ValueError(f"SinusoidalPositionalEncoding: sequence length {T} exceeds max_len={self.max_len}")
        pe = self.pe[:T].type(x.dtype)
        return self.dropout(x + (pe if self.batch_first else pe.unsqueeze(1)))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}"


class LearnedPositionalEmbedding(Module):
    """A trainable (max_len, d_model) table; ``forward(x)`` returns x + table[offset : offset + T]."""

    def __init__(self, max_len: int, d_model: int, batch_first: bool = True) -> None:
        super().__init__()
        self.max_len, self.batch_first = max_len, batch_first
        self.embedding = Embedding(max_len, d_model)

    def positions(self, T: int, offset: int = 0) -> Tensor:
        """The (T, d_model) embeddings of positions offset..offset+T-1."""
        if offset + T > self.max_len:
            raise ValueError(f"LearnedPositionalEmbedding: positions up to {offset + T} exceed max_len={self.max_len}")
        return self.embedding(arange(offset, offset + T))

    def forward(self, x: Tensor, offset: int = 0) -> Tensor:
        T = x.shape[1] if self.batch_first else x.shape[0]
        pe = self.positions(T, offset)
        return x + (pe if self.batch_first else pe.unsqueeze(1))


class RotaryEmbedding(Module):
    """Rotary position embedding applied to queries/keys of shape (..., T, dim); dim must be even."""

    def __init__(self, dim: int, max_len: int = 4096, base: float = 10000.0) -> None:
        super().__init__()
        if dim % 2:
            raise ValueError(f"RotaryEmbedding: dim must be even, got {dim}")
        self.dim, self.max_len, self.base = dim, max_len, base
        theta = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)  # (dim/2,)
        angles = np.arange(max_len, dtype=np.float64)[:, None] * theta  # (max_len, dim/2)
        angles = np.concatenate([angles, angles], axis=1)  # same angle for feature j and j + dim/2
        self.register_buffer("cos", Tensor(np.cos(angles).astype(np.float32)), persistent=False)
        self.register_buffer("sin", Tensor(np.sin(angles).astype(np.float32)), persistent=False)

    def forward(self, x: Tensor, offset: int = 0) -> Tensor:
        T = x.shape[-2]
        if x.shape[-1] != self.dim:
            raise ValueError(f"RotaryEmbedding: last dim of input is {x.shape[-1]} (shape {tuple(x.shape)}), expected {self.dim}")
        if offset + T > self.max_len:
            raise ValueError(f"RotaryEmbedding: positions up to {offset + T} exceed max_len={self.max_len}")
        cos = self.cos[offset : offset + T].type(x.dtype)
        sin = self.sin[offset : offset + T].type(x.dtype)
        half = self.dim // 2
        x1, x2 = x[..., :half], x[..., half:]
        rotated = cat([-x2, x1], -1)  # multiplying by sin completes the 2-D rotation of (x1, x2)
        return x * cos + rotated * sin

    def extra_repr(self) -> str:
        return f"dim={self.dim}, max_len={self.max_len}, base={self.base}"
