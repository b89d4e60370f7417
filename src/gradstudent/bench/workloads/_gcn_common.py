"""Shared by W6 and W6b: a random graph with dense features and the 2-layer GCN in three frameworks.

Model (Kipf & Welling): Linear(F -> 16) - propagate - ReLU - dropout 0.5 - Linear(16 -> 7) - propagate,
propagate = D^-1/2 (A + I) D^-1/2 (symmetric normalisation, self-loops), cross-entropy on 140 labelled
nodes (Planetoid's training set size), Adam lr 0.01, weight decay 5e-4. The normalised adjacency is
built once (``cached=True`` in both libraries, a precomputed sparse matrix in plain torch).
"""

from __future__ import annotations

import numpy as np

from . import Step


def make_graph(n: int, n_edges: int, n_features: int, density: float | None, seed: int = 0):
    """(x float32 (n, F), edge_index int64 (2, 2E) both directions, y (n,), train index (140,))."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, n_edges), rng.integers(0, n, n_edges)
    b = np.where(a == b, (b + 1) % n, b)  # no self-loops among the random edges (the model adds them)
    edge_index = np.stack([np.concatenate([a, b]), np.concatenate([b, a])]).astype(np.int64)
    if density is None:
        x = rng.standard_normal((n, n_features), dtype=np.float32)
    else:
        x = (rng.random((n, n_features), dtype=np.float32) < density).astype(np.float32)
    y = rng.integers(0, 7, n).astype(np.int64)
    train = rng.choice(n, 140, replace=False).astype(np.int64)
    return x, edge_index, y, train


def make_gradstudent(n: int, n_edges: int, n_features: int, density: float | None, device: str = "cpu") -> Step:
    import gradstudent as gs
    from gradstudent import nn, optim
    from gradstudent.graph import GCNConv

    x, ei, y, train = make_graph(n, n_edges, n_features, density)
    gs.manual_seed(0)
    conv1, conv2 = GCNConv(n_features, 16, cached=True).to(device), GCNConv(16, 7, cached=True).to(device)
    params = list(conv1.parameters()) + list(conv2.parameters())
    opt = optim.Adam(params, lr=0.01, weight_decay=5e-4)
    xt, et, yt, it = (gs.from_numpy(a).to(device) for a in (x, ei, y[train], train))

    def step():
        opt.zero_grad()
        h = nn.functional.dropout(conv1(xt, et).relu(), 0.5, True)
        out = conv2(h, et)
        nn.functional.cross_entropy(out[it], yt).backward()
        opt.step()

    return step


def normalized_adjacency_torch(ei: np.ndarray, n: int):
    import torch

    loops = np.arange(n)
    row, col = np.concatenate([ei[1], loops]), np.concatenate([ei[0], loops])  # A_hat[i, j]: edge j -> i
    deg = np.bincount(row, minlength=n).astype(np.float32)
    w = (deg[row] ** -0.5) * (deg[col] ** -0.5)
    A = torch.sparse_coo_tensor(torch.from_numpy(np.stack([row, col])), torch.from_numpy(w.astype(np.float32)), (n, n)).coalesce()
    return A.to_sparse_csr()


def make_torch(n: int, n_edges: int, n_features: int, density: float | None, device: str = "cpu") -> Step:
    import torch

    x, ei, y, train = make_graph(n, n_edges, n_features, density)
    torch.manual_seed(0)
    A = normalized_adjacency_torch(ei, n).to(device)
    lin1, lin2 = torch.nn.Linear(n_features, 16, bias=False).to(device), torch.nn.Linear(16, 7, bias=False).to(device)
    b1, b2 = torch.nn.Parameter(torch.zeros(16, device=device)), torch.nn.Parameter(torch.zeros(7, device=device))
    params = [lin1.weight, lin2.weight, b1, b2]
    opt = torch.optim.Adam(params, lr=0.01, weight_decay=5e-4)
    xt, yt, it = (torch.from_numpy(a).to(device) for a in (x, y[train], train))

    def step():
        opt.zero_grad()
        h = torch.nn.functional.dropout(torch.relu(A @ lin1(xt) + b1), 0.5, True)
        out = A @ lin2(h) + b2
        torch.nn.functional.cross_entropy(out[it], yt).backward()
        opt.step()

    return step


def make_pyg(n: int, n_edges: int, n_features: int, density: float | None, device: str = "cpu") -> Step:
    import torch
    from torch_geometric.nn import GCNConv

    x, ei, y, train = make_graph(n, n_edges, n_features, density)
    torch.manual_seed(0)
    conv1, conv2 = GCNConv(n_features, 16, cached=True).to(device), GCNConv(16, 7, cached=True).to(device)
    opt = torch.optim.Adam(list(conv1.parameters()) + list(conv2.parameters()), lr=0.01, weight_decay=5e-4)
    xt, et, yt, it = (torch.from_numpy(a).to(device) for a in (x, ei, y[train], train))

    def step():
        opt.zero_grad()
        h = torch.nn.functional.dropout(conv1(xt, et).relu(), 0.5, True)
        out = conv2(h, et)
        torch.nn.functional.cross_entropy(out[it], yt).backward()
        opt.step()

    return step
