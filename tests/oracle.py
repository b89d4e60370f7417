"""Test oracle: check a gradstudent op against PyTorch and against finite differences.

    from oracle import check_op, positive
    check_op(lambda x, y: x * y, lambda x, y: x * y, [(3, 1), (1, 4)])
    check_op(lambda x: x.log(), lambda x: x.log(), [positive(2, 3)])
    check_op(gs.softmax, torch.softmax, [(2, 3)], kwargs={"dim": 1})

``inputs`` describes the arguments; each entry is one of

* a tuple of ints: a shape -> a seeded standard-normal float64 array that requires grad;
* a :class:`Spec` (``randn``, ``uniform``, ``positive``, ``const``, ``float32``);
* a NumPy array: float arrays require grad, integer/bool arrays are side inputs
  (indices, masks) passed as int64/bool tensors to both frameworks;
* :class:`Const` (a float array that does not require grad);
* anything else (a Python number, a string, None) is passed unchanged to both.

``check_op`` then checks, in this order (each step can be switched off):

1. forward: every output (a tuple of outputs, e.g. ``max(dim)``, is compared
   element by element) has torch's shape, dtype and values;
2. first derivatives: with a random upstream gradient ``v_k`` per
   differentiable output, ``g_i = d<out, v>/d input_i`` equals torch's for every
   input that requires grad, with the input's shape and dtype. Checked twice:
   with ``create_graph=False`` (the engine runs each op's fast ``backward_arrays``
   where it has one) and with ``create_graph=True`` (each op's reference ``backward``);
3. second derivatives: with a random ``w_i`` per input, the gradient of
   ``s = sum_i <g_i, w_i>`` with respect to every input *and* every ``v_k``
   equals torch's (``create_graph=True`` in both frameworks). The ``v`` part is
   a Jacobian-vector product, so it also checks forward-mode behaviour;
4. ``gradcheck`` (central differences of gradstudent alone) and ``gradgradcheck``.

It returns the names of the registered ops it saw in gradstudent's forward and
backward graphs, so a table can verify that a row really exercises its op.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch

import gradstudent as gs
from gradstudent.autograd.engine import topological_order

Tensor = gs.Tensor


# ---------------------------------------------------------------- input specs
@dataclass(frozen=True)
class Spec:
    """A random input: normal (``low is None``) or uniform in [low, high)."""

    shape: tuple[int, ...]
    low: float | None = None
    high: float | None = None
    dtype: str = "float64"
    requires_grad: bool = True

    def make(self, rng: np.random.Generator) -> np.ndarray:
        if self.low is None:
            a = rng.standard_normal(self.shape)
        else:
            a = rng.uniform(self.low, self.high, self.shape)
        return np.asarray(a, dtype=self.dtype)


@dataclass(frozen=True)
class Const:
    """A fixed float array that does not require grad."""

    value: Any


def randn(*shape: int) -> Spec:
    return Spec(tuple(shape))


def uniform(shape: tuple[int, ...], low: float, high: float) -> Spec:
    return Spec(tuple(shape), low, high)


def positive(*shape: int) -> Spec:
    """Values in [0.5, 2): safe for log, sqrt, rsqrt, division and fractional powers."""
    return Spec(tuple(shape), 0.5, 2.0)


def const(*shape: int) -> Spec:
    """A random float64 input that does not require grad."""
    return Spec(tuple(shape), requires_grad=False)


def float32(*shape: int) -> Spec:
    return Spec(tuple(shape), dtype="float32")


@dataclass
class _Input:
    gs: Any  # what gradstudent's function receives
    torch: Any  # what torch's function receives
    diff: bool  # requires grad


def _make_inputs(specs: Sequence[Any], rng: np.random.Generator) -> list[_Input]:
    out = []
    for s in specs:
        if isinstance(s, tuple) and all(isinstance(n, int) for n in s):
            s = Spec(s)
        if isinstance(s, Spec):
            a = s.make(rng)
            out.append(_tensor_pair(a, s.requires_grad))
        elif isinstance(s, Const):
            out.append(_tensor_pair(np.array(s.value, dtype=np.float64), False))
        elif isinstance(s, np.ndarray):
            out.append(_tensor_pair(s.copy(), s.dtype.kind == "f"))
        else:
            out.append(_Input(s, s, False))
    return out


def _tensor_pair(a: np.ndarray, requires_grad: bool) -> _Input:
    if a.dtype.kind in "iu":
        a = a.astype(np.int64)
    g = Tensor._make(a.copy())
    t = torch.from_numpy(a.copy())
    if requires_grad:
        g.requires_grad_()
        t.requires_grad_()
    return _Input(g, t, requires_grad)


# ---------------------------------------------------------------- helpers
def _flatten(out: Any) -> list[Any]:
    return list(out) if isinstance(out, tuple | list) else [out]


def _np(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)  # force: torch may return a lazy "ZeroTensor"
    if isinstance(x, Tensor):
        return np.asarray(x._data)
    return np.asarray(x)


def _close(what: str, got: Any, want: Any, atol: float, rtol: float, check_dtype: bool = True) -> None:
    g, w = _np(got), _np(want)
    assert g.shape == w.shape, f"{what}: shape {g.shape}, torch gives {w.shape}"
    if check_dtype:
        assert g.dtype == w.dtype, f"{what}: dtype {g.dtype}, torch gives {w.dtype}"
    if g.dtype.kind in "biu" and w.dtype.kind in "biu":
        np.testing.assert_array_equal(g, w, err_msg=what)
    else:
        np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), atol=atol, rtol=rtol, err_msg=what)


def _grad_or_zeros(g: Any, like: np.ndarray) -> np.ndarray:
    return np.zeros(like.shape, dtype=like.dtype) if g is None else _np(g)


def ops_in_graph(tensors: Sequence[Any]) -> set[str]:
    """Names of the registered ops that produced ``tensors`` (the whole graph behind them)."""
    roots = [t._ctx for t in tensors if isinstance(t, Tensor) and t._ctx is not None]
    return {node.op_name for node in topological_order(roots)}


# ---------------------------------------------------------------- the oracle
def check_op(
    gs_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    kwargs: dict[str, Any] | None = None,
    seed: int = 0,
    atol: float = 1e-9,
    rtol: float = 1e-7,
    check_dtype: bool = True,
    grad: bool = True,
    second_order: bool = True,
    gradcheck: bool = True,
    gradgradcheck: bool = True,
    eps: float = 1e-6,
    gc_atol: float = 1e-5,
    gc_rtol: float = 1e-3,
) -> set[str]:
    """Compare ``gs_fn(*inputs)`` with ``torch_fn(*inputs)``; see the module docstring.

    ``kwargs`` (keyword options such as ``dim=1``) are passed to both functions.
    ``grad=False`` skips the comparison of derivatives with torch (steps 2 and 3),
    ``second_order=False`` step 3; ``gradcheck`` / ``gradgradcheck`` switch step 4.
    ``eps``, ``gc_atol`` and ``gc_rtol`` go to the finite-difference checks.

    Returns the set of registered op names in gradstudent's forward and backward graphs.
    """
    if kwargs:
        gs_fn, torch_fn = functools.partial(gs_fn, **kwargs), functools.partial(torch_fn, **kwargs)
    rng = np.random.default_rng(seed)
    ins = _make_inputs(inputs, rng)
    g_outs = _flatten(gs_fn(*[i.gs for i in ins]))
    t_outs = _flatten(torch_fn(*[i.torch for i in ins]))
    assert len(g_outs) == len(t_outs), f"{len(g_outs)} outputs, torch gives {len(t_outs)}"

    # 1. forward
    for k, (g, t) in enumerate(zip(g_outs, t_outs)):
        assert isinstance(g, Tensor), f"output {k} is a {type(g).__name__}, expected a Tensor"
        _close(f"forward output {k}", g, t, atol, rtol, check_dtype)
        if g.requires_grad:
            assert t.requires_grad, f"output {k} requires grad but torch's does not"
    seen = ops_in_graph(g_outs)
    if grad:
        seen |= _compare_derivatives(g_outs, t_outs, ins, rng, atol, rtol, check_dtype, second_order)

    # 4. finite differences, gradstudent alone (float64 only)
    keep = [k for k, o in enumerate(g_outs) if o.requires_grad]
    if not keep or not (gradcheck or gradgradcheck) or any(g_outs[k].dtype != np.float64 for k in keep):
        return seen
    if any(i.gs.dtype != np.float64 for i in ins if i.diff):
        return seen

    def diff_outputs(*xs: Any) -> tuple[Tensor, ...]:
        outs = _flatten(gs_fn(*xs))
        return tuple(outs[k] for k in keep)

    args = [i.gs for i in ins]
    if gradcheck:
        gs.autograd.gradcheck(diff_outputs, args, eps=eps, atol=gc_atol, rtol=gc_rtol)
    if gradgradcheck:
        gs.autograd.gradgradcheck(diff_outputs, args, eps=eps, atol=gc_atol, rtol=gc_rtol)
    return seen


def _compare_derivatives(
    g_outs: list[Any], t_outs: list[Any], ins: list[_Input], rng: np.random.Generator,
    atol: float, rtol: float, check_dtype: bool, second_order: bool,
) -> set[str]:
    """Steps 2 and 3 of :func:`check_op`; returns the ops seen in the backward graphs."""
    seen: set[str] = set()
    # 2. first derivatives (torch decides which outputs are differentiable: an op that
    # returns a constant where torch returns a zero-gradient output must give zeros)
    diff_k = [k for k, t in enumerate(t_outs) if t.requires_grad and t.dtype.is_floating_point]
    wrt = [i for i in ins if i.diff]
    if not diff_k or not wrt:
        return seen
    vs = [rng.standard_normal(t_outs[k].shape).astype(_np(t_outs[k]).dtype) for k in diff_k]
    g_vs = [Tensor._make(v.copy()).requires_grad_() for v in vs]
    t_vs = [torch.from_numpy(v.copy()).requires_grad_() for v in vs]
    g_x = [i.gs for i in wrt]
    t_x = [i.torch for i in wrt]

    g_pairs = [(g_outs[k], v) for k, v in zip(diff_k, g_vs) if g_outs[k].requires_grad]
    t_first = list(torch.autograd.grad([t_outs[k] for k in diff_k], t_x, t_vs, create_graph=True, allow_unused=True))
    # twice: create_graph=False (the engine takes each op's array-level backward_arrays where it has
    # one) and create_graph=True (every op's reference backward, recorded for step 3)
    for create_graph, path in ((False, "fast path"), (True, "reference backward")):
        if g_pairs:
            g_first = list(gs.autograd.grad(
                [o for o, _ in g_pairs], g_x, [v for _, v in g_pairs],
                retain_graph=True, create_graph=create_graph, allow_unused=True,
            ))
        else:
            g_first = [None] * len(g_x)
        for n, (gg, tg, x) in enumerate(zip(g_first, t_first, g_x)):
            if gg is not None:
                assert gg.shape == x.shape, f"gradient of input {n} ({path}) has shape {gg.shape}, the input {x.shape}"
                assert gg.dtype == x.dtype, f"gradient of input {n} ({path}) has dtype {gg.dtype}, the input {x.dtype}"
            ref = _np(x)
            _close(f"gradient of input {n} ({path})", _grad_or_zeros(gg, ref), _grad_or_zeros(tg, ref), atol, rtol, check_dtype)
    seen |= ops_in_graph([g for g in g_first if g is not None])

    # 3. second derivatives: d/d(x, v) of s = sum_i <g_i, w_i>
    if second_order:
        ws = [rng.standard_normal(x.shape) .astype(_np(x).dtype) for x in g_x]
        g_terms = [(g * Tensor._make(w)).sum() for g, w in zip(g_first, ws) if g is not None and g.requires_grad]
        t_terms = [(g * torch.from_numpy(w)).sum() for g, w in zip(t_first, ws) if g is not None and g.requires_grad]
        targets_g, targets_t = g_x + g_vs, t_x + t_vs
        g_second = gs.autograd.grad([sum(g_terms[1:], g_terms[0])], targets_g, allow_unused=True) if g_terms else [None] * len(targets_g)
        t_second = torch.autograd.grad([sum(t_terms)], targets_t, allow_unused=True) if t_terms else [None] * len(targets_t)
        for n, (gg, tg, x) in enumerate(zip(g_second, t_second, targets_g)):
            name = f"input {n}" if n < len(g_x) else f"upstream gradient of output {diff_k[n - len(g_x)]}"
            ref = _np(x)
            _close(f"second derivative w.r.t. {name}", _grad_or_zeros(gg, ref), _grad_or_zeros(tg, ref), atol * 10, rtol * 10, check_dtype)
    return seen


# ---------------------------------------------------------------- small helpers for hand-written tests
def t64(a: Any, requires_grad: bool = True) -> Tensor:
    """A float64 gradstudent tensor (requiring grad by default)."""
    return gs.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def tt(a: Any, requires_grad: bool = True) -> torch.Tensor:
    """The same as a float64 torch tensor."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def close(got: Any, want: Any, rtol: float = 1e-7, atol: float = 1e-10) -> None:
    """Assert equal shapes and close values (tensors of either framework, arrays or lists)."""
    g, w = _np(got), _np(want)
    assert g.shape == w.shape, (g.shape, w.shape)
    np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- table rows
