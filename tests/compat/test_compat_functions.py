"""The torch.* functions, Tensor methods, activations and autograd.functional added for compatibility.

Composed functions go through the oracle (forward, gradients, second
derivatives, finite differences against PyTorch); constant ones are compared
with PyTorch's values.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from oracle import Const, OpCase, positive

CASES = [
    OpCase("log", lambda L, a: L.log2(a) + L.log10(a), [positive(2, 3)], tag="log2+log10"),
    OpCase("sin", lambda L, a: L.tan(a * 0.5), [(3,)], tag="tan"),
    OpCase("exp", lambda L, a: L.sinh(a) * L.cosh(a), [(3,)], tag="sinh*cosh"),
    OpCase("div", lambda L, a: L.reciprocal(a), [positive(4)], tag="reciprocal"),
    OpCase("mul", lambda L, a, b: L.lerp(a, b, 0.3), [(3,), (3,)], tag="lerp"),
    OpCase("matmul", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), [(2, 4), (2, 3), (3, 4)], tag="addmm"),
    OpCase("matmul", lambda L, a, b: L.bmm(a, b), [(2, 3, 4), (2, 4, 5)], tag="bmm"),
    OpCase("mul", lambda L, a: L.trace(a), [(3, 4)], tag="trace"),
    OpCase("sub", lambda L, a: L.diff(a, n=2, dim=1), [(2, 5)], tag="diff"),
    OpCase("permute", lambda L, a: L.movedim(a, 0, 2), [(2, 3, 4)], tag="movedim"),
    OpCase("cat", lambda L, a, b: L.hstack([a, b]) * 1, [(2, 3), (2, 1)], tag="hstack"),
    OpCase("cat", lambda L, a, b: L.vstack([a, b]) * 1, [(3,), (3,)], tag="vstack"),
    OpCase("narrow", lambda L, a: L.stack(L.unbind(a, 1)) * 1, [(2, 3)], tag="unbind"),
    OpCase("cat", lambda L, a: L.roll(a, 2, 1), [(2, 5)], tag="roll"),
    OpCase("cat", lambda L, a: L.roll(a, (1, -1), (0, 1)), [(3, 4)], tag="roll2"),
    OpCase("cat", lambda L, a: L.roll(a, 3), [(2, 3)], tag="roll-flat"),
    OpCase("index_select", lambda L, a: L.repeat_interleave(a, 2, dim=0), [(3, 2)], tag="repeat_interleave"),
    OpCase("gather", lambda L, a: L.sort(a, dim=1).values, [(3, 4)], tag="sort"),
    OpCase("gather", lambda L, a: L.sort(a, dim=0, descending=True)[0], [(3, 4)], tag="sort-desc"),
    OpCase("gather", lambda L, a: L.topk(a, 2, dim=-1).values, [(3, 5)], tag="topk"),
    OpCase("gather", lambda L, a: a.topk(2, dim=0, largest=False)[0], [(4, 2)], tag="topk-smallest"),
    OpCase("expand", lambda L, a: L.broadcast_to(a, (2, 3)) * 1, [(3,)], tag="broadcast_to"),
    OpCase("expand", lambda L, a, b: L.meshgrid(a, b, indexing="ij")[0] * L.meshgrid(a, b, indexing="ij")[1], [(3,), (2,)], tag="meshgrid"),
    OpCase("expand", lambda L, a, b: L.meshgrid(a, b, indexing="xy")[0] + 2 * L.meshgrid(a, b, indexing="xy")[1], [(3,), (2,)], tag="meshgrid-xy"),
    OpCase("matmul", lambda L, a: L.diag(a), [(3,)], tag="diag-embed"),
    OpCase("matmul", lambda L, a: L.diag(a, 1), [(2,)], tag="diag-embed-offset"),
    OpCase("getitem", lambda L, a: L.diag(a, -1), [(3, 4)], tag="diag-extract"),
    OpCase("clamp", lambda L, a: L.nn.functional.relu6(a * 4) + L.nn.functional.hardtanh(a), [(3, 4)], tag="relu6+hardtanh"),
    OpCase("div", lambda L, a: L.nn.functional.softsign(a), [(3, 4)], tag="softsign"),
    OpCase("exp", lambda L, a: L.nn.functional.selu(a) + L.nn.functional.celu(a, 0.5), [(3, 4)], tag="selu+celu"),
    OpCase("tanh", lambda L, a: L.nn.functional.mish(a), [(3, 4)], tag="mish"),
    # torch has no second derivative for hardsigmoid/hardswish: first order against torch, second by finite differences
    OpCase("clamp", lambda L, a: L.nn.functional.hardswish(a) + L.nn.functional.hardsigmoid(a), [(3, 4)], tag="hard*", opts={"second_order": False}),
    OpCase("softmax", lambda L, a: L.nn.functional.softmin(a, dim=1), [(3, 4)], tag="softmin"),
    OpCase("sigmoid", lambda L, a: L.nn.functional.glu(a, dim=-1), [(3, 4)], tag="glu"),
    OpCase("div", lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim=1), [(3, 4), (3, 4)], tag="cosine_similarity"),
    OpCase("pow_scalar", lambda L, a, b: L.nn.functional.pairwise_distance(a, b), [(3, 4), (3, 4)], tag="pairwise_distance"),
]


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_composed(case: OpCase) -> None:
    case.run()


def _both(fn, *arrays):
    ours = fn(gs, *[gs.from_numpy(a) for a in arrays])
    theirs = fn(torch, *[torch.from_numpy(a) for a in arrays])
    return ours, theirs


def _same(ours, theirs) -> None:
    if isinstance(ours, tuple | list):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    if isinstance(ours, bool):
        assert ours == theirs
        return
    o, t = ours.numpy(), theirs.numpy()
    assert o.shape == t.shape and str(o.dtype) == str(t.dtype).removeprefix("torch.").replace("bool", "bool"), (o.dtype, t.dtype)
    np.testing.assert_array_equal(o, t)


RNG = np.random.default_rng(0)
A = np.round(RNG.standard_normal((3, 4)), 1)
B = np.round(RNG.standard_normal((3, 4)), 1)
N = np.array([1.0, np.nan, np.inf, -np.inf, 2.5, -0.5])
I = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])

CONSTANTS = {
    "compare": (lambda L, a, b: [L.eq(a, b), L.ne(a, b), L.lt(a, b), L.le(a, b), L.gt(a, b), L.ge(a, b)], A, B),
    "logic": (lambda L, a, b: [L.logical_and(a > 0, b > 0), L.logical_or(a > 0, b > 0), L.logical_xor(a > 0, b > 0), L.logical_not(a > 0)], A, B),
    "all-any": (lambda L, a: [L.all(a > -5), L.any(a > 1, dim=1), L.all(a > 0, dim=0, keepdim=True)], A),
    "nan-inf": (lambda L, a: [L.isnan(a), L.isinf(a), L.isfinite(a), L.nan_to_num(a), L.nan_to_num(a, nan=1.0, posinf=9.0, neginf=-9.0)], N),
    "rounding": (lambda L, a: [L.floor(a), L.ceil(a), L.round(a), L.trunc(a), L.frac(a), a.round()], A * 3),
    "argsort": (lambda L, a: [L.argsort(a, dim=1), L.argsort(a, dim=0, descending=True)], A),
    "sort-indices": (lambda L, a: [L.sort(a, stable=True).indices, L.topk(a, 3).indices], RNG.standard_normal((3, 5))),
    "nonzero": (lambda L, a: [L.nonzero(a > 0), *L.nonzero(a > 0, as_tuple=True), L.count_nonzero(a > 0)], A),
    "unique": (lambda L, a: [*L.unique(a, return_inverse=True, return_counts=True), L.bincount(a)], I),
    "indices": (lambda L: [L.tril_indices(3, 4), L.triu_indices(4, 3, 1)],),
    "close": (lambda L, a, b: [L.isclose(a, b + 1e-9), L.allclose(a, a + 1e-9), L.equal(a, b), L.equal(a, a)], A, B),
    "searchsorted": (lambda L, a: [L.searchsorted(L.tensor([0.0, 0.5, 1.0]), a), L.bucketize(a, L.tensor([0.0, 0.5, 1.0]))], A),
    "shape": (lambda L, a: [L.t(a), L.tile(a, (2,)), L.swapaxes(a, 0, 1), L.select(a, 1, -1), L.take_along_dim(a, L.argsort(a, dim=1), dim=1)], A),
    "stats": (lambda L, a: [*L.var_mean(a, dim=1), *L.std_mean(a)], A),
}


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_constants_match_torch(name: str) -> None:
    fn, *arrays = CONSTANTS[name]
    if name == "stats":
        ours, theirs = _both(fn, *arrays)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
        return
    _same(*_both(fn, *arrays))


def test_tensor_methods_and_small_helpers() -> None:
    x = gs.tensor(A)
    assert x.type_as(gs.ones(1, dtype=gs.float32)).dtype == gs.float32
    assert x.element_size() == 8 and x.nelement() == 12 and x.stride() == (4, 1) and x.is_contiguous()
    assert not x.t().is_contiguous()
    assert gs.is_floating_point(x) and not gs.is_floating_point(gs.tensor([1]))
    assert gs.finfo(gs.float32).eps == torch.finfo(torch.float32).eps
    assert gs.iinfo(gs.int64).max == torch.iinfo(torch.int64).max
    np.testing.assert_allclose(gs.logspace(0, 2, 3).numpy(), torch.logspace(0, 2, 3).numpy())
    r = gs.randint_like(gs.ones(2, 3), 5)
    assert r.shape == (2, 3) and r.dtype == gs.float32 and (r.numpy() < 5).all()
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        gs.t(gs.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="bmm: batch1 and batch2 must be 3-D"):
        gs.bmm(gs.ones(2, 2), gs.ones(2, 2))
    with pytest.raises(IndexError, match="Dimension out of range"):
        gs.diff(gs.ones(3), dim=2)


def test_activation_modules_match_functional() -> None:
    x = gs.tensor(A)
    nn, F = gs.nn, gs.nn.functional
    pairs = [(nn.ReLU6(), F.relu6), (nn.Hardtanh(-0.5, 0.5), lambda t: F.hardtanh(t, -0.5, 0.5)), (nn.Softsign(), F.softsign),
             (nn.SELU(), F.selu), (nn.CELU(0.7), lambda t: F.celu(t, 0.7)), (nn.Mish(), F.mish), (nn.Hardswish(), F.hardswish),
             (nn.Hardsigmoid(), F.hardsigmoid), (nn.Softmin(1), lambda t: F.softmin(t, 1)), (nn.GLU(), F.glu),
             (nn.Threshold(0.1, -1.0), lambda t: F.threshold(t, 0.1, -1.0))]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
    t = torch.from_numpy(A)
    np.testing.assert_allclose(F.threshold(x, 0.1, -1.0).numpy(), torch.nn.functional.threshold(t, 0.1, -1.0).numpy())
    np.testing.assert_allclose(nn.CosineSimilarity()(x, x * 2).numpy(), np.ones(3))
    np.testing.assert_allclose(nn.PairwiseDistance()(x, gs.tensor(B)).numpy(), torch.nn.PairwiseDistance()(t, torch.from_numpy(B)).numpy())


def _f(L, x, y):
    return (x**2 * y.sin()).sum() + (x * y).prod()


def test_autograd_functional_matches_torch() -> None:
    x0, y0, v = np.array([0.3, -1.2, 0.7]), np.array([1.1, 0.4, -0.2]), np.array([1.0, -2.0, 0.5])
    results = {}
    for L in (gs, torch):
        x, y = L.tensor(x0), L.tensor(y0)
        AF = L.autograd.functional
        vec = lambda a: L.stack([a.sum(), (a * a).sum(), a.prod()])  # noqa: E731
        results[L.__name__] = [
            AF.jacobian(vec, x),
            *AF.jacobian(lambda a, b: _f(L, a, b), (x, y)),
            AF.hessian(lambda a: _f(L, a, L.tensor(y0)), x),
            *[h for row in AF.hessian(lambda a, b: _f(L, a, b), (x, y)) for h in row],
            AF.vjp(vec, x, L.tensor(v))[1],
            AF.jvp(vec, x, L.tensor(v))[1],
            AF.hvp(lambda a: _f(L, a, L.tensor(y0)), x, L.tensor(v))[1],
        ]
    for ours, theirs in zip(results["gradstudent"], results["torch"]):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_set_detect_anomaly_and_function_module_names() -> None:
    from gradstudent.autograd.function import FunctionCtx, once_differentiable  # noqa: F401  (PyTorch's import path)

    with gs.autograd.set_detect_anomaly(True):
        assert gs.autograd.is_anomaly_enabled()
    assert not gs.autograd.is_anomaly_enabled()


_SIGNS = np.array([1.0, -1.0, 1.0, -1.0])
_COUNTS = np.array([[0.0, 1.0, 3.0], [2.0, 0.0, 5.0]])
_LABELS = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
LOSS_CASES = [
    OpCase("clamp", lambda L, a, b, y: L.nn.functional.margin_ranking_loss(a, b, y, margin=0.3), [(4,), (4,), Const(_SIGNS)], tag="margin_ranking"),
    OpCase("clamp", lambda L, a, y: L.nn.functional.hinge_embedding_loss(a, y, reduction="sum"), [(4,), Const(_SIGNS)], tag="hinge_embedding"),
    OpCase("sqrt", lambda L, a, b, y: L.nn.functional.cosine_embedding_loss(a, b, y, margin=-0.2), [(4, 3), (4, 3), Const(_SIGNS)], tag="cosine_embedding"),
    OpCase("clamp", lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p, n, margin=2.0), [(4, 3), (4, 3), (4, 3)], tag="triplet"),
    OpCase("clamp", lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p, n, margin=2.0, p=1.0, swap=True), [(4, 3), (4, 3), (4, 3)], tag="triplet-swap-p1"),
    OpCase("exp", lambda L, a, y: L.nn.functional.poisson_nll_loss(a, y), [(2, 3), Const(_COUNTS)], tag="poisson"),
    OpCase("log", lambda L, a, y: L.nn.functional.poisson_nll_loss(a, y, log_input=False, full=True), [positive(2, 3), Const(_COUNTS)], tag="poisson-full"),
    OpCase("logsigmoid", lambda L, a, y: L.nn.functional.multilabel_soft_margin_loss(a, y), [(2, 3), Const(_LABELS)], tag="multilabel_soft_margin"),
    OpCase("gather", lambda L, a, y: L.nn.functional.multi_margin_loss(a, y), [(4, 3), np.array([0, 2, 1, 2])], tag="multi_margin", opts={"second_order": False}),
    OpCase("gather", lambda L, a, y: L.nn.functional.multi_margin_loss(a, y, p=2, margin=0.5, reduction="none"), [(4, 3), np.array([0, 2, 1, 2])], tag="multi_margin-p2", opts={"second_order": False}),
    OpCase("clamp", lambda L, a, w: L.nn.functional.prelu(a, w), [(2, 3, 4), (3,)], tag="prelu"),
    OpCase("einsum", lambda L, a, b, w, c: L.nn.functional.bilinear(a, b, w, c), [(5, 2), (5, 3), (4, 2, 3), (4,)], tag="bilinear"),
    OpCase("rsqrt", lambda L, a, w: L.nn.functional.rms_norm(a, (4,), w, eps=1e-6), [(3, 4), (4,)], tag="rms_norm"),
    OpCase("rsqrt", lambda L, a, w, b: L.nn.functional.instance_norm(a, weight=w, bias=b), [(2, 3, 5), (3,), (3,)], tag="instance_norm"),
]


@pytest.mark.parametrize("case", [c.param() for c in LOSS_CASES])
def test_losses_and_layers(case: OpCase) -> None:
    case.run()


def test_extra_modules_match_torch() -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 4)).astype(np.float32)
    for ours, theirs in ((gs.nn.PReLU(3), torch.nn.PReLU(3)), (gs.nn.RMSNorm([4, 4]), torch.nn.RMSNorm([4, 4])),
                         (gs.nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True))):
        np.testing.assert_allclose(ours(gs.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert [p.shape for p in gs.nn.Bilinear(2, 3, 4).parameters()] == [tuple(p.shape) for p in torch.nn.Bilinear(2, 3, 4).parameters()]
    assert gs.nn.MultiMarginLoss()(gs.tensor(x[0, 0]), gs.tensor([0, 1, 2, 3])).item() == pytest.approx(
        torch.nn.MultiMarginLoss()(torch.tensor(x[0, 0]), torch.tensor([0, 1, 2, 3])).item())
    with pytest.raises(NotImplementedError, match="track_running_stats"):
        gs.nn.InstanceNorm2d(3, track_running_stats=True)
