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
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..backend import get_array_module
from .grad_mode import set_grad_enabled, state

if TYPE_CHECKING:  # the engine never names these classes at run time (they sit above it)
    from ..tensor import Tensor
    from .function import Function

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting.

    Broadcasting copies a value along new leading axes and along axes of size 1,
    so its gradient *sums* over exactly those axes::

        x: (3, 1)  ->  y = x + z: (2, 3, 4)      x.grad[i, 0] = sum_{a, k} y.grad[a, i, k]
    """
    if grad.shape == shape:
        return grad
    return grad.sum_to_size(shape)


def root_gradient(t: Tensor, gradient: Tensor | None, where: str) -> Tensor:
    """The gradient that seeds a backward from ``t``: ``gradient``, or 1 for a one-element ``t``."""
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for scalar outputs, but this tensor has "
                f"shape {tuple(t.shape)}. Reduce it to a scalar first (e.g. loss.sum()), or pass "
                f"gradient=<tensor of shape {tuple(t.shape)}> to compute a vector-Jacobian product."
            )
        return t._make(get_array_module(t._data).ones_like(t._data))
    g = gradient
    if g.shape != t.shape:
        raise RuntimeError(f"{where}: gradient has shape {tuple(g.shape)} but the output has shape {tuple(t.shape)}")
    if g.dtype != t.dtype:  # as torch: the seed takes the output's dtype, so .grad keeps the leaf's dtype
        g = g.type(t.dtype)
    return g if state.grad_enabled and g.requires_grad else g._make(g._data.copy())


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

    The chain rule itself is the loop in the middle, the same loop as micrograd's
    ``for v in reversed(topo): v._backward()``: each node receives the gradient of
    its output, turns it into one gradient per input (:func:`vjp`), and adds those
    into the gradients of the nodes (or leaves) that produced the inputs. Around it:
    hooks and requested tensors (:class:`_Requests`), anomaly checks, and freeing
    each node's saved values once it is done (unless ``retain_graph``).
    """
    grads: dict[Function, Tensor] = {}  # node -> gradient of the node's output, summed over its consumers
    leaf_grads: dict[int, tuple[Tensor, Tensor]] = {}  # id(leaf) -> (leaf, gradient)
    for r, g in zip(roots, root_grads):
        _add_gradient(grads, leaf_grads, r._ctx, r, g)
    order = topological_order([r._ctx for r in roots if r._ctx is not None])
    requests = _Requests(targets, order) if targets is not None else None
    if requests is not None:
        order = requests.order
    done: list[Function] = []

    with set_grad_enabled(create_graph):  # record the backward's own ops only for create_graph
        for node in reversed(order):  # every consumer of a node's output comes before the node
            grad = grads.pop(node, None)
            if grad is None:  # nothing flowed here (an unused branch)
                continue
            node._check_alive()  # a second backward through a freed graph is an error
            grad = _run_node_hooks(node, grad)
            if requests is not None and not requests.note(node, grad):
                continue  # nothing requested lies further back
            input_grads = vjp(node, grad, create_graph)  # the chain rule for this one op
            for t, parent, needed, g_in in zip(node.inputs, node.parents, node.input_requires_grad, input_grads):
                if g_in is not None and needed:
                    g_in = unbroadcast(g_in, t.shape)  # broadcast in forward -> sum in backward
                    if state.anomaly:
                        _check_anomaly(node, g_in)
                    _add_gradient(grads, leaf_grads, parent, t, g_in)
            if not retain_graph:
                node.release()  # free the arrays forward saved: this graph is done with them
                done.append(node)
    for node in done:  # and the input tensors, once every node has run (see Function.release_inputs)
        node.release_inputs()

    if requests is not None:
        return requests.results(leaf_grads, allow_unused)
    for leaf, g in leaf_grads.values():
        g = _run_leaf_hooks(leaf, g)
        if not create_graph:
            g = g.detach()
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        hooks: list[Any] = leaf._hooks or []
        for hook in hooks:
            if isinstance(hook, PostAccumulateGradHook):  # e.g. DistributedDataParallel's gradient averaging
                hook.fn(leaf)
    return None


def vjp(node: Function, grad: Tensor, create_graph: bool) -> tuple[Tensor | None, ...]:
    """One gradient (or None) per input of ``node``, from the gradient of its output.

    The op's array-level ``backward_arrays`` when it has one and no graph of the
    backward is being recorded; otherwise its reference ``backward`` (Tensor ops,
    differentiable again). This is the only place that chooses between the two.
    """
    if state.anomaly:  # check the op's gradients as a whole (see _check_anomaly), not op by op inside it
        state.anomaly = False
        try:
            return vjp(node, grad, create_graph)
        finally:
            state.anomaly = True
    if state.profiler is not None or state.autocast is not None:
        return _observed_vjp(node, grad, create_graph)
    return _chain_rule(node, grad, create_graph)


