"""Scaled dot-product attention, composed from differentiable ops.

For queries q (..., L, E), keys k (..., S, E) and values v (..., S, Ev)::

    scores[.., l, s] = scale * sum_e q[.., l, e] k[.., s, e]     (scale = 1/sqrt(E) by default)
    scores += mask                                            (-inf where attention is not allowed)
    A[.., l, :] = softmax(scores[.., l, :])                   (each query's weights over the keys sum to 1)
    out[.., l, :] = sum_s A[.., l, s] v[.., s, :]

Every step is an existing op (matmul, add, softmax, dropout), so the gradient
and the second derivative come from their chain rules. Masks are turned into
an *additive* constant (0 or -inf) once, so applying them is one broadcast add
whose backward passes the gradient through unchanged.

Mask conventions follow PyTorch: for ``scaled_dot_product_attention`` a bool
``attn_mask`` is True where attention is *allowed*; a float mask is added.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from ..backend import Array, get_array_module
from ..tensor import Tensor


@lru_cache(maxsize=32)
def _causal_mask_np(L: int, S: int, dtype: str) -> np.ndarray:
    """(L, S) additive mask: 0 on and below the diagonal, -inf above (query l sees keys s <= l)."""
    m = np.zeros((L, S), dtype=dtype)
    m[np.triu_indices(L, 1, S)] = -np.inf
    m.setflags(write=False)
    return m


def causal_mask(L: int, S: int | None = None, dtype: Any = np.float32, like: Array | None = None) -> Tensor:
    """The additive causal mask as a Tensor (constant, read-only)."""
    m = _causal_mask_np(L, L if S is None else S, np.dtype(dtype).name)
    if like is not None and get_array_module(like) is not np:  # pragma: no cover - GPU
        m = get_array_module(like).asarray(m)
    return Tensor._make(m)


def additive_mask(mask: Tensor, dtype: Any, allowed_when_true: bool) -> Tensor:
    """A bool mask as 0 / -inf (float masks are returned as they are, in ``dtype``)."""
    if mask.dtype.kind == "b":
        xp = get_array_module(mask.data)
        blocked = ~mask.data if allowed_when_true else mask.data
        out = xp.zeros(mask.shape, dtype=dtype)
        out[blocked] = -xp.inf
        return Tensor._make(out)
    if mask.dtype.kind != "f":
        raise TypeError(f"attention: masks must be bool or float tensors, got {mask.dtype}")
    return mask if mask.dtype == dtype else mask.type(dtype)


def attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    dropout_p: float = 0.0,
    scale: float | None = None,
    generator: Any = None,
) -> tuple[Tensor, Tensor]:
    """The attention computation with an already-additive ``mask``; returns (output, weights)."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q * scale) @ k.mT  # scaling q (L x E) is cheaper than scaling the scores (L x S)
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(-1)
    if dropout_p > 0.0:
        from ..nn.functional import dropout

        weights = dropout(weights, dropout_p, True, generator)
    return weights @ v, weights


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    generator: Any = None,
) -> Tensor:
    """``F.scaled_dot_product_attention`` with PyTorch's arguments (see the module docstring)."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if t.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} needs at least 2 dims (..., seq, features), got {tuple(t.shape)}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"scaled_dot_product_attention: query and key feature sizes differ: {tuple(query.shape)} vs {tuple(key.shape)}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: key and value sequence lengths differ: {tuple(key.shape)} vs {tuple(value.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both")
    L, S = query.shape[-2], key.shape[-2]
    mask = None
    if is_causal:
        mask = causal_mask(L, S, query.dtype, query.data)
    elif attn_mask is not None:
        mask = additive_mask(attn_mask, query.dtype, allowed_when_true=True)
    out, _ = attention(query, key, value, mask, dropout_p, scale, generator)
    return out
