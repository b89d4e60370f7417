"""The classical baseline: an n-gram language model over token ids, and perplexity.

An order-n model predicts token w from the previous n-1 tokens h (the context)
using counts from the training text. Raw relative frequencies c(h, w) / c(h)
give probability 0 to anything unseen, so the model is *smoothed*:

* ``"add_k"`` (Lidstone): P(w | h) = (c(h, w) + k) / (c(h) + k V).
* ``"kneser_ney"`` (interpolated Kneser-Ney, the default; with Ney's discount
  D = n1 / (n1 + 2 n2) per order, n_r = number of n-grams seen exactly r times)::

      P(w | h) = max(c(h, w) - D, 0) / c(h)  +  D N1+(h, .) / c(h) * P(w | h')

  where h' drops the oldest token of h and N1+(h, .) counts the distinct tokens
  seen after h. The lower orders use *continuation counts* N1+(., h', w) (in how
  many distinct contexts an n-gram appears) instead of raw counts, so a word
  that is frequent only after one context ("Francisco" after "San") gets a low
  backoff probability. The order-1 model is interpolated with the uniform
  distribution, so every token has probability > 0. Unseen contexts back off fully.

Everything is vectorized: an n-gram is packed into one integer (base V+1), the
counts come from ``np.unique``, and probabilities of a whole text are looked up
with ``np.searchsorted``.

Perplexity = exp(mean negative log-likelihood per token): the size of a uniform
distribution that would be as surprised as the model is.
"""

from __future__ import annotations

import math

import numpy as np


def perplexity(mean_nll: float) -> float:
    """exp(mean negative log-likelihood in nats per token)."""
    return float(math.exp(mean_nll))


