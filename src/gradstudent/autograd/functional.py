"""``autograd.grad`` and ``autograd.backward``: the functional interface to the engine."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .engine import root_gradient, run_backward


def _list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else [x]


def _as_tensor(gradient: Any, like: Tensor) -> Tensor | None:
    """A gradient given as data (a list, an array) becomes a tensor of ``like``'s dtype."""
    return gradient if gradient is None or isinstance(gradient, Tensor) else Tensor(gradient, dtype=like.dtype)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``sum(outputs * grad_outputs)`` with respect to each of ``inputs``.

    Nothing is accumulated into ``.grad``. With ``create_graph=True`` the
    returned gradients are themselves differentiable (second derivatives).
    """
    outs, ins = _list(outputs), _list(inputs)
    gos = _list(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if len(gos) != len(outs):
        raise ValueError(f"autograd.grad: {len(outs)} outputs but {len(gos)} grad_outputs")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: input {i} (shape {tuple(t.shape)}) does not require grad")
    roots, root_grads = [], []
    for o, g in zip(outs, gos):
        if not o.requires_grad:
            raise RuntimeError(f"autograd.grad: an output (shape {tuple(o.shape)}) does not require grad and has no grad_fn")
        roots.append(o)
        root_grads.append(root_gradient(o, _as_tensor(g, o), "autograd.grad"))
    keep = create_graph if retain_graph is None else retain_graph
    result = run_backward(roots, root_grads, keep, create_graph, targets=ins, allow_unused=allow_unused)
    assert result is not None
    if not create_graph:
        result = [None if g is None else g.detach() for g in result]
    return tuple(result)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Accumulate gradients of several outputs at once into the leaves' ``.grad``."""
    outs = _list(tensors)
    gos = _list(grad_tensors) if grad_tensors is not None else [None] * len(outs)
    root_grads = [root_gradient(o, _as_tensor(g, o), "autograd.backward") for o, g in zip(outs, gos)]
    keep = create_graph if retain_graph is None else retain_graph
    run_backward(outs, root_grads, keep, create_graph)

from .jacobians import hessian, hvp, jacobian, jvp, vhp, vjp  # noqa: E402,F401  (torch.autograd.functional names)
