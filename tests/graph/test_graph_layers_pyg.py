"""Every layer against PyTorch Geometric: the same weights (PyG's state_dict loaded into gradstudent) give
the same outputs and the same gradients (input, edge weights, every parameter) in float64, on a batch of
random graphs with isolated nodes, self-loops and multi-edges."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
import torch
import torch_geometric.nn as pnn

import gradstudent as gs
from gradstudent import graph as G
from gradstudent import nn


def random_batch(seed: int = 0, f: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two graphs (9 and 7 nodes) in one disjoint union, with a loop, a repeated edge and isolated nodes."""
    rng = np.random.default_rng(seed)
    parts, batch, offset = [], [], 0
    for n, e in ((9, 20), (7, 12)):
        ei = rng.integers(0, n - 2, size=(2, e))  # the last two nodes of each graph stay isolated
        ei[1, ei[0] == ei[1]] = n - 3 - ei[0, ei[0] == ei[1]]  # no random loops ...
        ei[1, ei[0] == ei[1]] = (ei[0, ei[0] == ei[1]] + 1) % (n - 2)
        ei[:, 0] = [1, 1]  # ... but one self-loop (a repeated loop: see test_repeated_self_loops)
        ei[:, 1] = ei[:, 2]  # a multi-edge
        parts.append(ei + offset)
        batch += [len(parts) - 1] * n
        offset += n
    x = rng.standard_normal((offset, f))
    return x, np.concatenate(parts, axis=1).astype(np.int64), np.array(batch, dtype=np.int64)


def compare(gs_layer: nn.Module, pyg_layer: torch.nn.Module, call: Callable, edge_weight: bool = False, seed: int = 0) -> None:
    pyg_layer = pyg_layer.double()
    gs_layer = gs_layer.double()
    missing, unexpected = gs_layer.load_state_dict({k: v.detach().numpy() for k, v in pyg_layer.state_dict().items()})
    assert not missing and not unexpected
    assert set(gs_layer.state_dict()) == set(pyg_layer.state_dict())
    x, ei, batch = random_batch(seed)
    w = np.random.default_rng(seed + 1).uniform(0.5, 2.0, ei.shape[1])
    xg, xt = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    wg, wt = gs.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    eg, et = gs.from_numpy(ei), torch.from_numpy(ei)
    out_g = call(gs_layer, xg, eg, wg if edge_weight else None, gs.from_numpy(batch))
    out_t = call(pyg_layer, xt, et, wt if edge_weight else None, torch.from_numpy(batch))
    np.testing.assert_allclose(out_g.detach().numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-10)
    v = np.random.default_rng(seed + 2).standard_normal(tuple(out_t.shape))
    (out_g * gs.from_numpy(v)).sum().backward()
    (out_t * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-10)
    if edge_weight:
        np.testing.assert_allclose(wg.grad.numpy(), wt.grad.numpy(), rtol=1e-9, atol=1e-10)
    gp, tp = dict(gs_layer.named_parameters()), dict(pyg_layer.named_parameters())
    assert set(gp) == set(tp)
    for k in tp:
        np.testing.assert_allclose(gp[k].grad.numpy(), tp[k].grad.numpy(), rtol=1e-9, atol=1e-10, err_msg=k)


def plain(m, x, e, w, b):
    return m(x, e)


def weighted(m, x, e, w, b):
    return m(x, e, w)


def mlp(L, a: int, b: int):
    return L.Sequential(L.Linear(a, 8), L.ReLU(), L.Linear(8, b))


