"""Turning a model's next-token logits into a choice: temperature, top-k and top-p (nucleus).

* temperature T: p ~ softmax(logits / T); T < 1 sharpens (safer, more repetitive), T > 1 flattens.
* top-k: keep only the k most likely tokens.
* top-p: keep the smallest set of most likely tokens whose total probability reaches p.
"""

from __future__ import annotations

import numpy as np


def filter_logits(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None) -> np.ndarray:
    """Probabilities (..., V) after temperature, top-k and top-p filtering (rows sum to 1)."""
    if temperature <= 0:
        raise ValueError(f"sampling: temperature must be > 0 (use greedy decoding for 0), got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None:
        if top_k < 1:
            raise ValueError(f"sampling: top_k must be >= 1, got {top_k}")
        k = min(top_k, z.shape[-1])
        kth = np.partition(z, -k, axis=-1)[..., -k][..., None]
        z = np.where(z < kth, -np.inf, z)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    if top_p is not None:
        if not 0.0 < top_p <= 1.0:
            raise ValueError(f"sampling: top_p must be in (0, 1], got {top_p}")
        order = np.argsort(-p, axis=-1)
        sorted_p = np.take_along_axis(p, order, axis=-1)
        before = np.cumsum(sorted_p, axis=-1) - sorted_p  # mass of the strictly more likely tokens
        keep_sorted = before < top_p  # always keeps the most likely token
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
        p = np.where(keep, p, 0.0)
        p /= p.sum(axis=-1, keepdims=True)
    return p


def sample(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """One token id per row of ``logits`` (..., V), drawn from the filtered distribution."""
    rng = np.random.default_rng() if rng is None else rng
    p = filter_logits(logits, temperature, top_k, top_p)
    flat = p.reshape(-1, p.shape[-1])
    u = rng.random((flat.shape[0], 1))
    ids = (np.cumsum(flat, axis=-1) < u).sum(axis=-1)  # inverse-CDF sampling, one draw per row
    return np.minimum(ids, p.shape[-1] - 1).reshape(p.shape[:-1])


def greedy(logits: np.ndarray) -> np.ndarray:
    return np.asarray(logits).argmax(axis=-1)
