"""Higher-level derivatives: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``.

The same names, signatures and return layouts as ``torch.autograd.functional``. Every one is
built from reverse-mode ``grad`` calls (``vectorize=False``: one backward pass per output
element for the Jacobian, a loop that is easy to read):

* ``vjp(f, x, v)``  = ``vᵀ J``           one backward pass with ``grad_outputs = v``.
* ``jvp(f, x, v)``  = ``J v``            the "double-backward trick": ``g(u) = uᵀ J`` is linear in
  ``u``, so ``J v = ∂(g(u) · v)/∂u`` (a second backward pass through the first).
* ``jacobian``      J[i, j] = ∂f_i/∂x_j  row ``i`` is the vjp with the unit vector ``e_i``.
* ``hessian``       H = jacobian of the gradient of a scalar function.
* ``vhp(f, x, v)``  = ``vᵀ H``  and ``hvp(f, x, v)`` = ``H v`` (equal when H is symmetric).

``strict=True`` raises when an output does not depend on an input (PyTorch's check); with the
default ``strict=False`` such derivatives are zeros. Without ``create_graph`` the results (and
the function outputs) are detached; with it they can be differentiated again.
"""

from __future__ import annotations

from typing import Any, Callable

from ..creation import ones_like, zeros, zeros_like
from ..ops.shape import stack
from ..tensor import Tensor
from .functional import grad
from .grad_mode import enable_grad

TensorOrTuple = Any  # a Tensor or a tuple of Tensors (PyTorch accepts and returns both)


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple[Any, ...]]:
    """(was_tuple, x as a tuple), checking every element is a Tensor."""
    is_tuple = isinstance(x, tuple | list)
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}: the {arg} given to the function should be a Tensor or a tuple of Tensors, "
                            f"but element {i} is {type(t).__name__}")
    return is_tuple, items


