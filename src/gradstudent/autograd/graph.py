"""Looking at a computation graph: as indented text or as Graphviz DOT.

    y = (x * w).tanh().sum()
    print(gs.autograd.graph.to_text(y))
    SumBackward (shape ())
      TanhBackward (shape (3,))
        MulBackward (shape (3,))
          leaf x (shape (3,), requires_grad)
          leaf w (shape (3,), requires_grad)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine import topological_order

if TYPE_CHECKING:
    from ..tensor import Tensor


def _label(t: Tensor, names: dict[int, str]) -> str:
    shape = tuple(t.shape)
    if t._ctx is None:
        name = names.get(id(t), "")
        grad = ", requires_grad" if t.requires_grad else ""
        return f"leaf {name} (shape {shape}{grad})".replace("leaf  (", "leaf (")
    return f"{type(t._ctx).__name__}Backward (shape {shape})"


def to_text(root: Tensor, names: dict[str, Tensor] | None = None, max_depth: int = 50) -> str:
    """The graph below ``root`` as an indented tree (shared nodes are printed once, then referenced)."""
    by_id = {id(t): n for n, t in (names or {}).items()}
    lines: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, int]] = [(root, 0)]
    while stack:  # iterative, so deep graphs print without hitting the recursion limit
        t, depth = stack.pop()
        label = _label(t, by_id)
        if t._ctx is not None and id(t._ctx) in seen:
            lines.append("  " * depth + label + "  (see above)")
            continue
        lines.append("  " * depth + label)
        if t._ctx is not None and depth < max_depth:
            seen.add(id(t._ctx))
            stack.extend((child, depth + 1) for child in reversed(t._ctx.inputs))
    return "\n".join(lines)


def to_dot(root: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """The graph in Graphviz DOT (render with ``dot -Tpng``): ops as boxes, leaves as ellipses."""
    by_id = {id(t): n for n, t in (names or {}).items()}
    lines = ["digraph G {", "  rankdir=BT;", '  node [fontname="Helvetica", fontsize=10];']
    ids: dict[int, str] = {}

    def node_id(obj: object, label: str, shape: str) -> str:
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
            lines.append(f'  {ids[id(obj)]} [label="{label}", shape={shape}];')
        return ids[id(obj)]

    for fn in topological_order([root._ctx] if root._ctx is not None else []):
        me = node_id(fn, f"{type(fn).__name__}", "box")
        for t in fn.inputs:
            if t._ctx is not None:
                src = node_id(t._ctx, type(t._ctx).__name__, "box")
            elif t.requires_grad:
                src = node_id(t, _label(t, by_id).replace("leaf ", ""), "ellipse")
            else:
                continue
            lines.append(f"  {src} -> {me};")
    lines.append("}")
    return "\n".join(lines)


def count_nodes(root: Tensor) -> int:
    """How many Functions the graph below ``root`` has."""
    return len(topological_order([root._ctx])) if root._ctx is not None else 0
