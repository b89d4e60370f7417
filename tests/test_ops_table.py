"""Every core op against PyTorch: forward, gradients, second derivatives, finite differences.

Each row is an :class:`oracle.OpCase`: ``OpCase(op, fn, inputs)`` where
``fn(L, *inputs)`` is run once with ``L = gradstudent`` and once with ``L = torch``
(pass ``torch_fn`` when torch spells it differently). Inputs are shapes (random
float64 that require grad) or specs from ``oracle`` (``positive``, ``const``, index
arrays...). To add an op: add rows here, or build a table like this one in your
own test file and list the op in ``COVERED_ELSEWHERE``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.ops import index as gs_index
from gradstudent.ops import nn_ops
from gradstudent.ops.elementwise import ToDevice
from gradstudent.ops.shape import sum_to_shape
from oracle import OpCase, const, float32, positive, uniform

CASES: list[OpCase] = []


def rows(op: str, fn, input_sets, torch_fn=None, tag: str = "", **opts) -> None:
    """Add one row per entry of ``input_sets`` (each a list of inputs)."""
    for ins in input_sets:
        CASES.append(OpCase(op, fn, list(ins), torch_fn, tag, opts))


def row(op: str, fn, inputs, torch_fn=None, tag: str = "", slow: bool = False, f32: bool = True, **opts) -> None:
    CASES.append(OpCase(op, fn, list(inputs), torch_fn, tag, opts, slow, f32))


UNARY_SHAPES = [[()], [(1,)], [(0, 3)], [(2, 3)]]
BINARY_SHAPES = [
    [(2, 3), (2, 3)], [(3, 1), (1, 4)], [(2, 3, 4), (4,)], [(5,), ()], [(), ()], [(0, 3), (1, 3)], [(1,), (2, 2)],
]


def _pos_shapes(sets):
    return [[positive(*s) for s in ins] for ins in sets]


# ---------------------------------------------------------------- arithmetic
rows("add", lambda L, a, b: a + b, BINARY_SHAPES)
rows("sub", lambda L, a, b: a - b, BINARY_SHAPES)
rows("mul", lambda L, a, b: a * b, BINARY_SHAPES)
rows("div", lambda L, a, b: a / b, [[(2, 3), positive(2, 3)], [(3, 1), positive(1, 4)], [(2, 3, 4), positive(4)], [(5,), positive()]])
rows("pow", lambda L, a, b: a**b, _pos_shapes([[(2, 3), (2, 3)], [(3, 1), (1, 4)], [(5,), ()]]))
row("add", lambda L, a: 2 + a - 1.5, [(2, 3)], tag="scalar")
row("mul", lambda L, a: a * 2.5 * 3, [(2, 3)], tag="scalar")
row("div", lambda L, a: 3.0 / a / 2, [positive(2, 3)], tag="scalar")
row("sub", lambda L, a: 1 - a, [()], tag="scalar")
row("neg", lambda L, a: -a, [(2, 3)])
for p in (2, 3, 0, 1, -1, 0.5, -1.5, 2.5):
    row("pow_scalar", lambda L, a, p=p: a**p, [positive(2, 3)], tag=f"p={p}")
row("pow_scalar", lambda L, a: a**3, [(2, 3)], tag="neg-base")
row("pow_scalar", lambda L, a: a**2, [()], tag="p=2")
row("pow_scalar", lambda L, a: L.square(a), [(3,)], tag="square")
row("rpow_scalar", lambda L, a: 2.0**a, [(2, 3)])
row("rpow_scalar", lambda L, a: 0.5**a, [()])
rows("maximum", lambda L, a, b: L.maximum(a, b), BINARY_SHAPES[:4])
rows("minimum", lambda L, a, b: L.minimum(a, b), BINARY_SHAPES[:4])
_TIE_A, _TIE_B = np.array([1.0, 2.0, 3.0, -1.0]), np.array([1.0, 0.0, 3.0, 5.0])
row("maximum", lambda L, a, b: L.maximum(a, b), [_TIE_A, _TIE_B], tag="ties", gradcheck=False, gradgradcheck=False)
row("minimum", lambda L, a, b: L.minimum(a, b), [_TIE_A, _TIE_B], tag="ties", gradcheck=False, gradgradcheck=False)
row("maximum", lambda L, a, b: a.max(b), [(3, 1), (1, 4)], tag="max-tensor")

# ---------------------------------------------------------------- unary math
for name in ("neg", "abs", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "expm1"):
    rows(name, lambda L, a, name=name: getattr(a, name)(), UNARY_SHAPES)
for name in ("log", "sqrt", "rsqrt", "log1p"):
    rows(name, lambda L, a, name=name: getattr(L, name)(a), [[positive(*s[0])] for s in UNARY_SHAPES])
row("log1p", lambda L, a: a.log1p(), [uniform((2, 3), -0.9, 3.0)], tag="wide")
row("abs", lambda L, a: a.abs(), [np.array([-1.0, 0.0, 2.0])], tag="at-zero", gradgradcheck=False)
row("relu", lambda L, a: a.relu(), [np.array([-1.0, 0.0, 2.0])], tag="at-zero", gradcheck=False, gradgradcheck=False)
row("sign", lambda L, a: a.sign() * a, [(2, 3)], tag="zero-grad")  # sign is a constant (no grad), as torch's is zero
row("clamp", lambda L, a: a.clamp(-0.5, 0.5), [(3, 4)])
row("clamp", lambda L, a: a.clamp(min=0.1), [(3, 4)], tag="min")
row("clamp", lambda L, a: L.clamp(a, max=-0.2), [(3, 4)], tag="max")
row("clamp", lambda L, a: a.clamp(0.0, 1.0), [np.array([-1.0, 0.0, 0.5, 1.0, 2.0])], tag="bounds", gradcheck=False, gradgradcheck=False)
_COND = np.array([[True, False, True]])
row("where", lambda L, c, a, b: L.where(c, a, b), [_COND, (2, 3), (2, 1)])
row("where", lambda L, c, a: L.where(c, a, 0.0), [_COND, (2, 3)], tag="scalar")
row("where", lambda L, c, a: a.where(c, -a), [np.array(True), (2,)], tag="method")
row("clone", lambda L, a: a.clone() * 2, [(2, 3)])
row("cast", lambda L, a: a.float(), [(2, 3)], tag="to-f32", atol=1e-6, rtol=1e-6, f32=False)
row("cast", lambda L, a: a.double() * 2, [float32(2, 3)], tag="to-f64", atol=1e-6, rtol=1e-6)
row("cast", lambda L, a: a.float().double(), [(4,)], tag="roundtrip", atol=1e-6, rtol=1e-6, eps=1e-2)
row("cast", lambda L, a: a.to(L.float32) + 1, [(4,)], tag="to", atol=1e-6, rtol=1e-6, gradcheck=False, f32=False)
row("mul", lambda L, a: (a * 2.5 + a) / 3, [float32(2, 3)], tag="f32", atol=1e-6, rtol=1e-5)
row("to_device", lambda L, a: ToDevice.apply(a, device="cpu") * 1.0, [(2, 3)], torch_fn=lambda L, a: a.to("cpu") * 1.0)

# ---------------------------------------------------------------- nn ops
rows("softmax", lambda L, a: a.softmax(-1), [[(4,)], [(2, 3)], [(2, 3, 4)]])
row("softmax", lambda L, a: a.softmax(0), [(2, 3)], tag="dim0")
row("softmax", lambda L, a: L.softmax(a, 1), [(2, 3, 4)], tag="dim1")
row("softmax", lambda L, a: a.softmax(0), [()], tag="0d")
rows("log_softmax", lambda L, a: a.log_softmax(-1), [[(4,)], [(2, 3)], [(2, 3, 4)]])
row("log_softmax", lambda L, a: L.log_softmax(a, 1), [(2, 3, 4)], tag="dim1")
row("log_softmax", lambda L, a: a.log_softmax(0), [(3, 2)], tag="dim0")
def tf(name: str, **kw):
    """torch.nn.functional.<name>(x, **kw)"""
    return lambda L, a: getattr(L.nn.functional, name)(a, **kw)


row("softplus", lambda L, a: nn_ops.Softplus.apply(a, beta=1.0, threshold=20.0), [(2, 3)], torch_fn=tf("softplus"))
row("softplus", lambda L, a: nn_ops.Softplus.apply(a, beta=2.0, threshold=1.0), [uniform((3, 4), -2, 2)], torch_fn=tf("softplus", beta=2.0, threshold=1.0), tag="beta")
row("gelu", lambda L, a: nn_ops.Gelu.apply(a, approximate="none"), [(2, 3)], torch_fn=tf("gelu"))
row("gelu", lambda L, a: nn_ops.Gelu.apply(a, approximate="tanh"), [(2, 3)], torch_fn=tf("gelu", approximate="tanh"), tag="tanh")
row("silu", lambda L, a: nn_ops.Silu.apply(a), [(2, 3)], torch_fn=tf("silu"))
row("elu", lambda L, a: nn_ops.Elu.apply(a, alpha=1.0), [(2, 3)], torch_fn=tf("elu"))
row("elu", lambda L, a: nn_ops.Elu.apply(a, alpha=0.5), [(3, 4)], torch_fn=tf("elu", alpha=0.5), tag="alpha")
row("leaky_relu", lambda L, a: nn_ops.LeakyRelu.apply(a, slope=0.01), [(2, 3)], torch_fn=tf("leaky_relu"))
row("leaky_relu", lambda L, a: nn_ops.LeakyRelu.apply(a, slope=0.2), [(3, 4)], torch_fn=tf("leaky_relu", negative_slope=0.2), tag="slope")
row("leaky_relu", lambda L, a: nn_ops.LeakyRelu.apply(a, slope=-0.5), [(3, 4)], torch_fn=tf("leaky_relu", negative_slope=-0.5), tag="negative_slope")
row("leaky_relu", lambda L, a: nn_ops.LeakyRelu.apply(a, slope=1.5), [(3, 4)], torch_fn=tf("leaky_relu", negative_slope=1.5), tag="steep_slope")
rows("erf", lambda L, a: nn_ops.Erf.apply(a), [[()], [(2, 3)]], torch_fn=lambda L, a: L.erf(a))
row("softplus", lambda L, a: nn_ops.Softplus.apply(a, beta=1.0, threshold=20.0), [(0,)], torch_fn=tf("softplus"), tag="empty")
rows("bce_with_logits", lambda L, a, b: nn_ops.BCEWithLogits.apply(a, b), [[(2, 3), (2, 3)], [(), ()]],
     torch_fn=lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(a, b, reduction="none"))
for _red in ("sum", "mean"):
    rows("bce_with_logits", lambda L, a, b, r=_red: nn_ops.BCEWithLogits.apply(a, b, reduction=r), [[(2, 3), (2, 3)], [(), ()], [(4, 1, 3), (4, 1, 3)]],
         torch_fn=lambda L, a, b, r=_red: L.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=r), tag=_red)
rows("mse_mean", lambda L, a, b: nn_ops.MSEMean.apply(a, b), [[(2, 3), (2, 3)], [(5,), (5,)], [(), ()]],
     torch_fn=lambda L, a, b: L.nn.functional.mse_loss(a, b))

# ---------------------------------------------------------------- reductions
REDUCE_DIMS = [None, 0, -1, (0, 2), (-1, 0, 1)]
for dim in REDUCE_DIMS:
    for keep in (False, True):
        row("sum", lambda L, a, d=dim, k=keep: a.sum(d, keepdim=k) if d is not None else a.sum(), [(2, 3, 4)], tag=f"dim={dim},keep={keep}")
        row("sum", lambda L, a, d=dim, k=keep: a.mean(d, keepdim=k) if d is not None else a.mean(), [(2, 3, 4)], tag=f"mean,dim={dim},keep={keep}")
rows("sum", lambda L, a: a.sum(), [[()], [(1,)], [(0, 3)]], tag="all")
row("sum", lambda L, a: a.sum(0), [(0, 3)], tag="empty-dim")
row("sum", lambda L, a: a.sum(-1, keepdim=True), [()], tag="0d-dim")
row("sum", lambda L, a: L.sum(a, (1, 2)), [(2, 3, 4)], tag="func")
row("sum", lambda L, a: a.mean(), [(0, 3)], tag="mean-empty", second_order=False)  # NaN: no second derivative
for kw in ({}, {"unbiased": False}, {"correction": 0}, {"correction": 2}):
    row("sum", lambda L, a, kw=kw: a.var(**kw), [(3, 4)], tag=f"var-{kw}")
    row("sqrt", lambda L, a, kw=kw: a.std(**kw), [(3, 4)], tag=f"std-{kw}")
row("sum", lambda L, a: a.var(1, keepdim=True), [(3, 4)], tag="var-dim")
row("sum", lambda L, a: a.var((0, 2)), [(3, 4, 2)], tag="var-dims")
row("sqrt", lambda L, a: a.std(0, unbiased=False), [(3, 4)], tag="std-dim")
_TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
_NT = dict(gradcheck=False, gradgradcheck=False)
row("amax", lambda L, a: a.max(), [(2, 3)], tag="max-all")
row("amax", lambda L, a: a.min(), [(2, 3)], tag="min-all")
row("amax", lambda L, a: a.max(), [_TIES], tag="max-all-ties", **_NT)
row("amax", lambda L, a: a.min(), [_TIES], tag="min-all-ties", **_NT)
for dim in (0, -1, (0, 1)):
    for keep in (False, True):
        row("amax", lambda L, a, d=dim, k=keep: a.amax(d, keepdim=k), [(3, 4)], tag=f"amax,dim={dim},keep={keep}")
        row("amax", lambda L, a, d=dim, k=keep: a.amin(d, keepdim=k), [(3, 4)], tag=f"amin,dim={dim},keep={keep}")
row("amax", lambda L, a: a.amax(1), [_TIES], tag="amax-ties", **_NT)
row("amax", lambda L, a: L.amin(a, 0), [_TIES], tag="amin-ties", **_NT)
for dim, keep in ((0, False), (1, True), (-1, False)):
    row("gather", lambda L, a, d=dim, k=keep: a.max(d, keepdim=k), [(3, 4)], tag=f"max-dim={dim},keep={keep}")
    row("gather", lambda L, a, d=dim, k=keep: a.min(d, keepdim=k), [(3, 4)], tag=f"min-dim={dim},keep={keep}")
row("gather", lambda L, a: a.max(1), [_TIES], tag="max-dim-ties", **_NT)
row("gather", lambda L, a: L.min(a, 0), [_TIES], tag="min-dim-ties", **_NT)
for fn in ("argmax", "argmin"):
    for dim, keep in ((None, False), (0, False), (1, True), (-1, False)):
        row(fn, lambda L, a, fn=fn, d=dim, k=keep: getattr(a, fn)(d, keepdim=k) if d is not None else getattr(a, fn)(), [(3, 4)], tag=f"dim={dim}")
    row(fn, lambda L, a, fn=fn: getattr(a, fn)(1), [_TIES], tag="ties")
row("prod", lambda L, a: a.prod(), [(2, 3)], tag="all")
row("prod", lambda L, a: a.prod(), [()], tag="0d")
row("prod", lambda L, a: a.prod(1), [(2, 3)], tag="dim")
row("prod", lambda L, a: a.prod(0, keepdim=True), [(3, 2)], tag="keep")
_ZEROS1 = np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])
_ZEROS2 = np.array([[0.0, 0.0, 3.0], [1.5, 0.0, 0.5]])
for arr, name in ((_ZEROS1, "one-zero"), (_ZEROS2, "two-zeros")):
    row("prod", lambda L, a: a.prod(), [arr], tag=f"{name}-all")
    row("prod", lambda L, a: a.prod(1), [arr], tag=f"{name}-dim1")
    row("prod", lambda L, a: a.prod(0, keepdim=True), [arr], tag=f"{name}-dim0")
for dim, keep in ((1, False), (-1, True), ((0, 2), False), (0, False)):
    row("logsumexp", lambda L, a, d=dim, k=keep: a.logsumexp(d, keepdim=k), [(2, 3, 4)], tag=f"dim={dim},keep={keep}")
row("logsumexp", lambda L, a: a.logsumexp(0), [()], tag="0d")
row("logsumexp", lambda L, a: L.logsumexp(a * 1000, 1), [(2, 3)], tag="large")
_NORM_OP = {1: "abs", float("inf"): "amax", float("-inf"): "amax"}  # these p are sums / maxima of |x|
for p in (1, 2, float("inf"), float("-inf"), "fro", 3, 1.5):
    row(_NORM_OP.get(p, "norm"), lambda L, a, p=p: a.norm(p), [(2, 3)], tag=f"norm-p={p}")
    row(_NORM_OP.get(p, "norm"), lambda L, a, p=p: a.norm(p, dim=1), [(2, 3)], tag=f"norm-p={p},dim=1")
row("norm", lambda L, a: a.norm(dim=(0, 2), keepdim=True), [(2, 3, 2)], tag="dims-keep")
row("norm", lambda L, a: a.norm(2, -1), [(4, 3)], tag="dim=-1")
row("norm", lambda L, a: L.linalg.vector_norm(a, 3, dim=0), [(4, 3)], tag="linalg")
# at an all-zero slice the gradient is 0 (torch's choice; the second derivative is torch's NaN there, ours 0)
_ZERO_ROW = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
for p in (1, 2, float("inf"), 3):
    row(_NORM_OP.get(p, "norm"), lambda L, a, p=p: a.norm(p, dim=1), [_ZERO_ROW], tag=f"norm-zero-row,p={p}", second_order=False, **_NT)
row("norm", lambda L, a: a.norm(), [np.zeros((2, 3))], tag="zero", second_order=False, **_NT)
rows("cumsum", lambda L, a: a.cumsum(0), [[(4,)], [(3, 2)], [()]])
row("cumsum", lambda L, a: L.cumsum(a, -1), [(2, 3, 4)], tag="dim=-1")

# ---------------------------------------------------------------- shape ops
row("reshape", lambda L, a: a.reshape(3, 2), [(2, 3)])
row("reshape", lambda L, a: a.reshape(-1), [(2, 3, 2)], tag="-1")
row("reshape", lambda L, a: a.reshape(()), [(1, 1)], tag="to-0d")
row("reshape", lambda L, a: a.reshape(1, 1), [()], tag="from-0d")
row("reshape", lambda L, a: a.reshape(0, 2), [(2, 0)], tag="empty")
row("reshape", lambda L, a: L.reshape(a, (4, -1)), [(2, 3, 2)], tag="func")
row("reshape", lambda L, a: a.view(2, 6), [(3, 4)], tag="view")
row("reshape", lambda L, a: a.view_as(L.zeros(6, dtype=L.float64)), [(2, 3)], tag="view_as")
row("reshape", lambda L, a: a.flatten(), [(2, 3, 4)], tag="flatten")
row("reshape", lambda L, a: a.flatten(1), [(2, 3, 4)], tag="flatten1")
row("reshape", lambda L, a: a.flatten(0, 1), [(2, 3, 4)], tag="flatten01")
row("reshape", lambda L, a: a.flatten(), [()], tag="flatten-0d")
row("reshape", lambda L, a: a.unflatten(1, (3, 2)), [(2, 6)], tag="unflatten")
row("reshape", lambda L, a: a.unflatten(-1, (2, -1)), [(2, 6)], tag="unflatten-1")
row("reshape", lambda L, a: a.squeeze(), [(1, 3, 1, 2)], tag="squeeze")
row("reshape", lambda L, a: a.squeeze(0), [(1, 3, 1)], tag="squeeze0")
row("squeeze", lambda L, a: a.squeeze(1), [(2, 3)], tag="noop")
row("reshape", lambda L, a: a.squeeze((0, 2)), [(1, 3, 1)], tag="squeeze-tuple")
row("reshape", lambda L, a: a.unsqueeze(0), [(2, 3)], tag="unsqueeze0")
row("reshape", lambda L, a: a.unsqueeze(-1), [(2, 3)], tag="unsqueeze-1")
row("reshape", lambda L, a: a.unsqueeze(0), [()], tag="unsqueeze-0d")
row("permute", lambda L, a: a.permute(2, 0, 1), [(2, 3, 4)])
row("permute", lambda L, a: a.permute(-1, 0, 1), [(2, 3, 4)], tag="neg")
row("permute", lambda L, a: L.permute(a, (1, 0)), [(2, 3)], tag="func")
row("permute", lambda L, a: a.transpose(0, 1), [(2, 3)], tag="transpose")
row("permute", lambda L, a: a.transpose(-1, 0), [(2, 3, 4)], tag="transpose-neg")
row("permute", lambda L, a: a.T, [(2, 3)], tag="T")
row("permute", lambda L, a: a.mT, [(4, 2, 3)], tag="mT")
row("permute", lambda L, a: a.t(), [(2, 3)], tag="t")
row("permute", lambda L, a: a.movedim(0, 2), [(2, 3, 4)], tag="movedim")
row("expand", lambda L, a: a.expand(2, 3), [(1, 3)])
row("expand", lambda L, a: a.expand(4, -1, 3), [(2, 1)], tag="lead")
row("expand", lambda L, a: a.expand(3, 2), [()], tag="0d")
row("expand", lambda L, a: a.expand_as(L.zeros(2, 3, dtype=L.float64)), [(3,)], tag="as")
row("repeat", lambda L, a: a.repeat(2, 3), [(2, 3)])
row("repeat", lambda L, a: a.repeat(2, 1, 2), [(2, 3)], tag="lead")
row("repeat", lambda L, a: a.repeat(3), [()], tag="0d")
row("cat", lambda L, a, b, c: L.cat([a, b, c], 0), [(2, 3), (1, 3), (3, 3)])
row("cat", lambda L, a, b: L.cat([a, b], 1), [(2, 3), (2, 1)], tag="dim1")
row("cat", lambda L, a, b: L.cat([a, b], -1), [(2, 2, 3), (2, 2, 2)], tag="dim-1")
row("cat", lambda L, a, b: L.cat([a, b], 0), [(0, 3), (2, 3)], tag="empty-piece")
row("cat", lambda L, a, b: L.cat([a, b], 0), [(2,), const(2)], tag="const-piece")
row("cat", lambda L, a, b: L.stack([a, b]), [(2, 3), (2, 3)], tag="stack")
row("cat", lambda L, a, b: L.stack([a, b], -1), [(2, 3), (2, 3)], tag="stack-1")
row("cat", lambda L, a, b: L.stack([a, b], -1), [(), ()], tag="stack-0d")
row("getitem", lambda L, a: a.split(2), [(5, 3)], tag="split")
row("getitem", lambda L, a: a.split([1, 3], dim=1), [(2, 4)], tag="split-sections")
row("getitem", lambda L, a: a.chunk(3), [(5, 2)], tag="chunk")
row("getitem", lambda L, a: L.chunk(a, 2, -1), [(2, 4)], tag="chunk-1")
row("getitem", lambda L, a: a.narrow(1, 1, 2), [(2, 4)], tag="narrow")
row("flip", lambda L, a: a.flip(0), [(3, 2)])
row("flip", lambda L, a: a.flip(0, -1), [(3, 2, 2)], tag="two")
row("flip", lambda L, a: L.flip(a, (1,)), [(3, 2)], tag="func")
row("flip", lambda L, a: a.flip(0), [()], tag="0d")

# ---------------------------------------------------------------- indexing
_IDX = np.array([2, 0, 2, -1])
row("getitem", lambda L, a: a[0], [(3, 4)], tag="int")
row("getitem", lambda L, a: a[-1, 1:3], [(3, 4)], tag="int-slice")
row("getitem", lambda L, a: a[..., None, ::2], [(2, 3, 4)], tag="ellipsis-none-step")
row("getitem", lambda L, a: a[::-1], [(4, 2)], torch_fn=lambda L, a: a.flip(0), tag="negstep")
row("getitem", lambda L, a: a[1:1], [(3, 2)], tag="empty-slice")
row("getitem", lambda L, a, i: a[i], [(4, 3), _IDX], tag="repeats")
row("getitem", lambda L, a, i: a[:, i], [(2, 4), _IDX], tag="axis1")
row("getitem", lambda L, a, i: a[i], [(4, 3), np.array([[0, 1], [1, 1]])], tag="2d-index")
row("getitem", lambda L, a, i: a[i], [(4,), np.array(2)], tag="0d-index")
row("getitem", lambda L, a, i: a[i], [(4, 3), np.array([], dtype=np.int64)], tag="empty-index")
row("getitem", lambda L, a, i, j: a[i, j], [(3, 4), np.array([0, 2, 0]), np.array([1, 1, 3])], tag="pairs")
row("getitem", lambda L, a, i: a[i, :, 1:3], [(3, 2, 4), np.array([1, 1, 0])], tag="mixed")
row("getitem", lambda L, a, i: a[1:, i], [(3, 4), np.array([3, 3])], tag="slice-then-index")
row("getitem", lambda L, a: a[[0, 0, 2]], [(3, 2)], tag="list")
row("getitem", lambda L, a: a[[2, 0], [1, 1]], [(3, 2)], tag="list-pairs")
row("getitem", lambda L, a, i: a[..., i], [(2, 3), np.array([0, 0, 2])], tag="ellipsis-index")
row("getitem", lambda L, a, i: a[i, None], [(3, 2), np.array([1, 1, 0])], tag="index-none")
row("getitem", lambda L, a, m: a[0, m], [(2, 3), np.array([True, False, True])], tag="int-mask")
row("getitem", lambda L, a, m: a[m], [(3,), np.array(True)], tag="0d-mask")
row("getitem", lambda L, a, m: a[m], [(2, 3), np.array([[True, False, True], [False, False, True]])], tag="mask")
row("getitem", lambda L, a, m: a[:, m], [(2, 3), np.array([True, False, True])], tag="mask-axis1")
row("getitem", lambda L, a, m: a[m], [(3, 2), np.array([False, True, True])], tag="mask-rows")
_G2 = np.array([[0, 0, 2], [1, 2, 2]])
row("gather", lambda L, a, i: a.gather(1, i), [(2, 3), _G2])
row("gather", lambda L, a, i: L.gather(a, 0, i), [(3, 3), _G2], tag="dim0")
row("gather", lambda L, a, i: a.gather(-1, i), [(2, 4), _G2[:, :2]], tag="smaller")
row("gather", lambda L, a, i: a.gather(0, i), [(3, 4), np.array([[2, 2, 0, 1]])], tag="repeat-rows")
row("scatter_add", lambda L, a, i, s: a.scatter_add(1, i, s), [(2, 3), _G2, (2, 3)])
row("scatter_add", lambda L, a, i, s: a.scatter_add(0, i, s), [(3, 3), _G2, (2, 3)], tag="dim0")
# torch's own backward fails when src is larger than index; gradstudent gives the unused part 0
row("scatter_add", lambda L, a, i, s: a.scatter_add(1, i, s), [(2, 4), _G2[:, :2], (2, 3)], tag="src-larger", grad=False)
row("index_select", lambda L, a, i: a.index_select(0, i), [(4, 3), _IDX % 4])  # (torch rejects negative indices here)
row("index_select", lambda L, a, i: L.index_select(a, 1, i), [(2, 4), _IDX % 4], tag="dim1")
row("index_select", lambda L, a, i: a.index_select(-1, i), [(2, 2, 4), np.array([3])], tag="dim-1")
row("index_select", lambda L, a, i: a.index_select(1, i), [(2, 4), np.array(2)], tag="0d-index")
row("where", lambda L, a, m: a.masked_fill(m, -1.5), [(2, 3), np.array([[True, False, True], [False, False, True]])], tag="masked_fill")
row("where", lambda L, a, m: a.masked_fill(m, 0.0), [(2, 3), np.array([False, True, True])], tag="masked_fill-bcast")
row("where", lambda L, a, m: a.masked_fill(m, float("-inf")).softmax(-1), [(2, 3), np.array([False, True, False])], tag="masked_fill-softmax")
row("getitem", lambda L, a, m: a.masked_select(m), [(2, 3), np.array([[True, False, True], [False, False, True]])], tag="masked_select")
row("getitem", lambda L, a, m: L.masked_select(a, m), [(2, 3), np.array([False, True, True])], tag="masked_select-bcast")
row("one_hot", lambda L, i: L.nn.functional.one_hot(i, 4), [np.array([0, 3, 1, 1])], torch_fn=lambda L, i: L.nn.functional.one_hot(i, 4))
row("one_hot", lambda L, i: gs_index.one_hot(i), [np.array([[0, 2], [1, 1]])], torch_fn=lambda L, i: L.nn.functional.one_hot(i), tag="infer")
row("sum_to_shape", lambda L, a: sum_to_shape(a, (3, 1)), [(2, 3, 4)], torch_fn=lambda L, a: a.sum_to_size(3, 1))
row("sum_to_shape", lambda L, a: sum_to_shape(a, (4,)), [(2, 3, 4)], torch_fn=lambda L, a: a.sum_to_size(4), tag="lead")
row("sum_to_shape", lambda L, a: sum_to_shape(a, (1, 1)), [(2, 3)], torch_fn=lambda L, a: a.sum_to_size(1, 1), tag="all")
row("index_put_add", lambda L, a, i: gs_index.IndexPutAdd.apply(a, index=i._data, shape=(4, 2)), [(5, 2), np.array([0, 3, 0, 0, 1])],
    torch_fn=lambda L, a, i: L.zeros(4, 2, dtype=a.dtype).index_put((i,), a, accumulate=True))
row("index_put_add", lambda L, a: gs_index.IndexPutAdd.apply(a, index=(slice(1, 3), 0), shape=(4, 2)), [(2,)],
    torch_fn=lambda L, a: L.zeros(4, 2, dtype=a.dtype).index_put((L.tensor([1, 2]), L.tensor([0, 0])), a, accumulate=True), tag="basic")

# ---------------------------------------------------------------- linear algebra
MATMUL_SHAPES = [
    [(3,), (3,)], [(3,), (3, 4)], [(2, 3), (3,)], [(2, 3), (3, 4)], [(2, 2, 3), (3, 4)], [(2, 1, 2, 3), (3, 3, 4)],
    [(1, 3), (2, 3, 4)], [(3,), (2, 3, 4)], [(2, 3, 4), (4,)], [(0, 3), (3, 2)], [(2, 0), (0, 3)],
]
rows("matmul", lambda L, a, b: a @ b, MATMUL_SHAPES)
row("matmul", lambda L, a, b: L.matmul(a, b), [(2, 3), (3, 2)], tag="func")
row("matmul", lambda L, a, b: a.dot(b), [(4,), (4,)], tag="dot")
row("matmul", lambda L, a, b: a.matmul(b), [(4, 2, 3), (1, 3, 2)], tag="method")
row("mul", lambda L, a, b: L.outer(a, b), [(3,), (4,)], tag="outer")
row("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(4, 3), (2, 3), (2,)])
row("linear", lambda L, x, w: L.nn.functional.linear(x, w), [(4, 3), (2, 3)], tag="nobias")
row("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(3,), (2, 3), (2,)], tag="1d")
row("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(2, 4, 3), (2, 3), (2,)], tag="3d")
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,i->", [(4,), (4,)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk->...ik", [(1, 2, 3), (3, 3, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("i...->...", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("bi,i->b", [(3, 4), (4,)]),
]
for eq, shapes in EINSUMS:
    row("einsum", lambda L, *xs, eq=eq: L.einsum(eq, *xs), shapes, tag=eq)


def test_check_op_keyword_options() -> None:
    import torch

    from oracle import check_op

    seen = check_op(gs.softmax, torch.softmax, [(2, 3)], kwargs={"dim": 0})
    assert "softmax" in seen


def test_check_op_catches_a_wrong_gradient() -> None:
    """The oracle itself: a deliberately wrong backward must fail it (first and second order)."""
    import torch

    from gradstudent.autograd import Function
    from oracle import check_op

    class BadSquare(Function):  # not registered: a local op with a wrong second derivative
        def forward(self, x):
            return x * x

        def backward(self, grad):
            (x,) = self.saved_inputs()
            return grad * 2.0 * gs.Tensor._make(x._data)  # x detached: d2/dx2 lost

    with pytest.raises(AssertionError, match="second derivative"):
        check_op(lambda x: BadSquare.apply(x), lambda x: x * x, [(3,)], gradcheck=False, gradgradcheck=False)
    class OffSquare(Function):  # first derivative 0.01% off: finite differences can't see it, torch can
        def forward(self, x):
            return x * x

        def backward(self, grad):
            (x,) = self.saved_inputs()
            return grad * 2.0002 * x

    with pytest.raises(AssertionError, match="gradient of input 0"):
        check_op(lambda x: OffSquare.apply(x), lambda x: x * x, [(3,)])
    with pytest.raises(AssertionError, match="Jacobian mismatch"):
        check_op(lambda x: BadSquare.apply(x), lambda x: x * x, [(3,)], grad=False)


@pytest.mark.parametrize("target", ["gelu_tanh_grad", "layer_norm_arrays"])
def test_check_op_catches_an_error_in_a_fast_path(monkeypatch, target) -> None:
    """A 0.05% error injected into an op's array-level backward (which only a plain, create_graph=False
    backward runs) must fail the op's table row: the oracle compares both paths with torch."""
    from gradstudent.ops import layernorm

    if target == "gelu_tanh_grad":
        real = nn_ops._gelu_tanh_grad
        monkeypatch.setattr(nn_ops, "_gelu_tanh_grad", lambda *a: real(*a) * 1.0005)
        case = next(c for c in CASES if c.op == "gelu" and c.tag == "tanh")
    else:
        real_arrays = layernorm.LayerNorm.backward_arrays
        monkeypatch.setattr(
            layernorm.LayerNorm, "backward_arrays",
            lambda self, g: tuple(None if a is None else a * 1.0005 for a in real_arrays(self, g)),
        )
        from gradstudent.nn import functional as F
        from oracle import OpCase

        case = OpCase("layer_norm", lambda L, x, w, b: L.nn.functional.layer_norm(x, (4,), w, b, 1e-5), [(3, 4), (4,), (4,)],
                      torch_fn=lambda L, x, w, b: L.nn.functional.layer_norm(x, (4,), w, b, 1e-5))
        assert F.layer_norm is not None
    with pytest.raises(AssertionError, match="fast path"):
        case.run()


