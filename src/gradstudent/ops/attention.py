"""Scaled dot-product attention: a composition of differentiable ops, and the same math fused.

For queries q (..., L, E), keys k (..., S, E) and values v (..., S, Ev)::

    scores[.., l, s] = scale * sum_e q[.., l, e] k[.., s, e]     (scale = 1/sqrt(E) by default)
    scores += mask                                            (-inf where attention is not allowed)
    A[.., l, :] = softmax(scores[.., l, :])                   (each query's weights over the keys sum to 1)
    out[.., l, :] = sum_s A[.., l, s] v[.., s, :]

``attention`` composes existing ops (matmul, add, softmax, dropout), so the gradient
and the second derivative come from their chain rules. ``FusedAttention`` and
``PackedSelfAttention`` compute the same thing as single ops (with g = out.grad)::

    v.grad = A^T g                      dA = g v^T
    dS[.., l, s] = A[.., l, s] (dA[.., l, s] - sum_s' dA[.., l, s'] A[.., l, s'])   (softmax backward)
    q.grad = scale dS k                 k.grad = scale dS^T q

which skips the intermediate tensors' bookkeeping and passes over memory; the
packed form takes the (B, L, 3E) output of one input projection and returns the
heads already merged into (B, L, E). Masks are turned into
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

from ..autograd.function import Function, register
from ..backend import Array, backend_of, get_array_module
from ..random import dropout_mask
from ..tensor import Tensor
from ._util import sum_last_axis


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
    if like is not None:
        m = backend_of(like).from_host(m)  # (the cached host array itself on the CPU)
    return Tensor._make(m)


def additive_mask(mask: Tensor, dtype: Any, allowed_when_true: bool) -> Tensor:
    """A bool mask as 0 / -inf (float masks are returned as they are, in ``dtype``)."""
    if mask.dtype.kind == "b":
        xp = get_array_module(mask._data)
        blocked = ~mask._data if allowed_when_true else mask._data
        out = xp.zeros(mask.shape, dtype=dtype)
        out[blocked] = -xp.inf
        return Tensor._make(out)
    if mask.dtype.kind != "f":
        raise TypeError(f"attention: masks must be bool or float tensors, got {mask.dtype}")
    return mask if mask.dtype == dtype else mask.type(dtype)


def _attend(q: Array, k: Array, v: Array, mask: Array | None, scale: float, drop: Array | None = None) -> tuple[Array, Array]:
    """Arrays (.., L, E), (.., S, E), (.., S, Ev) -> (out (.., L, Ev), weights A (.., L, S)); with
    ``drop`` (a 0 or 1/(1-p) dropout mask of A's shape) the output is (A * drop) @ v.

    Softmax is shift-invariant, and any shift at least the row's max keeps exp from overflowing.
    Each (L, S) score matrix is shifted by its own max (one long contiguous reduction: NumPy's
    max over 64-wide rows is ~10x slower); a row whose entries all fall far below that shift
    (its sum under ~sqrt(tiny)) would lose precision or underflow, so it is redone with its own max.
    """
    xp = get_array_module(q)
    a = (q * scale) @ xp.swapaxes(k, -1, -2)   # scores; scaling q (L x E) is cheaper than the scores (L x S)
    L, S = a.shape[-2:]
    flat = a.reshape(-1, L * S)                # a view: `a` is a fresh C-contiguous array
    flat -= flat.max(axis=1, keepdims=True)    # shift each score matrix by its max (before the mask: an upper bound)
    if mask is not None:
        a += mask
    xp.exp(a, out=a)
    sums = sum_last_axis(a)
    low = sums < xp.finfo(a.dtype).tiny ** 0.5
    if low.any():
        _redo_rows(a, sums, low, q, k, mask, scale)
    a /= sums[..., None]
    return (a if drop is None else a * drop) @ v, a


def _redo_rows(a: Array, sums: Array, rows: Array, q: Array, k: Array, mask: Array | None, scale: float) -> None:
    """Recompute exp(scores - row max) and the sums for the ``rows`` (a bool mask over a's leading dims)."""
    xp = get_array_module(a)
    idx = xp.nonzero(rows)                     # (batch indices..., query index l)
    batch = a.shape[:-2]
    qs = xp.broadcast_to(q, batch + q.shape[-2:])[idx] * scale              # (n, E)
    ks = xp.broadcast_to(k, batch + k.shape[-2:])[idx[:-1]]                 # (n, S, E)
    s = (ks @ qs[:, :, None])[:, :, 0]                                      # (n, S) scores
    if mask is not None:
        s += xp.broadcast_to(mask, a.shape)[idx]
    s -= s.max(axis=-1, keepdims=True)
    xp.exp(s, out=s)
    a[idx] = s
    sums[idx] = s.sum(axis=-1)


def _attend_grad(g: Array, q: Array, k: Array, v: Array, a: Array, scale: float, drop: Array | None = None) -> tuple[Array, Array, Array]:
    """(q.grad, k.grad, v.grad) from out.grad ``g`` and the weights ``a`` (formulas in the module docstring;
    with dropout, v sees A * drop and the weights' gradient dA is multiplied by drop)."""
    xp = get_array_module(g)
    gv = xp.swapaxes(a if drop is None else a * drop, -1, -2) @ g  # v.grad[s, e] = sum_l A[l, s] g[l, e]
    ds = g @ xp.swapaxes(v, -1, -2)              # dA[l, s] = sum_e g[l, e] v[s, e]
    if drop is not None:
        ds *= drop
    row = sum_last_axis(ds * a)
    ds -= row[..., None]
    ds *= a                                      # dS = A (dA - sum_s dA A)
    ds *= scale
    gq = ds @ k                                  # q.grad[l, e] = scale sum_s dS[l, s] k[s, e]
    gk = xp.swapaxes(ds, -1, -2) @ q             # k.grad[s, e] = scale sum_l dS[l, s] q[l, e]
    return gq, gk, gv


def _constant(a: Array | None) -> Tensor | None:
    return None if a is None else Tensor._make(a)


def attention_composite(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, scale: float, drop: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """The attention formulas of the module docstring from ordinary differentiable ops:
    returns (output, weights); ``drop`` (or None) multiplies the weights (dropout)."""
    scores = (q * scale) @ k.mT  # scaling q (L x E) is cheaper than scaling the scores (L x S)
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(-1)
    if drop is not None:
        weights = weights * drop
    return weights @ v, weights


@register("attention")
class FusedAttention(Function):
    """z = (softmax(scale q k^T + mask) * drop) v for q (.., L, E), k (.., S, E), v (.., S, Ev);
    ``mask`` and the dropout mask ``drop`` (or None) are constants"""

    def forward(self, q: Array, k: Array, v: Array, mask: Array | None, scale: float, drop: Array | None = None) -> Array:
        self.scale, self.drop = scale, drop
        out, self.weights = _attend(q, k, v, mask, scale, drop)
        return out

    @staticmethod
    def reference(q: Tensor, k: Tensor, v: Tensor, mask: Array | None, scale: float, drop: Array | None = None) -> Tensor:
        return attention_composite(q, k, v, _constant(mask), scale, _constant(drop))[0]

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        return self.backward_through_reference(grad)

    def backward_arrays(self, grad: Array) -> tuple[Array, Array, Array]:
        q, k, v = self.saved_arrays()
        return _attend_grad(grad, q, k, v, self.weights, self.scale, self.drop)


def _split_heads(qkv: Array | Tensor, heads: int) -> tuple[Any, Any, Any]:
    """(B, L, 3E) -> q, k, v as (B, h, L, E/h) views (arrays or Tensors)."""
    B, L, E3 = qkv.shape
    parts = qkv.reshape(B, L, 3, heads, E3 // (3 * heads))
    if isinstance(parts, Tensor):
        parts = parts.permute(2, 0, 3, 1, 4)
        return parts[0], parts[1], parts[2]
    parts = parts.transpose(2, 0, 3, 1, 4)
    return parts[0], parts[1], parts[2]


@register("packed_self_attention")
class PackedSelfAttention(Function):
    """z (B, L, E) = the h heads of softmax(scale q k^T + mask) v, side by side, with q, k, v the
    three E-wide parts of ``qkv`` (B, L, 3E) (one input projection), each split into h heads
    (attention weights times the dropout mask ``drop`` when given)"""

    def forward(self, qkv: Array, mask: Array | None, scale: float, heads: int, drop: Array | None = None) -> Array:
        self.scale, self.heads, self.drop = scale, heads, drop
        out, self.weights = _attend(*_split_heads(qkv, heads), mask, scale, drop)  # (B, h, L, d)
        B, h, L, d = out.shape
        return get_array_module(out).ascontiguousarray(out.transpose(0, 2, 1, 3)).reshape(B, L, h * d)

    @staticmethod
    def reference(qkv: Tensor, mask: Array | None, scale: float, heads: int, drop: Array | None = None) -> Tensor:
        B, L, E3 = qkv.shape
        out = attention_composite(*_split_heads(qkv, heads), _constant(mask), scale, _constant(drop))[0]  # (B, h, L, d)
        return out.permute(0, 2, 1, 3).reshape(B, L, E3 // 3)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        return self.backward_through_reference(grad)

    def backward_arrays(self, grad: Array) -> Array:
        (qkv,) = self.saved_arrays()
        B, L, E3 = qkv.shape
        xp = get_array_module(grad)
        g = grad.reshape(B, L, self.heads, E3 // (3 * self.heads)).transpose(0, 2, 1, 3)  # (B, h, L, d)
        grads = _attend_grad(g, *_split_heads(qkv, self.heads), self.weights, self.scale, self.drop)
        out = xp.empty(qkv.shape, dtype=grad.dtype)
        for view, part in zip(_split_heads(out, self.heads), grads):  # qkv.grad[b, l, part, head, e]
            view[...] = part
        return out


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
    drop = None
    if dropout_p > 0.0:
        shape = np.broadcast_shapes(tuple(q.shape[:-2]), tuple(k.shape[:-2])) + (q.shape[-2], k.shape[-2])
        if mask is not None:
            shape = np.broadcast_shapes(shape, tuple(mask.shape))  # the weights' shape
        drop = Tensor._make(dropout_mask(shape, dropout_p, q.dtype, q._data, generator))
    return attention_composite(q, k, v, mask, scale, drop)


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
        mask = causal_mask(L, S, query.dtype, query._data)
    elif attn_mask is not None:
        mask = additive_mask(attn_mask, query.dtype, allowed_when_true=True)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    batch = tuple(query.shape[:-2])
    fusable = (
        _broadcasts_into(key.shape[:-2], batch)
        and _broadcasts_into(value.shape[:-2], batch)
        and (mask is None or (not mask.requires_grad and _broadcasts_into(mask.shape, batch + (L, S))))
    )
    if fusable:  # one op; the composition below handles gradients into the mask and odd broadcasts
        drop = dropout_mask(batch + (L, S), dropout_p, query.dtype, query._data, generator) if dropout_p > 0.0 else None
        return FusedAttention.apply(query, key, value, mask=None if mask is None else mask._data, scale=scale, drop=drop)
    out, _ = attention(query, key, value, mask, dropout_p, scale, generator)
    return out


def _broadcasts_into(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to exactly ``target`` (so an in-place ``target += x`` works)."""
    try:
        return tuple(np.broadcast_shapes(tuple(shape), tuple(target))) == tuple(target)
    except ValueError:
        return False
