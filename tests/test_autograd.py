"""The autograd engine: the things users of small autograd projects trip over, one test each."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import autograd
from oracle import close, t64, tt


RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- graph structure
def test_chain_of_100k_ops_backpropagates() -> None:
    """The topological sort is iterative: a 100,000-op chain is no RecursionError."""
    x = gs.tensor(0.5, requires_grad=True)
    y = x
    start = time.perf_counter()
    for _ in range(50_000):
        y = y * 1.0  # two ops per step: 100,000 ops in all
        y = y + 0.0
    y.backward()
    elapsed = time.perf_counter() - start
    print(f"100k-op chain: forward + backward in {elapsed:.2f} s")
    assert x.grad.item() == 1.0
    del y  # freeing a 100k-deep chain must not overflow the C stack either


def test_reused_node() -> None:
    a = t64([1.0, -2.0, 3.0])
    (a + a).sum().backward()
    close(a.grad, [2.0, 2.0, 2.0])
    a.grad = None
    (a * a).sum().backward()
    close(a.grad, 2 * a.detach().numpy())
    a.grad = None
    (a * a * a).sum().backward()
    close(a.grad, 3 * a.detach().numpy() ** 2)


def test_diamond_graph_runs_each_node_once() -> None:
    x0 = RNG.standard_normal(4)
    x, xt = t64(x0), tt(x0)
    calls = []
    m = x * 2.0
    m.register_hook(lambda g: calls.append(g))
    (m.exp() * m.sin() + m).sum().backward()
    mt = xt * 2.0
    (mt.exp() * mt.sin() + mt).sum().backward()
    close(x.grad, xt.grad)
    assert len(calls) == 1, "the shared node's gradient must be complete before it is used, once"


def test_reduction_over_several_axes() -> None:
    x0 = RNG.standard_normal((2, 3, 4, 5))
    x, xt = t64(x0), tt(x0)
    w0 = RNG.standard_normal((2, 4))
    (x.sum((1, 3)) * t64(w0, False)).sum().backward()
    (xt.sum((1, 3)) * tt(w0, False)).sum().backward()
    close(x.grad, xt.grad)


@pytest.mark.parametrize("scale", [1000.0, -1000.0])
def test_large_inputs_stay_finite(scale: float) -> None:
    x0 = np.array([[1.0, 0.5, -0.25], [0.0, 2.0, 1.0]]) * scale
    labels = np.array([0, 2])
    fns = {
        "softmax": lambda L, x: x.softmax(-1),
        "log_softmax": lambda L, x: x.log_softmax(1),
        "cross_entropy": lambda L, x: x.logsumexp(1) - x.gather(1, L.tensor(labels).reshape(2, 1)).squeeze(1),
        "tanh": lambda L, x: x.tanh(),
        "sigmoid": lambda L, x: x.sigmoid(),
    }
    for name, fn in fns.items():
        x, xt = t64(x0), tt(x0)
        y, yt = fn(gs, x), fn(torch, xt)
        assert np.isfinite(y.detach().numpy()).all(), name
        close(y, yt)
        v = RNG.standard_normal(tuple(y.shape))
        y.backward(t64(v, False))
        yt.backward(tt(v, False))
        assert np.isfinite(x.grad.numpy()).all(), name
        close(x.grad, xt.grad)


# ---------------------------------------------------------------- higher-order derivatives
def _f(L, x, w):
    return ((x @ w).tanh() ** 2).sum() + (x * x * x).sum()


def test_hessian_vector_product_matches_torch() -> None:
    x0, w0, v0 = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal((2, 3))
    x, xt = t64(x0), tt(x0)
    (g,) = autograd.grad(_f(gs, x, t64(w0, False)), x, create_graph=True)
    (gt,) = torch.autograd.grad(_f(torch, xt, tt(w0, False)), xt, create_graph=True)
    (hv,) = autograd.grad((g * t64(v0, False)).sum(), x)
    (hvt,) = torch.autograd.grad((gt * tt(v0, False)).sum(), xt)
    close(hv, hvt)
    assert not hv.requires_grad  # create_graph=False: a plain result


def test_gradient_penalty_matches_torch() -> None:
    """d/dw of ||d f / d x||^2 (WGAN-GP style): a second derivative through the parameters."""
    x0, w0 = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2))
    x, w = t64(x0), t64(w0)
    xt, wt = tt(x0), tt(w0)
    (gx,) = autograd.grad(_f(gs, x, w), x, create_graph=True)
    (gxt,) = torch.autograd.grad(_f(torch, xt, wt), xt, create_graph=True)
    (gx * gx).sum().backward()
    (gxt * gxt).sum().backward()
    close(w.grad, wt.grad)
    close(x.grad, xt.grad)


def test_third_derivative_of_cube() -> None:
    x = t64(2.0)
    (d1,) = autograd.grad(x**3, x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


# ---------------------------------------------------------------- autograd.grad
def test_grad_allow_unused() -> None:
    x, y = t64([1.0, 2.0]), t64([3.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad((x * 2).sum(), [x, y])
    gx, gy = autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    close(gx, [2.0, 2.0])
    assert gy is None
    assert x.grad is None, "autograd.grad must not touch .grad"


def test_grad_of_non_leaf_inputs() -> None:
    x0 = RNG.standard_normal(3)
    x, xt = t64(x0), tt(x0)
    y, yt = x * 2.0, xt * 2.0
    z, zt = (y.exp() * y).sum(), (yt.exp() * yt).sum()
    gy, gx = autograd.grad(z, [y, x])  # y itself depends on x: x's gradient flows through y
    gyt, gxt = torch.autograd.grad(zt, [yt, xt])
    close(gy, gyt)
    close(gx, gxt)
    y2 = x * 3.0
    (g2,) = autograd.grad((y2 * y2).sum(), y2)
    close(g2, 2 * y2.detach().numpy())


def test_grad_retain_graph_and_grad_outputs() -> None:
    x = t64([1.0, 2.0, 3.0])
    y = x * x
    v = t64([1.0, 0.5, -1.0], False)
    (g1,) = autograd.grad(y, x, grad_outputs=v, retain_graph=True)
    (g2,) = autograd.grad(y, x, grad_outputs=v)
    close(g1, 2 * np.array([1.0, 2.0, 3.0]) * [1.0, 0.5, -1.0])
    close(g2, g1)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        autograd.grad(y, x, grad_outputs=v)
    with pytest.raises(RuntimeError, match="scalar"):
        autograd.grad(x * x, x)


# ---------------------------------------------------------------- backward errors
def test_backward_twice_needs_retain_graph() -> None:
    x = t64([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()
    x.grad = None
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    z.backward()
    close(x.grad, 2 * first)


def test_inplace_change_of_a_saved_input_is_detected() -> None:
    a = t64([1.0, 2.0], requires_grad=False)
    w = t64([3.0, 4.0])
    y = (a * w).sum()
    a.add_(1.0)  # a was saved by mul for w's gradient
    with pytest.raises(RuntimeError, match=r"mul.*modified in place"):
        y.backward()


@pytest.mark.parametrize(
    "modify",
    [lambda a: a[0:2].add_(1.0), lambda a: a.detach().mul_(2.0), lambda a: a.reshape(3, 1).zero_(), lambda a: a.flip(0).fill_(0.0)],
    ids=["slice", "detach", "reshape", "flip"],
)
def test_inplace_change_through_a_view_is_detected(modify) -> None:
    """Views share their base's version counter (as in torch), so this is no silent wrong gradient."""
    a = t64([1.0, 2.0, 3.0], requires_grad=False)
    w = t64([3.0, 4.0, 5.0])
    y = (a * w).sum()
    modify(a)
    with pytest.raises(RuntimeError, match=r"mul.*modified in place"):
        y.backward()