# ---------------------------------------------------------------- the tests
@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_op(case: OpCase) -> None:
    case.run()


@pytest.mark.parametrize("case", [c.param() for c in CASES if c.f32])
def test_op_float32(case: OpCase) -> None:
    """Every row again in float32: no op may silently compute or return float64."""
    case.float32().run()


# Ops registered outside the core op modules -> the test file (relative to tests/) that checks them.
# Add your op here when you add its tests.
COVERED_ELSEWHERE: dict[str, str] = {
    "cube_demo": "test_op_registration.py",
    "conv2d": "cnn/test_cnn_conv.py", "conv2d_weight": "cnn/test_cnn_conv.py", "conv_transpose2d": "cnn/test_cnn_conv.py",
    "avg_pool2d": "cnn/test_cnn_pool.py", "avg_pool2d_spread": "cnn/test_cnn_pool.py", "max_pool2d": "cnn/test_cnn_pool.py",
    "max_pool2d_gather": "cnn/test_cnn_pool.py", "max_pool2d_scatter": "cnn/test_cnn_pool.py",
    "max_unpool2d": "cnn/test_cnn_pool.py", "unfold": "cnn/test_cnn_pool.py", "fold": "cnn/test_cnn_pool.py",
    "embedding": "seq/test_seq_ops_table.py", "embedding_scatter": "seq/test_seq_ops_table.py",
    "layer_norm": "seq/test_seq_ops_table.py", "rnn_sequence": "seq/test_seq_ops_table.py",
    "gru_sequence": "seq/test_seq_ops_table.py", "lstm_sequence": "seq/test_seq_ops_table.py",
    "batch_norm": "cnn/test_cnn_norm.py", "constant_pad": "cnn/test_cnn_pool.py",
    "attention": "seq/test_attention_fused.py", "packed_self_attention": "seq/test_attention_fused.py",
    "index_put": "core/test_inplace.py", "index_fill_zero": "core/test_inplace.py",
    "tril": "compat/test_compat_ops.py", "triu": "compat/test_compat_ops.py",
    "graph_scatter_sum": "graph/test_graph_scatter.py", "graph_gather": "graph/test_graph_scatter.py",
    "graph_scatter_extreme": "graph/test_graph_scatter.py", "graph_spmm": "graph/test_graph_scatter.py",
}

