"""Offline graph datasets, the Planetoid loader (on small files written in the same format) and the jet generator."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gradstudent.graph.datasets import cycle_pair_graphs, karate_club, regular_degree_graphs, stochastic_block_model, synthetic_citation
from gradstudent.datasets.jets import jet_images, jet_mass, make_jets
from gradstudent.datasets.planetoid import write_planetoid
from gradstudent.graph.datasets import load_planetoid
from gradstudent.graph import is_undirected


def test_karate_club_has_the_two_factions() -> None:
    d = karate_club()
    y = d.y.numpy()
    assert d.num_nodes == 34 and d.num_edges == 156 and is_undirected(d.edge_index)
    assert y[0] == 0 and y[33] == 1 and y.sum() == 17


def test_sbm_is_seeded_and_homophilous() -> None:
    e1, y = stochastic_block_model([30, 30], 0.3, 0.02, seed=1)
    e2, _ = stochastic_block_model([30, 30], 0.3, 0.02, seed=1)
    np.testing.assert_array_equal(e1, e2)
    assert (y[e1[0]] == y[e1[1]]).mean() > 0.8 and (e1[0] != e1[1]).all()


def test_synthetic_citation_is_cora_shaped() -> None:
    d = synthetic_citation(seed=0)
    assert tuple(d.x.shape) == (2708, 1433) and int(d.y.numpy().max()) == 6
    assert 4500 < d.num_edges / 2 < 6000 and 0.008 < d.x.numpy().mean() < 0.02
    tr, va, te = d.train_mask.numpy(), d.val_mask.numpy(), d.test_mask.numpy()
    assert tr.sum() == 140 and va.sum() == 500 and te.sum() == 1000 and not (tr & va).any() and not (va & te).any()
    assert np.bincount(d.y.numpy()[tr]).tolist() == [20] * 7


def test_classification_sets() -> None:
    for g in regular_degree_graphs(6, seed=0):
        deg = np.bincount(g.edge_index.numpy()[1], minlength=g.num_nodes)
        assert (deg == (3, 4)[int(g.y.numpy()[0])]).all()
    for g in cycle_pair_graphs(6, seed=0):
        assert (np.bincount(g.edge_index.numpy()[1]) == 2).all()


def _toy_planetoid(folder) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 12
    x = (rng.random((n, 5)) < 0.4).astype(np.float32)
    y = rng.integers(0, 3, n)
    edges = [(0, 1), (1, 0), (2, 3), (3, 2), (10, 11), (11, 10), (4, 4)]
    write_planetoid(folder, "cora", x, y, edges, n_train=3, test_index=np.array([11, 9, 10, 8]))
    return x, y


def test_planetoid_reads_its_format_and_pins_checksums(tmp_path) -> None:
    x, y = _toy_planetoid(tmp_path)
    d = load_planetoid("Cora", root=tmp_path)
    np.testing.assert_array_equal(d.x.numpy(), x)
    np.testing.assert_array_equal(d.y.numpy(), y)
    assert d.train_mask.numpy()[:3].all() and d.train_mask.numpy().sum() == 3
    assert sorted(np.nonzero(d.test_mask.numpy())[0].tolist()) == [8, 9, 10, 11]
    assert d.num_edges == 6  # both directions kept, the self-loop dropped
    assert (tmp_path / "checksums.json").exists()
    (tmp_path / "ind.cora.x").write_bytes((tmp_path / "ind.cora.x").read_bytes() + b"\0")
    with pytest.raises(RuntimeError, match="SHA-256"):
        load_planetoid("Cora", root=tmp_path)


def test_planetoid_refuses_code_in_a_pickle(tmp_path) -> None:
    _toy_planetoid(tmp_path)
    (tmp_path / "checksums.json").unlink(missing_ok=True)
    with open(tmp_path / "ind.cora.graph", "wb") as f:
        pickle.dump(print, f)  # any callable outside the allow-list
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_planetoid("Cora", root=tmp_path)


def test_planetoid_missing_files_name_the_cache(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="ind.cora.x"):
        load_planetoid("Cora", root=tmp_path)


def test_jets_shapes_and_physics() -> None:
    j = make_jets(200, seed=0)
    assert j["particles"].shape == (200, 64, 3) and j["y"].sum() == 100
    m = jet_mass(j["p4"], j["mask"])
    assert m[j["y"] == 1].mean() > m[j["y"] == 0].mean()  # two-prong jets are heavier
    img = jet_images(j["particles"], j["mask"])
    np.testing.assert_allclose(img.sum((1, 2, 3)), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(make_jets(20, seed=3)["particles"], make_jets(20, seed=3)["particles"])