def test_copies_do_not_share_versions() -> None:
    a = t64([1.0, 2.0, 3.0], requires_grad=False)
    w = t64([3.0, 4.0, 5.0])
    y = (a * w).sum()
    a.clone().add_(1.0)
    (a * 2).add_(1.0)
    a[gs.tensor([0, 1])].add_(1.0)  # advanced indexing copies
    y.backward()
    close(w.grad, [1.0, 2.0, 3.0])


def test_inplace_change_of_a_saved_output_is_detected() -> None:
    x = t64([1.0, 2.0])
    y = x.exp()
    with gs.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"exp.*modified in place"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_is_refused() -> None:
    w = t64([1.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1.0)
    with gs.no_grad():
        w.add_(1.0)
    close(w, [2.0])


def test_backward_on_non_scalar_explains() -> None:
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"scalar.*\(2,\).*gradient"):
        (x * 2).backward()
    (x * 2).backward(gs.ones(2, dtype=gs.float64))
    close(x.grad, [2.0, 2.0])


def test_seed_gradient_takes_the_output_dtype() -> None:
    x = gs.ones(3, requires_grad=True)
    (x * 2).backward(gs.ones(3, dtype=gs.float64))
    assert x.grad.dtype == gs.float32
    (g,) = autograd.grad(x * 2, x, gs.ones(3, dtype=gs.float64))
    assert g.dtype == gs.float32


def test_backward_create_graph_gives_differentiable_grad() -> None:
    x = t64([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    close(x.grad, 6 * np.array([1.0, 2.0]))


def test_backward_without_grad_explains() -> None:
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        gs.ones(2).sum().backward()


# ---------------------------------------------------------------- anomaly detection
def test_detect_anomaly_forward_names_op() -> None:
    x = t64([1.0, -1.0])
    with autograd.detect_anomaly(), np.errstate(invalid="ignore"):
        with pytest.raises(FloatingPointError, match="log"):
            x.log()
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().detach().numpy()[1])  # outside the block: no check
    assert not autograd.is_anomaly_enabled()


def test_detect_anomaly_backward_names_op() -> None:
    x = t64([0.0, 1.0])
    with autograd.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        y = (x.sqrt() * 2.0).sum()  # finite forward; d sqrt/dx = inf at 0
        with pytest.raises(FloatingPointError, match=r"sqrt \(backward\)") as info:
            y.backward()
    assert "test_autograd.py" in str(info.value), "should point at the user's line that created the op"