CORE_MODULES = {
    f"gradstudent.ops.{m}" for m in ("elementwise", "unary", "reduce", "shape", "index", "linalg", "nn_ops")
}


def test_every_core_op_has_a_row() -> None:
    covered = {c.op for c in CASES}
    core = {name for name, cls in gs.autograd.OPS.items() if cls.__module__ in CORE_MODULES}
    missing = sorted(core - covered)
    assert not missing, f"core ops with no row in test_ops_table.py: {missing}"


def test_every_registered_op_is_tested() -> None:
    """Every op in ``gradstudent.autograd.OPS`` has a row here or is listed in COVERED_ELSEWHERE
    with a test file that mentions it. A new op without a test fails here."""
    import os
    import re

    here = os.path.dirname(os.path.abspath(__file__))
    for op, path in COVERED_ELSEWHERE.items():
        full = os.path.join(here, path)
        assert os.path.exists(full), f"COVERED_ELSEWHERE[{op!r}]: {path} does not exist"
        with open(full, encoding="utf-8") as f:
            assert re.search(rf"\b{op}\b", f.read()), f"COVERED_ELSEWHERE[{op!r}]: {path} never mentions {op!r}"
    covered = {c.op for c in CASES} | set(COVERED_ELSEWHERE)
    untested = sorted(set(gs.autograd.OPS) - covered)
    modules = {op: gs.autograd.OPS[op].__module__ for op in untested}
    assert not untested, (
        f"registered ops with no test: {modules}. Add rows to tests/test_ops_table.py, or test the op "
        f"with oracle.check_op in your own file and list it in COVERED_ELSEWHERE."
    )