CASES = {
    "GCNConv": (lambda: G.GCNConv(5, 4), lambda: pnn.GCNConv(5, 4), weighted, True),
    "GCNConv-improved-nobias": (lambda: G.GCNConv(5, 4, improved=True, bias=False), lambda: pnn.GCNConv(5, 4, improved=True, bias=False), weighted, True),
    "GCNConv-noloops": (lambda: G.GCNConv(5, 4, add_self_loops=False), lambda: pnn.GCNConv(5, 4, add_self_loops=False), plain, False),
    "GCNConv-unnormalized": (lambda: G.GCNConv(5, 4, normalize=False), lambda: pnn.GCNConv(5, 4, normalize=False), weighted, True),
    "ChebConv-K3": (lambda: G.ChebConv(5, 4, K=3), lambda: pnn.ChebConv(5, 4, K=3), weighted, True),
    "ChebConv-K3-rw": (lambda: G.ChebConv(5, 4, K=3, normalization="rw"), lambda: pnn.ChebConv(5, 4, K=3, normalization="rw"), lambda m, x, e, w, b: m(x, e, w, lambda_max=3.0), True),
    "ChebConv-K3-none": (lambda: G.ChebConv(5, 4, K=3, normalization=None), lambda: pnn.ChebConv(5, 4, K=3, normalization=None), lambda m, x, e, w, b: m(x, e, w, lambda_max=9.0), True),
    "ChebConv-K2-sym-lambda": (lambda: G.ChebConv(5, 4, K=2), lambda: pnn.ChebConv(5, 4, K=2), lambda m, x, e, w, b: m(x, e, w, lambda_max=1.5), True),
    "ChebConv-K1": (lambda: G.ChebConv(5, 4, K=1), lambda: pnn.ChebConv(5, 4, K=1), plain, False),
    "SAGEConv": (lambda: G.SAGEConv(5, 4), lambda: pnn.SAGEConv(5, 4), plain, False),
    "SAGEConv-max-normalize": (lambda: G.SAGEConv(5, 4, aggr="max", normalize=True), lambda: pnn.SAGEConv(5, 4, aggr="max", normalize=True), plain, False),
    "GraphConv": (lambda: G.GraphConv(5, 4), lambda: pnn.GraphConv(5, 4), weighted, True),
    "GraphConv-mean": (lambda: G.GraphConv(5, 4, aggr="mean"), lambda: pnn.GraphConv(5, 4, aggr="mean"), plain, False),
    "GINConv": (lambda: G.GINConv(mlp(nn, 5, 4)), lambda: pnn.GINConv(mlp(torch.nn, 5, 4)), plain, False),
    "GINConv-train-eps": (lambda: G.GINConv(mlp(nn, 5, 4), eps=0.3, train_eps=True), lambda: pnn.GINConv(mlp(torch.nn, 5, 4), eps=0.3, train_eps=True), plain, False),
    "EdgeConv": (lambda: G.EdgeConv(mlp(nn, 10, 4)), lambda: pnn.EdgeConv(mlp(torch.nn, 10, 4)), plain, False),
    "EdgeConv-mean": (lambda: G.EdgeConv(mlp(nn, 10, 4), aggr="mean"), lambda: pnn.EdgeConv(mlp(torch.nn, 10, 4), aggr="mean"), plain, False),
    "GATConv": (lambda: G.GATConv(5, 4), lambda: pnn.GATConv(5, 4), plain, False),
    "GATConv-3heads-concat": (lambda: G.GATConv(5, 4, heads=3), lambda: pnn.GATConv(5, 4, heads=3), plain, False),
    "GATConv-3heads-mean": (lambda: G.GATConv(5, 4, heads=3, concat=False), lambda: pnn.GATConv(5, 4, heads=3, concat=False), plain, False),
    "GATConv-noloops": (lambda: G.GATConv(5, 4, heads=2, add_self_loops=False), lambda: pnn.GATConv(5, 4, heads=2, add_self_loops=False), plain, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layer_matches_pyg(name: str) -> None:
    make_gs, make_pyg, call, weighted_edges = CASES[name]
    torch.manual_seed(0)
    compare(make_gs(), make_pyg(), call, edge_weight=weighted_edges)


@pytest.mark.parametrize("pool", ["global_add_pool", "global_mean_pool", "global_max_pool"])
def test_pooling_matches_pyg(pool: str) -> None:
    compare(nn.Identity(), torch.nn.Identity(), lambda m, x, e, w, b: getattr(G if isinstance(x, gs.Tensor) else pnn, pool)(x, b))


def test_attentional_aggregation_matches_pyg() -> None:
    torch.manual_seed(0)
    gs_pool = G.AttentionalAggregation(nn.Linear(5, 1), nn.Linear(5, 3))
    pyg_pool = pnn.AttentionalAggregation(torch.nn.Linear(5, 1), torch.nn.Linear(5, 3))
    compare(gs_pool, pyg_pool, lambda m, x, e, w, b: m(x, b))


def test_a_stack_of_layers_with_pooling_matches_pyg() -> None:
    """A whole graph classifier: GCN -> GAT -> mean pool -> linear (state_dict moves as is)."""

    def make(L, conv, pool):
        class Net(L.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv1, self.conv2, self.head = conv.GCNConv(5, 6), conv.GATConv(6, 3, heads=2), L.Linear(6, 2)

            def forward(self, x, e, b):
                return self.head(pool(self.conv2(self.conv1(x, e).relu(), e), b))

        return Net()

    torch.manual_seed(0)
    compare(make(nn, G, G.global_mean_pool), make(torch.nn, pnn, pnn.global_mean_pool), lambda m, x, e, w, b: m(x, e, b))


def test_chebconv_refuses_a_missing_lambda_max_and_a_bad_normalization() -> None:
    x, ei, _ = random_batch()
    with pytest.raises(ValueError, match="lambda_max"):
        G.ChebConv(5, 3, K=2, normalization="rw")(gs.from_numpy(x), gs.from_numpy(ei))
    with pytest.raises(ValueError, match="normalization"):
        G.ChebConv(5, 3, K=2, normalization="Sym")


def test_gcn_cached_reuses_the_normalisation() -> None:
    x, ei, _ = random_batch()
    conv = G.GCNConv(5, 3, cached=True).double()
    a = conv(gs.from_numpy(x), gs.from_numpy(ei))
    b = conv(gs.from_numpy(x), gs.from_numpy(ei[:, :3]))  # cached: the edges are ignored now, as in PyG
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())


def test_gat_attention_dropout_only_in_training() -> None:
    x, ei, _ = random_batch()
    conv = G.GATConv(5, 3, heads=2, dropout=0.5).double()
    gs.manual_seed(0)
    train = conv(gs.from_numpy(x), gs.from_numpy(ei)).detach().numpy()
    conv.eval()
    e1, e2 = (conv(gs.from_numpy(x), gs.from_numpy(ei)).detach().numpy() for _ in range(2))
    np.testing.assert_array_equal(e1, e2)
    assert not np.allclose(train, e1)
    _, (ei_out, alpha) = conv(gs.from_numpy(x), gs.from_numpy(ei), return_attention_weights=True)
    sums = np.bincount(ei_out.numpy()[1], weights=alpha.numpy()[:, 0], minlength=x.shape[0])
    np.testing.assert_allclose(sums, 1.0)  # every node (all have a self-loop) has attention summing to 1


def test_student_layer_in_ten_lines() -> None:
    """The MessagePassing docstring's example: mean of linearly mapped neighbours equals SAGE without root."""

    class MeanConv(G.MessagePassing):
        def __init__(self, c_in: int, c_out: int) -> None:
            super().__init__(aggr="mean")
            self.lin = nn.Linear(c_in, c_out)

        def forward(self, x, edge_index):
            return self.propagate(edge_index, x=self.lin(x))

        def message(self, x_j):
            return x_j

    x, ei, _ = random_batch()
    mine = MeanConv(5, 3).double()
    ref = pnn.SAGEConv(5, 3, root_weight=False, bias=False).double()
    ref.lin_l.weight.data = torch.from_numpy(mine.lin.weight.detach().numpy().copy())
    got = mine(gs.from_numpy(x), gs.from_numpy(ei)).detach().numpy()
    counts = np.bincount(ei[1], minlength=x.shape[0])[:, None] > 0
    want = ref(torch.from_numpy(x), torch.from_numpy(ei)).detach().numpy() + counts * mine.lin.bias.detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_repeated_self_loops_forward_matches_pyg_and_gradient_is_the_true_one() -> None:
    """Two loops at one node: GCN keeps the last one's weight (as PyG). Its gradient goes to that edge only;
    PyG's index_put gives the same gradient to both loop edges (not the derivative of its own output)."""
    ei = np.array([[0, 0, 0, 1], [0, 0, 1, 0]], dtype=np.int64)
    w = np.array([2.0, 3.0, 1.0, 1.0])
    x = np.random.default_rng(0).standard_normal((3, 2))
    torch.manual_seed(0)
    ref = pnn.GCNConv(2, 2).double()
    mine = G.GCNConv(2, 2).double()
    mine.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    wg, wt = gs.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    og = mine(gs.from_numpy(x), gs.from_numpy(ei), wg)
    ot = ref(torch.from_numpy(x), torch.from_numpy(ei), wt)
    np.testing.assert_allclose(og.detach().numpy(), ot.detach().numpy(), rtol=1e-12)
    og.sum().backward()
    ot.sum().backward()
    assert wg.grad.numpy()[0] == 0.0 and wt.grad.numpy()[0] == wt.grad.numpy()[1]
    np.testing.assert_allclose(wg.grad.numpy()[1:], wt.grad.numpy()[1:], rtol=1e-10)