class _Table:
    """Sorted keys with values: vectorized dictionary lookup (missing keys -> 0)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys, self.values = keys, values

    def get(self, query: np.ndarray) -> np.ndarray:
        if self.keys.size == 0:
            return np.zeros(query.shape, dtype=self.values.dtype)
        pos = np.searchsorted(self.keys, query).clip(0, self.keys.size - 1)
        return np.where(self.keys[pos] == query, self.values[pos], 0)


def _count(keys: np.ndarray) -> _Table:
    uniq, counts = np.unique(keys, return_counts=True)
    return _Table(uniq, counts.astype(np.float64))


class NGramLM:
    """``NGramLM(order, vocab_size, smoothing="kneser_ney" | "add_k", k=...)``; ``fit(ids)``, ``nll(ids)``."""

    def __init__(self, order: int, vocab_size: int, smoothing: str = "kneser_ney", k: float = 0.1) -> None:
        if order < 1:
            raise ValueError(f"NGramLM: order must be >= 1, got {order}")
        if smoothing not in ("kneser_ney", "add_k"):
            raise ValueError(f"NGramLM: smoothing must be 'kneser_ney' or 'add_k', got {smoothing!r}")
        if (vocab_size + 1) ** order >= 2**62:
            raise ValueError(f"NGramLM: order {order} with vocab {vocab_size} does not fit in 64-bit n-gram keys")
        self.order, self.V, self.smoothing, self.k = order, vocab_size, smoothing, k
        self.base = vocab_size + 1  # id V marks "before the start of the text"
        self.fitted = False

    # ---- packing n-grams into integers
    def _padded(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.V):
            raise ValueError(f"NGramLM: token ids must be in [0, {self.V}), got [{ids.min()}, {ids.max()}]")
        return np.concatenate([np.full(self.order - 1, self.V, dtype=np.int64), ids])

    def _keys(self, padded: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(context key, n-gram key) for every target position, for n-grams of length n."""
        T = padded.size - (self.order - 1)
        start = self.order - 1
        ctx = np.zeros(T, dtype=np.int64)
        for j in range(n - 1, 0, -1):  # tokens at distance j before the target
            ctx = ctx * self.base + padded[start - j : start - j + T]
        return ctx, ctx * self.base + padded[start : start + T]

    # ---- training
    def fit(self, ids: np.ndarray) -> NGramLM:
        padded = self._padded(ids)
        self.tables: list[dict[str, _Table]] = []
        self.discounts: list[float] = []
        for n in range(1, self.order + 1):
            ctx, full = self._keys(padded, n)
            if n == self.order or self.smoothing == "add_k":
                uniq_full, counts = np.unique(full, return_counts=True)  # raw counts c(h, w)
                counts = counts.astype(np.float64)
            else:
                # continuation counts: distinct one-token-longer left extensions of each n-gram
                _, longer = self._keys(padded, n + 1)
                uniq_longer = np.unique(longer)
                uniq_full, counts = np.unique(uniq_longer % (self.base**n), return_counts=True)
                counts = counts.astype(np.float64)
            ctx_of = uniq_full // self.base
            uniq_ctx, inverse = np.unique(ctx_of, return_inverse=True)
            ctx_total = np.bincount(inverse, weights=counts)  # c(h) (or its continuation version)
            ctx_types = np.bincount(inverse).astype(np.float64)  # N1+(h, .)
            n1, n2 = float((counts == 1).sum()), float((counts == 2).sum())
            self.discounts.append(n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5)
            self.tables.append(
                {"ngram": _Table(uniq_full, counts), "ctx_total": _Table(uniq_ctx, ctx_total), "ctx_types": _Table(uniq_ctx, ctx_types)}
            )
        self.fitted = True
        return self

    # ---- scoring
    def _probability(self, keys: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """P(w | h) from (context key, n-gram key) arrays for n = 1..order (same shape each)."""
        if not self.fitted:
            raise RuntimeError("NGramLM: call fit() before scoring")
        if self.smoothing == "add_k":
            ctx, full = keys[-1]
            t = self.tables[-1]
            return (t["ngram"].get(full) + self.k) / (t["ctx_total"].get(ctx) + self.k * self.V)
        p = np.full(keys[0][1].shape, 1.0 / self.V)
        for (ctx, full), t, D in zip(keys, self.tables, self.discounts):
            c_hw, c_h, types = t["ngram"].get(full), t["ctx_total"].get(ctx), t["ctx_types"].get(ctx)
            seen = c_h > 0
            interp = (np.maximum(c_hw - D, 0.0) + D * types * p) / np.where(seen, c_h, 1.0)
            p = np.where(seen, interp, p)  # an unseen context backs off to the shorter one
        return p

    def nll(self, ids: np.ndarray) -> float:
        """Mean negative log-likelihood (nats per token) of the sequence ``ids``."""
        padded = self._padded(ids)
        keys = [self._keys(padded, n) for n in range(1, self.order + 1)]
        return float(-np.log(self._probability(keys)).mean())

    def perplexity(self, ids: np.ndarray) -> float:
        return perplexity(self.nll(ids))

    def next_distribution(self, context: np.ndarray) -> np.ndarray:
        """P(w | the last order-1 tokens of ``context``) for every w: a (V,) probability vector."""
        padded = self._padded(context)
        words = np.arange(self.V, dtype=np.int64)
        keys = []
        for n in range(1, self.order + 1):
            ctx = 0
            for tok in padded[padded.size - (n - 1) :] if n > 1 else []:
                ctx = ctx * self.base + int(tok)
            ctx_arr = np.full(self.V, ctx, dtype=np.int64)
            keys.append((ctx_arr, ctx_arr * self.base + words))
        p = self._probability(keys)
        return p / p.sum()

    def generate(self, context: np.ndarray, n_tokens: int, rng: np.random.Generator, temperature: float = 1.0) -> np.ndarray:
        """Sample ``n_tokens`` continuation ids after ``context``."""
        out = [int(i) for i in np.asarray(context, dtype=np.int64).reshape(-1)]
        for _ in range(n_tokens):
            p = self.next_distribution(np.array(out, dtype=np.int64))
            if temperature != 1.0:
                p = p ** (1.0 / temperature)
                p /= p.sum()
            out.append(int(rng.choice(self.V, p=p)))
        return np.array(out[len(out) - n_tokens :], dtype=np.int64)