def _prepare_inputs(inputs: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    """Fresh graph roots for the inputs: detached copies, or differentiable aliases with create_graph."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))  # a non-leaf alias: later derivatives flow back to ``t``
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _grad_or_zeros(outputs: list[Any], inputs: tuple[Any, ...], grad_outputs: list[Any], create_graph: bool,
                   strict: bool, fn: str, what: str) -> tuple[Any, ...]:
    """``autograd.grad`` that returns zeros for inputs the outputs do not depend on (unless strict)."""
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if live:
        res = grad([o for o, _ in live], list(inputs), [g for _, g in live],
                   retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = tuple(None for _ in inputs)
    result = []
    for i, (g, x) in enumerate(zip(res, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: the output of the user-provided function is independent of input {i}. "
                                   f"This is not allowed in strict mode{what}.")
            g = zeros_like(x)
        result.append(g)
    return tuple(result)


def _check_v(v: tuple[Any, ...], ref: tuple[Any, ...], fn: str, name: str) -> None:
    if len(v) != len(ref):
        raise RuntimeError(f"{fn}: v is a tuple of invalid length: should be {len(ref)} but got {len(v)}")
    for i, (a, b) in enumerate(zip(v, ref)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{fn}: entry {i} in v has invalid size: should be {tuple(b.shape)} "
                               f"(the size of the {name}) but got {tuple(a.shape)}")


def _call(func: Callable[..., Any], xs: tuple[Any, ...], fn: str) -> tuple[bool, tuple[Any, ...]]:
    with enable_grad():
        out = func(*xs)
    return _as_tuple(out, "outputs", fn)


def _finish(t: tuple[Any, ...], is_tuple: bool, create_graph: bool) -> TensorOrTuple:
    t = tuple(x if create_graph else x.detach() for x in t)
    return t if is_tuple else t[0]


def vjp(func: Callable[..., Any], inputs: TensorOrTuple, v: TensorOrTuple | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[TensorOrTuple, TensorOrTuple]:
    """``(func(*inputs), vᵀ J)``: the vector-Jacobian product, shapes of the inputs.

    ``v`` has the shape of the outputs; it may be omitted only when the output has one element.
    """
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare_inputs(xs, create_graph)
    out_tuple, outs = _call(func, xs, "vjp")
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("vjp: the vector v can only be None if the user-provided function returns "
                               "a single Tensor with a single element.")
        vs = (None,)
    else:
        _, vs = _as_tuple(v, "v", "vjp")
        _check_v(vs, outs, "vjp", "output")
    res = _grad_or_zeros(list(outs), xs, list(vs), create_graph, strict, "vjp", "")
    return _finish(outs, out_tuple, create_graph), _finish(res, in_tuple, create_graph)


def jvp(func: Callable[..., Any], inputs: TensorOrTuple, v: TensorOrTuple | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[TensorOrTuple, TensorOrTuple]:
    """``(func(*inputs), J v)``: the Jacobian-vector product, shapes of the outputs.

    ``v`` has the shape of the inputs (may be omitted for a one-element input). Computed with
    the double-backward trick: ``u ↦ uᵀJ`` is linear, so ``J v = ∂(uᵀ J v)/∂u``.
    """
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    xs = _prepare_inputs(xs, create_graph)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("jvp: the vector v can only be None if the input to the user-provided function "
                               "is a single Tensor with a single element.")
        vs: tuple[Any, ...] = (ones_like(xs[0]),)
    else:
        _, vs = _as_tuple(v, "v", "jvp")
        _check_v(vs, xs, "jvp", "input")
    out_tuple, outs = _call(func, xs, "jvp")
    with enable_grad():
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)   # dummy cotangents u
        g = _grad_or_zeros(list(outs), xs, list(us), True, strict, "jvp", "")  # g_j = Σ_i u_i J_ij
        live = [(gj, vj) for gj, vj in zip(g, vs) if gj.requires_grad]
        if live:
            res = grad([a for a, _ in live], list(us), [b for _, b in live],
                       retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            res = tuple(None for _ in us)
    final = []
    for i, (r, o) in enumerate(zip(res, outs)):
        if r is None:
            if strict:
                raise RuntimeError(f"jvp: output {i} of the user-provided function is independent of the inputs. "
                                   "This is not allowed in strict mode.")
            r = zeros_like(o)
        final.append(r)
    return _finish(outs, out_tuple, create_graph), _finish(tuple(final), out_tuple, create_graph)


def _jacobian_rows(out: Any, xs: tuple[Any, ...], create_graph: bool, strict: bool, fn: str) -> tuple[Any, ...]:
    """For one output tensor: per input, the stacked rows ``∂out_i/∂x`` reshaped to out.shape + x.shape."""
    flat = out.reshape(-1)
    n = flat.shape[0]
    rows: list[list[Any]] = [[] for _ in xs]
    for i in range(n):
        gi = _grad_or_zeros([flat[i]], xs, [None], create_graph, strict, fn,
                            " (the output element does not depend on the input)")
        for j, g in enumerate(gi):
            rows[j].append(g)
    result = []
    for j, x in enumerate(xs):
        if n == 0:
            stacked = zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
        else:
            stacked = stack(rows[j], 0).reshape(tuple(out.shape) + tuple(x.shape))
        result.append(stacked)
    return tuple(result)


def jacobian(func: Callable[..., Any], inputs: TensorOrTuple, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian ``J[out_idx..., in_idx...] = ∂ out[out_idx] / ∂ in[in_idx]``.

    Layout as PyTorch: one Tensor for a single input and output (shape ``out.shape + in.shape``);
    a tuple over inputs if ``inputs`` is a tuple; a tuple over outputs (of tuples over inputs) if
    the function returns a tuple. One backward pass per output element (``vectorize`` is accepted
    and computes the same thing with the same loop).
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: expected strategy to be either 'forward-mode' or 'reverse-mode', got {strategy!r}")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare_inputs(xs, create_graph)
    out_tuple, outs = _call(func, xs, "jacobian")
    with enable_grad():
        per_out = [_finish(_jacobian_rows(o, xs, create_graph, strict, "jacobian"), True, create_graph) for o in outs]
    if out_tuple and in_tuple:
        return tuple(per_out)
    if out_tuple:
        return tuple(p[0] for p in per_out)
    if in_tuple:
        return per_out[0]
    return per_out[0][0]


def hessian(func: Callable[..., Any], inputs: TensorOrTuple, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian ``H[i..., j...] = ∂² f / ∂x_i ∂x_j`` of a function returning one element.

    A single Tensor (``x.shape + x.shape``) for one input; for a tuple of inputs a tuple of
    tuples ``H[a][b]`` of shape ``x_a.shape + x_b.shape``.
    """
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args: Any) -> tuple[Any, ...]:
        out_tuple, outs = _as_tuple(func(*args), "outputs", "hessian")
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError("hessian: the function given to hessian should return a single Tensor "
                               f"containing a single element, got shape {tuple(outs[0].shape)}")
        return _grad_or_zeros([outs[0].reshape(())], args, [None], True, strict, "hessian", "")

    res = jacobian(gradient, xs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def vhp(func: Callable[..., Any], inputs: TensorOrTuple, v: TensorOrTuple | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Any, TensorOrTuple]:
    """``(func(*inputs), vᵀ H)`` for a scalar-valued ``func``: a backward pass through the gradient."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp", transpose=False)


def hvp(func: Callable[..., Any], inputs: TensorOrTuple, v: TensorOrTuple | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Any, TensorOrTuple]:
    """``(func(*inputs), H v)`` for a scalar-valued ``func``.

    Computed as PyTorch does, with the double-backward trick on ``vᵀH`` (so it is ``H v`` even
    for functions whose Hessian is not symmetric).
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp", transpose=True)


def _hessian_product(func: Callable[..., Any], inputs: TensorOrTuple, v: TensorOrTuple | None, create_graph: bool,
                     strict: bool, fn: str, transpose: bool) -> tuple[Any, TensorOrTuple]:
    in_tuple, xs = _as_tuple(inputs, "inputs", fn)
    xs = _prepare_inputs(xs, create_graph)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError(f"{fn}: the vector v can only be None if the input to the user-provided function "
                               "is a single Tensor with a single element.")
        vs: tuple[Any, ...] = (ones_like(xs[0]),)
    else:
        _, vs = _as_tuple(v, "v", fn)
        _check_v(vs, xs, fn, "input")
    out_tuple, outs = _call(func, xs, fn)
    if out_tuple or outs[0].numel() != 1:
        raise RuntimeError(f"{fn}: the function given to {fn} should return a single Tensor containing a single "
                           f"element, got shape {tuple(outs[0].shape)}")
    with enable_grad():
        g = _grad_or_zeros([outs[0].reshape(())], xs, [None], True, strict, fn, "")   # ∇f
        if not transpose:
            res = _grad_or_zeros(list(g), xs, list(vs), create_graph, strict, fn, " (double backward)")  # vᵀH
        else:
            us = tuple(zeros_like(x).requires_grad_(True) for x in xs)
            ug = _grad_or_zeros(list(g), xs, list(us), True, strict, fn, " (double backward)")         # uᵀH
            res = _grad_or_zeros(list(ug), us, list(vs), create_graph, strict, fn, " (double backward)")  # H v
    return _finish(outs, False, create_graph), _finish(res, in_tuple, create_graph)


__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]