def _describe(spec: Any) -> str:
    def dims(shape: tuple[int, ...]) -> str:
        return "x".join(map(str, shape)) if shape else "0d"

    if isinstance(spec, tuple) and all(isinstance(n, int) for n in spec):
        return dims(spec)
    if isinstance(spec, Spec):
        kind = "" if spec.low is None else "u"
        kind += "" if spec.requires_grad else "c"
        kind += "" if spec.dtype == "float64" else "f32"
        return kind + dims(spec.shape)
    if isinstance(spec, np.ndarray):
        return {"b": "mask", "i": "idx", "u": "idx"}.get(spec.dtype.kind, "arr") + dims(spec.shape)
    if isinstance(spec, Const):
        return "const"
    return repr(spec)


@dataclass
class OpCase:
    """One row of an op table: ``fn(lib, *inputs)`` runs with lib = gradstudent and lib = torch.

    ``op`` names the registered op (``gradstudent.autograd.OPS``) the row exercises;
    the row fails if that op does not appear in gradstudent's graph. Give
    ``torch_fn(torch, *inputs)`` when torch spells the call differently.
    ``opts`` go to :func:`check_op` (``gradcheck=False``, ``atol=...``).
    """

    op: str
    fn: Callable[..., Any]
    inputs: Sequence[Any]
    torch_fn: Callable[..., Any] | None = None
    tag: str = ""
    opts: dict[str, Any] = field(default_factory=dict)
    slow: bool = False
    f32: bool = True  # also run in float32 (see :meth:`float32`); False for rows about dtypes themselves

    @property
    def id(self) -> str:
        shapes = ",".join(_describe(s) for s in self.inputs)
        return f"{self.op}-{self.tag + '-' if self.tag else ''}{shapes}"

    def param(self) -> Any:
        import pytest

        return pytest.param(self, id=self.id, marks=[pytest.mark.slow] if self.slow else [])

    def float32(self) -> OpCase:
        """The same row with every float input in float32 (loose tolerances, no finite differences):
        outputs and gradients must stay float32 and still match torch."""
        import dataclasses

        def f32(spec: Any) -> Any:
            if isinstance(spec, tuple) and all(isinstance(n, int) for n in spec):
                return Spec(spec, dtype="float32")
            if isinstance(spec, Spec):
                return dataclasses.replace(spec, dtype="float32")
            if isinstance(spec, np.ndarray) and spec.dtype.kind == "f":
                return spec.astype(np.float32)
            return spec

        opts = {**self.opts, "atol": 1e-4, "rtol": 1e-4, "gradcheck": False, "gradgradcheck": False}
        return dataclasses.replace(self, inputs=[f32(s) for s in self.inputs], opts=opts)

    def run(self) -> set[str]:
        torch_fn = self.torch_fn or self.fn
        seen = check_op(lambda *xs: self.fn(gs, *xs), lambda *xs: torch_fn(torch, *xs), self.inputs, **self.opts)
        if self.op in gs.autograd.OPS:
            assert self.op in seen, f"row for {self.op!r} never ran that op (saw {sorted(seen)})"
        return seen
