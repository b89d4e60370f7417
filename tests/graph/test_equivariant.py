"""Groups, equivariant layers and check_equivariance (float64: errors at rounding level)."""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn
from gradstudent.equivariant import C, D, E, EGNNLayer, GroupConv, LiftingConv, O2, PermutationGroup, SO2, check_equivariance, group_max_pool2d, group_pool
from gradstudent.graph import GCNConv, global_add_pool


def test_group_tables_are_groups() -> None:
    for G in (C(4), D(4)):
        t, k = G.table, len(G.elements())
        assert all(sorted(row) == list(range(k)) for row in t) and (t[:, 0] == np.arange(k)).all()
        assert all(t[a, G.inverse[a]] == 0 for a in range(k))
        for a in range(k):  # associativity
            for b in range(k):
                assert (t[t[a, b]] == t[a][t[b]]).all()


@pytest.mark.parametrize("G", [C(4), D(4)], ids=["C4", "D4"])
def test_group_convolutions_are_equivariant(G) -> None:
    gs.manual_seed(0)
    lift, gconv = LiftingConv(G, 2, 3).double(), GroupConv(G, 3, 4).double()
    x = gs.from_numpy(np.random.default_rng(0).standard_normal((2, 2, 8, 8)))
    assert check_equivariance(lift, G, [x], ["image"], "group_image")["max_abs_error"] < 1e-12
    assert check_equivariance(lambda z: group_max_pool2d(gconv(lift(z))), G, [x], ["image"], "group_image")["max_abs_error"] < 1e-12
    assert check_equivariance(lambda z: group_pool(gconv(lift(z))).mean((-2, -1)), G, [x], ["image"], "invariant")["max_abs_error"] < 1e-12


def test_a_plain_conv_is_not_rotation_equivariant() -> None:
    gs.manual_seed(0)
    conv = nn.Conv2d(1, 2, 3, padding=1).double()
    x = gs.from_numpy(np.random.default_rng(0).standard_normal((1, 1, 8, 8)))
    assert check_equivariance(conv, C(4), [x], ["image"], "image")["max_abs_error"] > 1e-2


def test_egnn_is_e3_and_permutation_equivariant() -> None:
    gs.manual_seed(0)
    layer = EGNNLayer(4, 4).double()
    rng = np.random.default_rng(0)
    h, x = gs.from_numpy(rng.standard_normal((7, 4))), gs.from_numpy(rng.standard_normal((7, 3)))
    ei = gs.from_numpy(np.array([[0, 1, 2, 3, 4, 5, 6, 0], [1, 2, 3, 4, 5, 6, 0, 4]]))
    err = check_equivariance(layer, E(3), [h, x, ei], ["invariant", "points", "fixed"], ["invariant", "points"], n_samples=10)
    assert err["max_abs_error"] < 1e-12
    err = check_equivariance(layer, PermutationGroup(7), [h, x, ei], ["nodes", "nodes", "edge_index"], ["nodes", "nodes"])
    assert err["max_abs_error"] < 1e-12


def test_egnn_gradients_flow_to_coordinates() -> None:
    layer = EGNNLayer(2, 2).double()
    h = gs.randn(4, 2, dtype=gs.float64)
    x = gs.randn(4, 2, dtype=gs.float64, requires_grad=True)
    ei = gs.from_numpy(np.array([[0, 1, 2, 3], [1, 2, 3, 0]]))
    assert gs.autograd.gradcheck(lambda xx: layer(h, xx, ei)[1], [x])


def test_planar_groups_on_points_and_gnn_permutation_invariance() -> None:
    pts = np.random.default_rng(1).standard_normal((5, 2))
    norm = lambda p: np.linalg.norm(p, axis=-1)  # noqa: E731
    for G in (SO2(), O2(), C(6), D(3)):
        assert check_equivariance(norm, G, [pts], ["points"], "invariant")["max_abs_error"] < 1e-12
    conv = GCNConv(3, 2).double()
    x = gs.from_numpy(np.random.default_rng(2).standard_normal((6, 3)))
    ei = gs.from_numpy(np.array([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]]))
    f = lambda x, e: global_add_pool(conv(x, e), None)  # noqa: E731
    assert check_equivariance(f, PermutationGroup(6), [x, ei], ["nodes", "edge_index"], "invariant")["max_abs_error"] < 1e-12
