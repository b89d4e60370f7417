"""Graph datasets that need no download: karate club, stochastic block models, a synthetic citation
graph, and graph-classification sets that separate sum aggregation (GIN, as strong as 1-WL) from mean
aggregation (GCN).

All return ``gradstudent.graph.Data`` objects (float32 features, int64 edges, both directions stored);
so does :func:`load_planetoid` (Cora, CiteSeer, PubMed from the cache, read by
:mod:`gradstudent.datasets.planetoid`). These loaders live here, not in ``gradstudent.datasets``,
because they build ``Data`` objects and ``graph`` sits above ``datasets`` in the layering
(docs/engine.md, "Layers"); ``gradstudent.datasets.graphs`` re-exports them under their old path.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..creation import from_numpy
from ..datasets.planetoid import load_planetoid_arrays
from ..tensor import Tensor
from .data import Data


def load_planetoid(name: str = "Cora", root: str | os.PathLike[str] | None = None, download: bool = False) -> Data:
    """The Planetoid graph ``name`` (Cora, CiteSeer, PubMed) as a ``Data`` with train/val/test masks."""
    arrays = load_planetoid_arrays(name, root, download)
    return Data(**{key: from_numpy(value) for key, value in arrays.items()})


def _data(x: np.ndarray, edges: np.ndarray, y: np.ndarray, **extra: Tensor) -> Data:
    return Data(x=from_numpy(np.ascontiguousarray(x, dtype=np.float32)), edge_index=from_numpy(np.ascontiguousarray(edges, dtype=np.int64)),
                y=from_numpy(np.asarray(y, dtype=np.int64)), **extra)


def _both_directions(pairs: np.ndarray) -> np.ndarray:
    """(2, E) undirected pairs (i < j) -> (2, 2E) with both directions, sorted by (source, target)."""
    both = np.concatenate([pairs, pairs[::-1]], axis=1)
    order = np.lexsort((both[1], both[0]))
    return both[:, order]


def karate_club() -> Data:
    """Zachary's karate club (34 members, 78 friendships) from networkx; y = faction (0: Mr. Hi, 1: Officer).

    Features are one-hot node ids (x = I), as in Kipf & Welling's semi-supervised example.
    """
    import networkx as nx  # noqa: PLC0415

    g = nx.karate_club_graph()
    pairs = np.array(sorted((min(u, v), max(u, v)) for u, v in g.edges), dtype=np.int64).T
    y = np.array([0 if g.nodes[v]["club"] == "Mr. Hi" else 1 for v in range(g.number_of_nodes())])
    return _data(np.eye(34), _both_directions(pairs), y)


def stochastic_block_model(block_sizes: Sequence[int], p_in: float, p_out: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Edges (2, 2E) and block labels of an SBM: nodes i < j in the same block are linked with probability
    ``p_in``, in different blocks with ``p_out``. Sampled block pair by block pair (no per-edge loop)."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(block_sizes, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    y = np.repeat(np.arange(len(sizes)), sizes)
    rows, cols = [], []
    for a in range(len(sizes)):
        for b in range(a, len(sizes)):
            p = p_in if a == b else p_out
            m = rng.random((sizes[a], sizes[b])) < p
            if a == b:
                m = np.triu(m, 1)
            i, j = np.nonzero(m)
            rows.append(i + starts[a])
            cols.append(j + starts[b])
    pairs = np.stack([np.concatenate(rows), np.concatenate(cols)]).astype(np.int64)
    return _both_directions(pairs), y


def sbm_graph(block_sizes: Sequence[int] = (50, 50, 50), p_in: float = 0.1, p_out: float = 0.01, seed: int = 0) -> Data:
    """An SBM as a :class:`Data` with one-hot-free constant features (structure only)."""
    edges, y = stochastic_block_model(list(block_sizes), p_in, p_out, seed)
    return _data(np.ones((len(y), 1)), edges, y)


def synthetic_citation(
    num_nodes: int = 2708, num_classes: int = 7, num_features: int = 1433, avg_degree: float = 3.9,
    homophily: float = 0.8, words_per_doc: int = 18, topic_fraction: float = 0.3, seed: int = 0,
    train_per_class: int = 20, num_val: int = 500, num_test: int = 1000,
):
    """A Cora-sized citation graph: an SBM (``homophily`` of the edges inside a class) with bag-of-words
    features. Each document has ``words_per_doc`` distinct words; a ``topic_fraction`` of them comes from
    its class's own vocabulary slice, the rest from the whole vocabulary. With Planetoid's split masks
    (``train_per_class`` labelled nodes per class, then ``num_val`` and ``num_test`` nodes).
    """
    rng = np.random.default_rng(seed)
    sizes = np.full(num_classes, num_nodes // num_classes)
    sizes[: num_nodes - sizes.sum()] += 1
    pairs_in = float((sizes * (sizes - 1) // 2).sum())
    pairs_out = num_nodes * (num_nodes - 1) / 2 - pairs_in
    n_edges = avg_degree * num_nodes / 2
    edges, y = stochastic_block_model(list(sizes), homophily * n_edges / pairs_in, (1 - homophily) * n_edges / pairs_out, seed)
    x = np.zeros((num_nodes, num_features), dtype=np.float32)
    vocab = num_features // num_classes
    n_topic = rng.binomial(words_per_doc, topic_fraction, size=num_nodes)
    for c in range(num_classes):  # one vectorised draw per class, not per document
        idx = np.nonzero(y == c)[0]
        topic = rng.integers(c * vocab, (c + 1) * vocab, size=(idx.size, words_per_doc))
        noise = rng.integers(0, num_features, size=(idx.size, words_per_doc))
        words = np.where(np.arange(words_per_doc)[None, :] < n_topic[idx, None], topic, noise)
        x[np.repeat(idx, words_per_doc), words.reshape(-1)] = 1.0
    perm = rng.permutation(num_nodes)
    train = np.zeros(num_nodes, dtype=bool)
    for c in range(num_classes):
        train[perm[y[perm] == c][:train_per_class]] = True
    rest = perm[~train[perm]]
    val, test = np.zeros(num_nodes, dtype=bool), np.zeros(num_nodes, dtype=bool)
    val[rest[:num_val]] = True
    test[rest[num_val : num_val + num_test]] = True
    return _data(x, edges, y, train_mask=from_numpy(train), val_mask=from_numpy(val), test_mask=from_numpy(test))


def regular_degree_graphs(num_graphs: int = 400, degrees: tuple[int, int] = (3, 4), sizes: tuple[int, int] = (10, 20), seed: int = 0) -> list[Data]:
    """Random d-regular graphs with constant node features; label = which degree (class 0: d0, class 1: d1).

    1-WL (and a sum-aggregation GIN) tells them apart in one round: the degree is the first colour.
    A GCN with mean/symmetric-normalised aggregation cannot: on a d-regular graph with constant x,
    D^-1/2 (A + I) D^-1/2 x = x, so every layer sees the same constant and the classes look identical.
    """
    import networkx as nx  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    out = []
    for k in range(num_graphs):
        label = int(rng.integers(0, 2))
        d = degrees[label]
        n = int(rng.integers(sizes[0], sizes[1] + 1))
        n += (n * d) % 2  # n*d must be even
        g = nx.random_regular_graph(d, n, seed=int(rng.integers(0, 2**31)))
        pairs = np.array(sorted((min(u, v), max(u, v)) for u, v in g.edges), dtype=np.int64).reshape(-1, 2).T
        out.append(_data(np.ones((n, 1)), _both_directions(pairs), np.array([label])))
    return out


def cycle_pair_graphs(num_graphs: int = 400, sizes: tuple[int, int] = (4, 10), seed: int = 0) -> list[Data]:
    """The classic pair 1-WL cannot separate (for contrast): one 2n-cycle vs two n-cycles (both 2-regular).

    No message-passing network with constant features can exceed chance here; included so the
    expressivity table shows the limit of 1-WL as well as the gap between sum and mean.
    """
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(num_graphs):
        label, n = int(rng.integers(0, 2)), int(rng.integers(sizes[0], sizes[1] + 1))
        ring = lambda m, off: np.stack([np.arange(m) + off, (np.arange(m) + 1) % m + off])  # noqa: E731
        pairs = ring(2 * n, 0) if label == 0 else np.concatenate([ring(n, 0), ring(n, n)], axis=1)
        pairs = np.sort(pairs, axis=0)
        out.append(_data(np.ones((2 * n, 1)), _both_directions(pairs), np.array([label])))
    return out
