"""``gs.autograd.functional``'s whole-function derivatives: jacobian, hessian, vjp, jvp, hvp.

All are built from reverse mode (:func:`grad`): a Jacobian row per output
element; a Jacobian-vector product as the derivative of a vector-Jacobian
product with respect to its (dummy) cotangent (the "double-vjp trick"); a
Hessian as the Jacobian of the gradient (``create_graph=True``, which works
because every backward is written with differentiable ops).
"""

from __future__ import annotations

from typing import Any, Callable

from .functional import grad

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp"]


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def _prepare(inputs: Any) -> tuple[Any, ...]:
    """Fresh leaves that require grad, so the caller's tensors are not touched."""
    return tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))


def _grads(outputs: Any, inputs: tuple[Any, ...], grad_outputs: Any, create_graph: bool) -> tuple[Any, ...]:
    from ..creation import zeros_like

    found = grad(outputs, list(inputs), grad_outputs=grad_outputs, create_graph=create_graph, retain_graph=True, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for g, x in zip(found, inputs))


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the gradient of ⟨func(inputs), v⟩ with respect to the inputs."""
    from ..creation import ones_like

    xs = _prepare(inputs)
    out = func(*xs)
    v = ones_like(out) if v is None else v
    g = _grads(out, xs, v, create_graph)
    return (out if create_graph else out.detach()), (g if isinstance(inputs, tuple | list) else g[0])


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v), by differentiating u ↦ uᵀ J (linear in u) with respect to u."""
    from ..creation import ones_like, zeros_like

    xs = _prepare(inputs)
    vs = tuple(ones_like(x) for x in xs) if v is None else _tuple(v)
    out = func(*xs)
    u = zeros_like(out).requires_grad_(True)
    g = _grads(out, xs, u, True)  # g(u) = uᵀ J, linear in u
    (jv,) = grad(list(g), [u], grad_outputs=list(vs), create_graph=create_graph, allow_unused=True)
    jv = zeros_like(out) if jv is None else jv
    return (out if create_graph else out.detach()), (jv if create_graph else jv.detach())


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False) -> Any:
    """∂ func(inputs) / ∂ inputs, of shape out.shape + in.shape (nested like PyTorch's for tuples)."""
    from ..creation import zeros_like
    from ..ops.shape import stack

    xs = _prepare(inputs)
    raw = func(*xs)
    outs = _tuple(raw)
    result = []
    for out in outs:
        flat = out.reshape(-1)
        rows = []
        for i in range(flat.shape[0]):
            seed = zeros_like(flat)
            seed[i] = 1.0
            rows.append(_grads(flat, xs, seed, create_graph))
        per_input = []
        for j, x in enumerate(xs):
            block = stack([r[j] for r in rows]) if rows else zeros_like(x).reshape(0, *x.shape)
            block = block.reshape(*out.shape, *x.shape)
            per_input.append(block if create_graph else block.detach())
        result.append(tuple(per_input) if isinstance(inputs, tuple | list) else per_input[0])
    return tuple(result) if isinstance(raw, tuple | list) else result[0]


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False) -> Any:
    """∂² func(inputs) / ∂ inputs², for a scalar-valued ``func``: the Jacobian of its gradient."""
    single = not isinstance(inputs, tuple | list)

    def gradient(*xs: Any) -> Any:
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError(f"hessian: the function must return a single-element tensor, got shape {tuple(out.shape)}")
        g = _grads(out.reshape(()), xs, None, True)
        return g[0] if single else g

    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar-valued ``func`` (H is symmetric, so this is also vᵀ H)."""
    xs = _prepare(inputs)
    out = func(*xs)
    g = _grads(out, xs, None, True)
    hv = _grads(list(g), xs, list(_tuple(v)), create_graph)
    hv = hv if create_graph else tuple(h.detach() for h in hv)
    return (out if create_graph else out.detach()), (hv if isinstance(inputs, tuple | list) else hv[0])
