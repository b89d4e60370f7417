"""Creation functions and random numbers: shapes, dtypes, values and determinism (against torch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs

DT = {gs.float32: torch.float32, gs.float64: torch.float64, gs.int64: torch.int64, gs.bool: torch.bool, gs.int32: torch.int32}


def same_meta(g: gs.Tensor, t: torch.Tensor) -> None:
    assert tuple(g.shape) == tuple(t.shape), (g.shape, t.shape)
    assert DT[g.dtype] == t.dtype, (g.dtype, t.dtype)


@pytest.mark.parametrize(
    "call",
    [
        lambda L: L.zeros(2, 3), lambda L: L.zeros((2, 3)), lambda L: L.zeros(0), lambda L: L.zeros(()),
        lambda L: L.ones(4), lambda L: L.ones(2, 2, dtype=L.float64), lambda L: L.ones(3, dtype=L.int64),
        lambda L: L.empty(2, 5), lambda L: L.full((2, 3), 1.5), lambda L: L.full((2,), 7), lambda L: L.full((2,), True),
        lambda L: L.arange(5), lambda L: L.arange(1, 7, 2), lambda L: L.arange(0, 1, 0.25), lambda L: L.arange(5, dtype=L.float64),
        lambda L: L.arange(2.0, 5.0), lambda L: L.linspace(0, 1, 5), lambda L: L.linspace(-1, 1, 1),
        lambda L: L.eye(3), lambda L: L.eye(2, 4), lambda L: L.eye(3, dtype=L.float64),
        lambda L: L.rand(2, 3), lambda L: L.randn(4), lambda L: L.randn(2, 2, dtype=L.float64), lambda L: L.rand(()),
        lambda L: L.randint(0, 10, (3, 2)), lambda L: L.randint(10, (4,)), lambda L: L.randperm(5),
        lambda L: L.tensor(3.0), lambda L: L.tensor([[1, 2]]), lambda L: L.tensor([]),
    ],
)
def test_creation_shapes_and_dtypes(call) -> None:
    g, t = call(gs), call(torch)
    same_meta(g, t)
    if all(n not in call.__code__.co_names for n in ("rand", "randn", "randint", "randperm", "empty")):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64), t.double().numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "rand_like", "randn_like", "empty_like"])
@pytest.mark.parametrize("dtype", [gs.float32, gs.float64])
def test_like_functions(name: str, dtype) -> None:
    base = gs.ones(2, 3, dtype=dtype)
    g = getattr(gs, name)(base)
    t = getattr(torch, name)(torch.ones(2, 3, dtype=DT[dtype]))
    same_meta(g, t)


def test_like_functions_with_dtype_and_fill() -> None:
    i = gs.tensor([[1, 2, 3]])
    same_meta(gs.zeros_like(i), torch.zeros_like(torch.tensor([[1, 2, 3]])))
    same_meta(gs.zeros_like(i, dtype=gs.float32), torch.zeros_like(torch.tensor([[1, 2, 3]]), dtype=torch.float32))
    f = gs.full_like(gs.zeros(2), 3.5)
    assert f.tolist() == [3.5, 3.5] and f.dtype == gs.float32
    assert gs.ones_like(gs.zeros(2), requires_grad=True).requires_grad


def test_requires_grad_argument() -> None:
    assert gs.zeros(2, requires_grad=True).requires_grad
    assert gs.randn(2, requires_grad=True).is_leaf
    assert gs.tensor([1.0], requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="negative"):
        gs.zeros(-1)


def test_manual_seed_is_deterministic() -> None:
    def draw():
        return gs.randn(3, 2).tolist(), gs.rand(4).tolist(), gs.randint(0, 100, (5,)).tolist(), gs.randperm(6).tolist()

    gs.manual_seed(123)
    first = draw()
    gs.manual_seed(123)
    second = draw()
    assert first == second
    gs.manual_seed(124)
    assert draw() != first


def test_generator_has_its_own_stream() -> None:
    g1 = gs.Generator().manual_seed(7)
    a = gs.randn(4, generator=g1).tolist()
    gs.manual_seed(0)
    gs.randn(10)  # the default generator moving on must not affect g1
    g2 = gs.Generator().manual_seed(7)
    assert gs.randn(4, generator=g2).tolist() == a
    b = gs.randn(4, generator=g1).tolist()
    assert b != a  # g1 advanced
    gs.manual_seed(0)
    x = gs.randn(3).tolist()
    gs.manual_seed(0)
    gs.randn(3, generator=gs.Generator().manual_seed(99))  # another generator: default untouched
    assert gs.randn(3).tolist() == x


def test_rng_state_roundtrip() -> None:
    gs.manual_seed(5)
    state = gs.get_rng_state()
    a = gs.rand(3).tolist()
    gs.set_rng_state(state)
    assert gs.rand(3).tolist() == a


def test_random_value_ranges() -> None:
    gs.manual_seed(0)
    u = gs.rand(10_000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02
    n = gs.randn(10_000).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05
    r = gs.randint(3, 7, (1000,)).numpy()
    assert r.min() == 3 and r.max() == 6
    assert sorted(gs.randperm(8).tolist()) == list(range(8))
