"""``MultiheadAttention`` with PyTorch's parameters, masks and return values.

With E = embed_dim split into h heads of size E/h::

    q = query W_q^T + b_q,  k = key W_k^T + b_k,  v = value W_v^T + b_v     (W_q|W_k|W_v = in_proj_weight)
    head_i = softmax(q_i k_i^T / sqrt(E/h) + mask) v_i                     (each on its own E/h slice)
    out = concat(head_1..head_h) W_o^T + b_o                                (out_proj)

Masks (PyTorch's conventions for this module): a bool ``attn_mask`` (L, S) or
(B*h, L, S) is True where attention is *not* allowed; a bool
``key_padding_mask`` (B, S) is True at padded keys; float masks are added to
the scores.
"""

from __future__ import annotations

import math
from typing import Any

from ..creation import empty
from ..ops.attention import PackedSelfAttention, additive_mask, attention, causal_mask
from ..random import dropout_mask
from ..ops.linalg import linear
from ..tensor import Tensor
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter


class MultiheadAttention(Module):
    """Multi-head attention; ``forward(query, key, value, ...) -> (output, weights or None)``."""

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads {num_heads}")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not supported")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = float(dropout), batch_first
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            assert self.out_proj.bias is not None  # (made with the same bias flag as in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _projection_weights(self) -> tuple[Tensor, Tensor, Tensor]:
        if self._qkv_same_embed_dim:
            return self.in_proj_weight.chunk(3, 0)  # type: ignore[return-value]
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight

    def _heads(self, x: Tensor) -> Tensor:
        """(B, L, E) -> (B, h, L, E/h)"""
        B, L, _ = x.shape
        return x.reshape(B, L, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def _mask(
        self, attn_mask: Tensor | None, key_padding_mask: Tensor | None, is_causal: bool, B: int, L: int, S: int, dtype: Any, like: Any
    ) -> Tensor | None:
        """All masks combined into one additive tensor broadcastable to (B, h, L, S)."""
        mask = None
        if attn_mask is not None:
            if attn_mask.ndim == 2:
                if tuple(attn_mask.shape) != (L, S):
                    raise ValueError(f"MultiheadAttention: attn_mask has shape {tuple(attn_mask.shape)}, expected ({L}, {S})")
                mask = additive_mask(attn_mask, dtype, allowed_when_true=False)
            elif attn_mask.ndim == 3:
                if tuple(attn_mask.shape) != (B * self.num_heads, L, S):
                    raise ValueError(
                        f"MultiheadAttention: 3-D attn_mask has shape {tuple(attn_mask.shape)}, expected ({B * self.num_heads}, {L}, {S})"
                    )
                mask = additive_mask(attn_mask, dtype, allowed_when_true=False).reshape(B, self.num_heads, L, S)
            else:
                raise ValueError(f"MultiheadAttention: attn_mask must be 2-D or 3-D, got shape {tuple(attn_mask.shape)}")
        elif is_causal:
            mask = causal_mask(L, S, dtype, like)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (B, S):
                raise ValueError(f"MultiheadAttention: key_padding_mask has shape {tuple(key_padding_mask.shape)}, expected ({B}, {S})")
            kpm = additive_mask(key_padding_mask, dtype, allowed_when_true=False).reshape(B, 1, 1, S)
            mask = kpm if mask is None else mask + kpm
        return mask

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(
                f"MultiheadAttention: query, key, value must all be 2-D or 3-D, got {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        if query.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query has {query.shape[-1]} features (shape {tuple(query.shape)}), expected {self.embed_dim}")
        if not batched:  # (L, E) -> (1, L, E)
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            key_padding_mask = key_padding_mask.unsqueeze(0) if key_padding_mask is not None else None
        elif not self.batch_first:  # (L, B, E) -> (B, L, E)
            same_kv = key is value
            same_qk = query is key
            query = query.transpose(0, 1)
            key = query if same_qk else key.transpose(0, 1)
            value = key if same_kv else value.transpose(0, 1)
        B, L, _ = query.shape
        S = key.shape[1]
        p = self.dropout if self.training else 0.0
        mask = self._mask(attn_mask, key_padding_mask, is_causal, B, L, S, query.dtype, query._data)
        packed = query is key is value and self._qkv_same_embed_dim and not need_weights
        if packed and (mask is None or not mask.requires_grad):
            # self-attention: one (E -> 3E) projection and one fused op (the path TransformerEncoderLayer takes)
            qkv = linear(query, self.in_proj_weight, self.in_proj_bias)
            mask_array = None if mask is None else mask._data
            drop = dropout_mask((B, self.num_heads, L, S), p, query.dtype, query._data) if p > 0.0 else None
            out = PackedSelfAttention.apply(qkv, mask=mask_array, scale=1.0 / math.sqrt(self.head_dim), heads=self.num_heads, drop=drop)
            out = self.out_proj(out)
            return (out if self.batch_first else out.transpose(0, 1)), None
        w_q, w_k, w_v = self._projection_weights()
        b_q = b_k = b_v = None
        if self.in_proj_bias is not None:
            b_q, b_k, b_v = self.in_proj_bias.chunk(3, 0)
        q = self._heads(linear(query, w_q, b_q))
        k = self._heads(linear(key, w_k, b_k))
        v = self._heads(linear(value, w_v, b_v))
        out, weights = attention(q, k, v, mask, p)  # (B, h, L, E/h), (B, h, L, S)
        out = self.out_proj(out.permute(0, 2, 1, 3).reshape(B, L, self.embed_dim))
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.mean(1) if average_attn_weights else weights
        return out, (weights if batched else weights.squeeze(0))

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, batch_first={self.batch_first}"
