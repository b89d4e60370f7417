"""The backward engine: reverse-mode automatic differentiation.

Given a root tensor ``L``, visit every Function that contributed to it in
reverse topological order and apply the chain rule::

    grad[input] += backward(grad[output])

The order is computed with an explicit stack (no recursion, so a chain of
100,000 ops is fine) and each node is processed exactly once, after all of
its consumers have added their contributions.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

from .function import Function, _check_finite
from .grad_mode import set_grad_enabled, state

if TYPE_CHECKING:
    from ..tensor import Tensor

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting.

    Broadcasting copies a value along new leading axes and along axes of size 1,
    so its gradient *sums* over exactly those axes::

        x: (3, 1)  ->  y = x + z: (2, 3, 4)      x.grad[i, 0] = sum_{a, k} y.grad[a, i, k]
    """
    if grad.shape == shape:
        return grad
    from ..ops.shape import sum_to_shape

    return sum_to_shape(grad, shape)


def topological_order(roots: Sequence[Function]) -> list[Function]:
    """Functions reachable from ``roots``, each after every Function it depends on.

    Iterative depth-first search; ``post`` lists a node only once all of its
    inputs' nodes are listed, so reversing it gives a valid backward order.
    """
    post: list[Function] = []
    seen: set[int] = set()
    stack: list[tuple[Function, bool]] = [(r, False) for r in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            post.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if parent is not None and id(parent) not in seen:
                stack.append((parent, False))
    return post


def _as_tuple(grads: Any, n: int, node: Function) -> tuple[Any, ...]:
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != n:
        raise RuntimeError(f"{node.op_name}.backward returned {len(grads)} gradients for {n} inputs")
    return grads


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Tensor] | None = None,
    allow_unused: bool = False,
) -> list[Tensor | None] | None:
    """Propagate ``root_grads`` from ``roots`` back through the graph.

    With ``targets=None`` gradients of leaves are accumulated into ``.grad``
    (``Tensor.backward``). Otherwise the gradients of ``targets`` are returned
    and ``.grad`` is left alone (``autograd.grad``).
    """
    grads: dict[Function, Tensor] = {}  # node -> gradient of the node's output
    leaf_grads: dict[int, tuple[Tensor, Tensor]] = {}  # id(leaf) -> (leaf, gradient)
    for r, g in zip(roots, root_grads):
        if r._ctx is None:
            _accumulate_leaf(leaf_grads, r, g)
        else:
            grads[r._ctx] = grads[r._ctx] + g if r._ctx in grads else g

    order = topological_order([r._ctx for r in roots if r._ctx is not None])
    results: list[Tensor | None] = [None] * (len(targets) if targets is not None else 0)
    nonleaf_targets = {id(t._ctx): i for i, t in enumerate(targets or []) if t._ctx is not None}
    passes_on: set[int] | None = None  # with targets: nodes whose backward leads to a requested tensor
    if targets is not None:
        order, passes_on = _prune(order, {id(t) for t in targets}, set(nonleaf_targets))

    with set_grad_enabled(create_graph):
        for node in reversed(order):
            grad = grads.pop(node, None)
            if grad is None:  # nothing flowed here (e.g. unused branch)
                continue
            if node.freed:
                node._check_alive()
            for hook in getattr(node, "hooks", ()):
                new = hook(grad)
                grad = grad if new is None else new
            if id(node) in nonleaf_targets:
                results[nonleaf_targets[id(node)]] = grad
                if passes_on is not None and id(node) not in passes_on:
                    continue  # nothing requested lies further back
            input_grads = _as_tuple(_call_backward(node, grad), len(node.inputs), node)
            for t, parent, needed, g in zip(node.inputs, node.parents, node.input_requires_grad, input_grads):
                if g is None or not needed:
                    continue
                if g.shape != t.shape:
                    g = unbroadcast(g, t.shape)
                if state.anomaly:
                    _check_anomaly(node, g)
                if parent is None:
                    _accumulate_leaf(leaf_grads, t, g)
                elif parent in grads:
                    grads[parent] = grads[parent] + g
                else:
                    grads[parent] = g
            if not retain_graph:
                node.release()

    if targets is not None:
        for i, t in enumerate(targets):
            if t._ctx is None and id(t) in leaf_grads:
                results[i] = _run_leaf_hooks(t, leaf_grads[id(t)][1])
            if results[i] is None and not allow_unused:
                raise RuntimeError(
                    f"autograd.grad: input {i} (shape {tuple(t.shape)}) was not used to compute the "
                    f"outputs; pass allow_unused=True to get None for it"
                )
        return results

    for leaf, g in leaf_grads.values():
        g = _run_leaf_hooks(leaf, g)
        if not create_graph:
            g = g.detach()
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    return None


def _accumulate_leaf(leaf_grads: dict[int, tuple[Tensor, Tensor]], leaf: Tensor, g: Tensor) -> None:
    if not leaf.requires_grad:
        return
    key = id(leaf)
    if key in leaf_grads:
        leaf_grads[key] = (leaf, leaf_grads[key][1] + g)
    else:
        # ``g`` may be shared with another leaf (``a + b`` hands both the same
        # gradient) or be a view of one; a leaf's ``.grad`` must own its memory
        # because optimizers and ``clip_grad_norm_`` modify it in place.
        leaf_grads[key] = (leaf, g.clone() if _may_alias(g, leaf_grads) else g)


def _may_alias(g: Tensor, leaf_grads: dict[int, tuple[Tensor, Tensor]]) -> bool:
    if g.data.base is not None:  # a view of some other array
        return True
    return any(other.data is g.data for _, other in leaf_grads.values())


def _run_leaf_hooks(leaf: Tensor, g: Tensor) -> Tensor:
    for hook in leaf._hooks or ():
        new = hook(g)
        g = g if new is None else new
    return g


def _prune(order: list[Function], wanted: set[int], target_nodes: set[int]) -> tuple[list[Function], set[int]]:
    """Keep only the nodes that produce a requested tensor or lead back to one.

    Returns the kept nodes and the ids of those whose backward must run (a
    requested non-leaf tensor may itself depend on another requested tensor).
    """
    passes_on: set[int] = set()
    for node in order:  # inputs come before their consumers in ``order``
        for t, parent in zip(node.inputs, node.parents):
            if id(t) in wanted or (parent is not None and id(parent) in passes_on):
                passes_on.add(id(node))
                break
    return [n for n in order if id(n) in passes_on or id(n) in target_nodes], passes_on


def _call_backward(node: Function, grad: Tensor) -> Any:
    """``node.backward(grad)``; in anomaly mode the ops inside it are not checked one by one,
    so that a NaN/inf is reported against ``node`` (see :func:`_check_anomaly`)."""
    if not state.anomaly:
        return node.backward(grad)
    state.anomaly = False
    try:
        return node.backward(grad)
    finally:
        state.anomaly = True


def _check_anomaly(node: Function, g: Tensor) -> None:
    try:
        _check_finite(g.data, f"{node.op_name} (backward)")
    except FloatingPointError as err:
        user_frames = [f for f in getattr(node, "_trace", []) if _PACKAGE_DIR not in f]  # your code, not ours
        where = "".join(user_frames[-3:])
        raise FloatingPointError(f"{err}. The op was created here:\n{where}") from None