def _chain_rule(node: Function, grad: Tensor, create_graph: bool) -> tuple[Tensor | None, ...]:
    """The op's own vector-Jacobian product: the fast path or the reference (see :func:`vjp`)."""
    if node.has_fast_backward and not create_graph:
        out = node.backward_arrays(grad._data)  # type: ignore[attr-defined]
        arrays = out if isinstance(out, tuple) else (out,)
        return _as_tuple(tuple([None if a is None else grad._make(a) for a in arrays]), len(node.inputs), node)
    return _as_tuple(node.backward(grad), len(node.inputs), node)


def _observed_vjp(node: Function, grad: Tensor, create_graph: bool) -> tuple[Tensor | None, ...]:
    """:func:`_chain_rule` with ``gs.autocast`` off (a backward runs in the dtypes its forward chose,
    as in PyTorch) and, while ``gs.profiler`` records, timed as the op's backward."""
    autocast, state.autocast = state.autocast, None
    try:
        if state.profiler is None:
            return _chain_rule(node, grad, create_graph)
        return state.profiler.backward(node, lambda: _chain_rule(node, grad, create_graph))
    finally:
        state.autocast = autocast


def _add_gradient(
    grads: dict[Function, Tensor], leaf_grads: dict[int, tuple[Tensor, Tensor]],
    parent: Function | None, t: Tensor, g: Tensor,
) -> None:
    """grad[t] += g: into the producing node's slot, or the leaf's (a tensor with no producer)."""
    if parent is None:
        _accumulate_leaf(leaf_grads, t, g)
    elif parent in grads:
        grads[parent] = grads[parent] + g
    else:
        grads[parent] = g


def _run_node_hooks(node: Function, grad: Tensor) -> Tensor:
    """Hooks registered on a non-leaf tensor (``register_hook``) see, and may replace, its gradient."""
    new: Tensor | None
    for hook in node.__dict__.get("hooks", ()):
        new = hook(grad)
        grad = grad if new is None else new
    return grad


class _Requests:
    """What ``autograd.grad`` asked for: the gradients of ``targets``, nothing into ``.grad``.

    Only the nodes that produce a requested tensor or lead back to one need to run
    (``order`` is pruned to them); a requested non-leaf tensor's gradient is taken
    as it arrives at the node that produced it.
    """

    def __init__(self, targets: Sequence[Tensor], order: list[Function]) -> None:
        self.targets = list(targets)
        self.found: list[Tensor | None] = [None] * len(self.targets)
        self.at_node = {id(t._ctx): i for i, t in enumerate(self.targets) if t._ctx is not None}
        self.order, self.passes_on = _prune(order, {id(t) for t in self.targets}, set(self.at_node))

    def note(self, node: Function, grad: Tensor) -> bool:
        """Record ``grad`` if ``node`` produced a requested tensor; whether to go on through ``node``."""
        if id(node) in self.at_node:
            self.found[self.at_node[id(node)]] = grad
        return id(node) in self.passes_on

    def results(self, leaf_grads: dict[int, tuple[Tensor, Tensor]], allow_unused: bool) -> list[Tensor | None]:
        for i, t in enumerate(self.targets):
            if t._ctx is None and id(t) in leaf_grads:
                self.found[i] = _run_leaf_hooks(t, leaf_grads[id(t)][1])
            if self.found[i] is None and not allow_unused:
                raise RuntimeError(
                    f"autograd.grad: input {i} (shape {tuple(t.shape)}) was not used to compute the "
                    f"outputs; pass allow_unused=True to get None for it"
                )
        return self.found


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
    if g._data.base is not None:  # a view of some other array
        return True
    return any(other._data is g._data for _, other in leaf_grads.values())


class PostAccumulateGradHook:
    """``Tensor.register_post_accumulate_grad_hook``'s entry: ``fn(leaf)`` runs once ``backward``
    has added into ``leaf.grad`` (``autograd.grad``, which leaves ``.grad`` alone, never calls it)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Tensor], None]) -> None:
        self.fn = fn


def _run_leaf_hooks(leaf: Tensor, g: Tensor) -> Tensor:
    hooks: list[Any] = leaf._hooks or []
    for hook in hooks:
        if isinstance(hook, PostAccumulateGradHook):  # runs after accumulation, not here
            continue
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
        if node.freed:  # its inputs are gone: keep it, so that the loop reports the freed graph
            passes_on.add(id(node))
            continue
        for t, parent in zip(node.inputs, node.parents):
            if id(t) in wanted or (parent is not None and id(parent) in passes_on):
                passes_on.add(id(node))
                break
    return [n for n in order if id(n) in passes_on or id(n) in target_nodes], passes_on


def _check_anomaly(node: Function, g: Tensor) -> None:
    try:
        check_finite(g._data, f"{node.op_name} (backward)")
    except FloatingPointError as err:
        user_frames = [f for f in getattr(node, "_trace", []) if _PACKAGE_DIR not in f]  # your code, not ours
        where = "".join(user_frames[-3:])
        raise FloatingPointError(f"{err}. The op was created here:\n{where}") from None


def check_finite(array: Any, where: str) -> None:
    """Anomaly mode's check: raise if a floating-point ``array`` holds NaN or inf."""
    xp = get_array_module(array)
    if array.dtype.kind == "f" and not bool(xp.isfinite(array).all()):
        raise FloatingPointError(f"detect_anomaly: {where} produced NaN or inf")
