"""word-vectors: skip-gram with negative sampling (word2vec) on the offline corpus.

Each word w gets an input vector v_w and an output vector u_w. For a (center c,
context o) pair seen within a small window, and K "negative" words n_k drawn
from the unigram distribution raised to 3/4::

    loss = -log sigmoid(v_c . u_o) - sum_k log sigmoid(-v_c . u_{n_k})

so words that occur in similar contexts end up with similar vectors. We list
nearest neighbours (cosine similarity) of a few words, compare related and
random word pairs, and plot a 2-D PCA projection.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..random import manual_seed
from ..tensor import Tensor
from ..text import load_corpus
from .registry import RunContext, experiment

QUERIES = ["lord", "king", "water", "heart", "wicked", "gold", "night", "mountains", "son", "mouth"]
RELATED = [("gold", "silver"), ("day", "night"), ("sun", "moon"), ("sheep", "flock"), ("heart", "soul"), ("king", "prince"),
           ("wicked", "ungodly"), ("mountains", "hills"), ("father", "mother"), ("eyes", "ears"), ("sea", "waters"), ("wise", "fool")]


class SkipGram(nn.Module):
    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.center = nn.Embedding(vocab_size, dim)
        self.context = nn.Embedding(vocab_size, dim)
        nn.init.uniform_(self.center.weight, -0.5 / dim, 0.5 / dim)  # word2vec's initialisation
        nn.init.zeros_(self.context.weight)

    def forward(self, c: Tensor, o: Tensor, neg: Tensor) -> Tensor:
        vc = self.center(c)  # (B, D)
        pos = (vc * self.context(o)).sum(-1)  # (B,)
        negs = (self.context(neg) @ vc.unsqueeze(-1)).squeeze(-1)  # (B, K)
        F = nn.functional
        return -(F.logsigmoid(pos) + F.logsigmoid(-negs).sum(-1)).mean()


def training_pairs(ids: np.ndarray, window: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """All (center, context) pairs with a random window size 1..window per center (word2vec's weighting)."""
    size = rng.integers(1, window + 1, len(ids))
    cs, os = [], []
    for d in range(1, window + 1):
        keep = size[: len(ids) - d] >= d  # center i, context i + d
        cs.append(ids[: len(ids) - d][keep])
        os.append(ids[d:][keep])
        keep = size[d:] >= d  # center i, context i - d
        cs.append(ids[d:][keep])
        os.append(ids[: len(ids) - d][keep])
    return np.concatenate(cs), np.concatenate(os)


def nearest(emb: np.ndarray, word: str, stoi: dict[str, int], itos: list[str], k: int = 6) -> list[tuple[str, float]]:
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-8)
    sims = unit @ unit[stoi[word]]
    order = [i for i in np.argsort(-sims) if i != stoi[word]][:k]
    return [(itos[i], float(sims[i])) for i in order]


@experiment(
    "word-vectors",
    "Skip-gram with negative sampling on the offline corpus: nearest neighbours, related vs random pairs, PCA plot",
    epochs=10, lr=5e-3, batch_size=1024, dim=64, window=4, negatives=5, min_count=5,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    manual_seed(ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    words = re.findall(r"[a-z]+", load_corpus("kjv-poetry").lower())
    counts = Counter(words)
    itos = sorted((w for w, c in counts.items() if c >= cfg["min_count"]), key=lambda w: -counts[w])
    stoi = {w: i for i, w in enumerate(itos)}
    freq = np.array([counts[w] for w in itos], dtype=np.float64)
    ids = np.array([stoi[w] for w in words if w in stoi], dtype=np.int64)
    # subsample very frequent words ("the", "and"): they carry little information about neighbours
    p_keep = np.minimum(1.0, np.sqrt(1e-3 / (freq / freq.sum())))
    noise = freq**0.75 / (freq**0.75).sum()
    ctx.log(f"{len(words)} words, vocabulary {len(itos)} (min count {cfg['min_count']})")
    model = SkipGram(len(itos), cfg["dim"])
    optimizer = optim.Adam(model.parameters(), lr=cfg["lr"])
    bs, K = cfg["batch_size"], cfg["negatives"]
    for epoch in ctx.epochs(model, optimizer):
        erng = np.random.default_rng(ctx.seed + epoch)
        kept = ids[erng.random(len(ids)) < p_keep[ids]]
        c_all, o_all = training_pairs(kept, cfg["window"], erng)
        order = erng.permutation(len(c_all))
        total, n = 0.0, 0
        for b in ctx.progress(range(0, len(order), bs), desc="train"):
            i = order[b : b + bs]
            neg = erng.choice(len(itos), size=(len(i), K), p=noise)
            optimizer.zero_grad()
            loss = model(gs.from_numpy(c_all[i]), gs.from_numpy(o_all[i]), gs.from_numpy(neg))
            loss.backward()
            optimizer.step()
            total, n = total + loss.item() * len(i), n + len(i)
        ctx.log_metrics(epoch, loss=total / n, pairs=len(c_all))

    emb = model.center.weight._data.astype(np.float64)
    rows = [{"word": q, "nearest neighbours": ", ".join(f"{w} ({s:.2f})" for w, s in nearest(emb, q, stoi, itos))} for q in QUERIES if q in stoi]
    ctx.save_table(rows, "neighbours")
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-8)
    related = [float(unit[stoi[a]] @ unit[stoi[b]]) for a, b in RELATED if a in stoi and b in stoi]
    top = np.arange(min(len(itos), 500))
    pairs = rng.choice(top, size=(2000, 2))
    random_sims = (unit[pairs[:, 0]] * unit[pairs[:, 1]]).sum(1)
    ctx.log(f"mean cosine similarity: related pairs {np.mean(related):.3f}, random pairs of frequent words {random_sims.mean():.3f}")

    from matplotlib.figure import Figure

    show = [w for w in QUERIES + [w for pair in RELATED for w in pair] if w in stoi]
    show = list(dict.fromkeys(show))
    X = unit[[stoi[w] for w in show]]
    X = X - X.mean(0)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    P = X @ Vt[:2].T
    fig = Figure(figsize=(7, 6))
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(P[:, 0], P[:, 1], s=10)
    for (x, y), w in zip(P, show):
        ax.annotate(w, (x, y), fontsize=8)
    ax.set_title("skip-gram vectors, first two principal components")
    ctx.save_figure(fig, "pca.png")
    return {"related_cosine": float(np.mean(related)), "random_cosine": float(random_sims.mean()), "vocab": len(itos)}
