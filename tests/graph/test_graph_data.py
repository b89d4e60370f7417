"""Data, Batch, DataLoader and the edge-index utilities against PyG, networkx and SciPy."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
import torch_geometric.data as pdata
import torch_geometric.utils as pu

import gradstudent as gs
from gradstudent import graph as G

EI = np.array([[0, 1, 1, 2, 3, 3, 0], [1, 0, 2, 2, 4, 4, 3]], dtype=np.int64)  # a loop (2), a multi-edge (3->4)


def _graph(n: int, seed: int) -> G.Data:
    rng = np.random.default_rng(seed)
    ei = rng.integers(0, n, size=(2, 2 * n))
    return G.Data(x=gs.from_numpy(rng.standard_normal((n, 3))), edge_index=gs.from_numpy(ei), y=gs.tensor([seed % 2]))


def test_batch_matches_pyg() -> None:
    graphs = [_graph(n, s) for s, n in enumerate((4, 6, 3))]
    b = G.Batch.from_data_list(graphs)
    ref = pdata.Batch.from_data_list([pdata.Data(x=torch.from_numpy(g.x.numpy()), edge_index=torch.from_numpy(g.edge_index.numpy()), y=torch.from_numpy(g.y.numpy())) for g in graphs])
    for key in ("x", "edge_index", "y", "batch", "ptr"):
        np.testing.assert_array_equal(getattr(b, key).numpy(), getattr(ref, key).numpy(), err_msg=key)
    assert b.num_graphs == 3 and b.num_nodes == 13


def test_dataloader_batches_and_seeded_shuffle() -> None:
    graphs = [_graph(3 + s % 4, s) for s in range(10)]
    sizes = [b.num_graphs for b in G.DataLoader(graphs, batch_size=4)]
    assert sizes == [4, 4, 2]
    order = lambda: [b.y.numpy().tolist() for b in G.DataLoader(graphs, batch_size=3, shuffle=True, seed=1)]
    assert order() == order()


def test_degree_self_loops_undirected_coalesce_against_pyg() -> None:
    e, t = gs.from_numpy(EI), torch.from_numpy(EI)
    np.testing.assert_array_equal(G.degree(EI[1], 6).numpy(), pu.degree(t[1], 6).numpy())
    for gs_fn, pyg_fn in ((G.add_self_loops, pu.add_self_loops), (G.add_remaining_self_loops, pu.add_remaining_self_loops)):
        w = np.arange(1.0, 8.0)
        (ge, gw), (pe, pw) = gs_fn(e, gs.from_numpy(w), num_nodes=6), pyg_fn(t, torch.from_numpy(w), num_nodes=6)
        np.testing.assert_array_equal(ge.numpy(), pe.numpy())
        np.testing.assert_array_equal(gw.numpy(), pw.numpy())
    np.testing.assert_array_equal(G.remove_self_loops(e)[0].numpy(), pu.remove_self_loops(t)[0].numpy())
    np.testing.assert_array_equal(G.to_undirected(e).numpy(), pu.to_undirected(t).numpy())
    assert G.is_undirected(G.to_undirected(e)) and not G.is_undirected(e)
    (ce, cw), (pe, pw) = G.coalesce(e, gs.ones(7)), pu.coalesce(t, torch.ones(7))
    np.testing.assert_array_equal(ce.numpy(), pe.numpy())
    np.testing.assert_array_equal(cw.numpy(), pw.numpy())


def test_subgraph_and_k_hop_against_pyg() -> None:
    e, t = gs.from_numpy(EI), torch.from_numpy(EI)
    for relabel in (False, True):
        np.testing.assert_array_equal(G.subgraph([0, 1, 3, 4], e, relabel_nodes=relabel)[0].numpy(), pu.subgraph(torch.tensor([0, 1, 3, 4]), t, relabel_nodes=relabel)[0].numpy())
        for node, hops in ((4, 1), (4, 2), (2, 3)):
            got, want = G.k_hop_subgraph(node, hops, e, relabel_nodes=relabel, num_nodes=6), pu.k_hop_subgraph(node, hops, t, relabel_nodes=relabel, num_nodes=6)
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_networkx_and_scipy_roundtrip() -> None:
    g = nx.karate_club_graph()
    data = G.from_networkx(g)
    assert data.num_nodes == 34 and data.num_edges == 2 * g.number_of_edges()
    back = G.to_networkx(data, to_undirected=True)
    assert set(map(frozenset, back.edges)) == set(map(frozenset, g.edges))
    A = G.to_scipy_sparse_matrix(gs.from_numpy(EI), num_nodes=6)
    assert A.shape == (6, 6) and A.toarray()[3, 4] == 2.0
    ei, w = G.from_scipy_sparse_matrix(A)
    assert ei.shape[1] == A.nnz and w.numpy().sum() == 7


def test_laplacian_and_spectrum() -> None:
    data = G.from_networkx(nx.cycle_graph(6))
    lam, vec = G.laplacian_spectrum(data.edge_index, normalization=None)
    np.testing.assert_allclose(lam, 2 - 2 * np.cos(2 * np.pi * np.array([0, 1, 1, 2, 2, 3]) / 6), atol=1e-12)
    L = G.get_laplacian(data.edge_index, normalization="sym")
    le, lw = pu.get_laplacian(torch.from_numpy(data.edge_index.numpy()), normalization="sym", dtype=torch.float64)
    Lp = pu.to_dense_adj(le, edge_attr=lw)[0].numpy()
    np.testing.assert_allclose(L, Lp, atol=1e-7)
    lam_sym, _ = G.laplacian_spectrum(data.edge_index, "sym")
    assert lam_sym.min() > -1e-12 and lam_sym.max() <= 2 + 1e-12


def test_bad_edge_index_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"add_self_loops: edge_index must be an integer array of shape \(2, E\)"):
        G.add_self_loops(gs.zeros(3, 2))
    with pytest.raises(IndexError, match="source node 9 but only 3 nodes"):
        G.GraphConv(2, 2)(gs.zeros(3, 2), gs.from_numpy(np.array([[9], [0]])))
