"""Seeing the computation graph: a picture of it, and the backward pass step by step.

    x = gs.tensor([1.0, 2.0], requires_grad=True)
    w = gs.tensor([0.5, -1.0], requires_grad=True)
    loss = (x * w).tanh().sum()
    loss.backward(retain_graph=True)
    draw_graph(loss, "graph.svg", names={"x": x, "w": w}, show_grad=True)
    print(step_through(loss, names={"x": x, "w": w}))

``draw_graph`` renders with Graphviz when the ``dot`` program is installed and
with matplotlib otherwise (same nodes, a layered layout). Nodes are the ops
(boxes, with their name and output shape) and the leaves that require grad
(ellipses, with their name, shape and, with ``show_grad=True``, their gradient).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..autograd.engine import topological_order
from ..autograd.engine import unbroadcast
from ..autograd.functional import grad as autograd_grad
from ..autograd.grad_mode import no_grad
from ..creation import ones_like

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..autograd.function import Function
    from ..tensor import Tensor


@dataclass
class Node:
    """One box (an op) or ellipse (a leaf) of the drawing."""

    key: str
    label: str
    is_op: bool
    inputs: list[str] = field(default_factory=list)  # keys of the nodes feeding this one


def _fmt(values: np.ndarray, max_items: int = 4) -> str:
    """A short text form of an array: all values when few, else shape and norm."""
    flat = np.asarray(values).reshape(-1)
    if flat.size <= max_items:
        return "[" + ", ".join(f"{v:.3g}" for v in flat) + "]"
    return f"|.|={float(np.linalg.norm(flat)):.3g}"


def graph_nodes(root: Tensor, names: dict[str, Tensor] | None = None, show_grad: bool = False) -> list[Node]:
    """The graph below ``root`` as a list of nodes, ops in forward order, leaves first."""
    by_id = {id(t): n for n, t in (names or {}).items()}
    order = topological_order([root._ctx]) if root._ctx is not None else []
    if any(fn.freed for fn in order):  # backward() without retain_graph let go of the inputs
        raise RuntimeError(
            "draw_graph: the graph below this tensor was freed by backward(); draw it before calling "
            "backward(), or call backward(retain_graph=True) to keep it"
        )
    keys: dict[int, str] = {}
    nodes: list[Node] = []

    def leaf_key(t: Tensor) -> str:
        if id(t) not in keys:
            keys[id(t)] = f"leaf{len(keys)}"
            label = f"{by_id.get(id(t), 'leaf')} {tuple(t.shape)}"
            if show_grad and t.grad is not None:
                label += f"\ngrad {_fmt(t.grad.detach().numpy())}"
            nodes.append(Node(keys[id(t)], label, is_op=False))
        return keys[id(t)]

    outputs = _op_outputs(root, order)
    for i, fn in enumerate(order):
        keys[id(fn)] = f"op{i}"
    for fn in order:
        ins = []
        for t in fn.inputs:
            if t._ctx is not None:
                ins.append(keys[id(t._ctx)])
            elif t.requires_grad:
                ins.append(leaf_key(t))
        nodes.append(Node(keys[id(fn)], f"{fn.op_name}\n{tuple(outputs[id(fn)].shape)}", is_op=True, inputs=ins))
    if root._ctx is None:
        leaf_key(root)
    return nodes


def _op_outputs(root: Tensor, order: list[Function]) -> dict[int, Tensor]:
    """Each op's output tensor, by id(op): it is an input of its consumers, or the root."""
    outputs: dict[int, Tensor] = {id(root._ctx): root} if root._ctx is not None else {}
    for fn in order:
        for t in fn.inputs:
            if t._ctx is not None:
                outputs[id(t._ctx)] = t
    return outputs


def to_dot(nodes: list[Node]) -> str:
    """Graphviz DOT source for the nodes (data flows bottom to top, as in the lecture)."""
    lines = ["digraph G {", "  rankdir=BT;", '  node [fontname="Helvetica", fontsize=10];']
    for n in nodes:
        shape = "box" if n.is_op else "ellipse"
        label = n.label.replace('"', "'").replace("\n", "\\n")
        lines.append(f'  {n.key} [label="{label}", shape={shape}];')
    lines += [f"  {src} -> {n.key};" for n in nodes for src in n.inputs]
    lines.append("}")
    return "\n".join(lines)


def _layers(nodes: list[Node]) -> dict[str, int]:
    """Depth of each node: leaves at 0, an op one above its highest input (forward order)."""
    depth: dict[str, int] = {}
    for n in nodes:  # leaves come before the ops that use them; ops are in forward order
        depth[n.key] = 1 + max((depth[k] for k in n.inputs), default=-1) if n.is_op else 0
    return depth


def plot_graph(nodes: list[Node]) -> Figure:
    """A matplotlib drawing of the nodes (used when Graphviz is not installed)."""
    from matplotlib.figure import Figure

    depth = _layers(nodes)
    rows: dict[int, list[str]] = {}
    for n in nodes:
        rows.setdefault(depth[n.key], []).append(n.key)
    pos = {k: (i - (len(ks) - 1) / 2, d) for d, ks in rows.items() for i, k in enumerate(ks)}
    width = max(len(ks) for ks in rows.values()) if rows else 1
    fig = Figure(figsize=(max(4.0, 2.2 * width), max(3.0, 1.3 * len(rows))))
    ax = fig.add_subplot(1, 1, 1)
    for n in nodes:
        for src in n.inputs:
            (x0, y0), (x1, y1) = pos[src], pos[n.key]
            ax.annotate("", xy=(x1, y1 - 0.18), xytext=(x0, y0 + 0.18), arrowprops={"arrowstyle": "->", "color": "0.4"})
    for n in nodes:
        style = "round,pad=0.3" if not n.is_op else "square,pad=0.3"
        color = "#dbe9f6" if n.is_op else "#fdf0d5"
        ax.text(*pos[n.key], n.label, ha="center", va="center", fontsize=8, bbox={"boxstyle": style, "fc": color, "ec": "0.3"})
    ax.set_xlim(-width / 2 - 0.5, width / 2 + 0.5)
    ax.set_ylim(-0.6, max(rows, default=0) + 0.6)
    ax.axis("off")
    return fig


def draw_graph(
    root: Tensor,
    path: str | Path | None = None,
    names: dict[str, Tensor] | None = None,
    show_grad: bool = False,
    engine: str = "auto",
) -> str | Figure:
    """Render the graph that produced ``root``.

    Args:
        root: the output tensor (e.g. a loss).
        path: where to write the picture (``.svg`` or ``.png``); ``None`` returns it instead.
        names: leaf tensors to label, e.g. ``{"x": x, "w": w}``.
        show_grad: add each leaf's ``.grad`` (call ``backward`` first).
        engine: ``"dot"`` (Graphviz), ``"matplotlib"``, or ``"auto"`` (dot when installed).

    Returns:
        With Graphviz: the DOT source (the picture is written to ``path``). With
        matplotlib: the Figure (also saved to ``path`` when given).
    """
    if engine not in ("auto", "dot", "matplotlib"):
        raise ValueError(f"draw_graph: engine must be 'auto', 'dot' or 'matplotlib', got {engine!r}")
    nodes = graph_nodes(root, names, show_grad)
    dot_binary = shutil.which("dot")
    if engine == "dot" and dot_binary is None:
        raise RuntimeError("draw_graph: engine='dot' needs Graphviz's `dot` program (apt-get install graphviz)")
    if engine != "matplotlib" and dot_binary is not None:
        source = to_dot(nodes)
        if path is not None:
            fmt = Path(path).suffix.lstrip(".") or "svg"
            subprocess.run([dot_binary, f"-T{fmt}", "-o", str(path)], input=source.encode(), check=True, timeout=60)
        return source
    fig = plot_graph(nodes)
    if path is not None:
        fig.savefig(path, bbox_inches="tight")
    return fig


def step_through(root: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """The backward pass of ``root`` written out op by op, with the gradient values.

    Each step is the chain rule applied once: an op receives dL/d(output) (the
    sum over every path from its output to L) and sends each input its share,
    ``op.backward(dL/d(output))``. A tensor used twice receives two shares, which
    the engine adds. L is ``root`` (summed when it has several elements). The
    graph must still be alive: call this before ``backward()`` or after
    ``backward(retain_graph=True)``; nothing is accumulated into ``.grad``.
    """
    if root._ctx is None:
        raise ValueError("step_through: the tensor has no graph (it is a leaf or was made under no_grad)")
    by_id = {id(t): n for n, t in (names or {}).items()}
    order = topological_order([root._ctx])
    outputs = _op_outputs(root, order)
    seq = [outputs[id(fn)] for fn in order]
    grads = autograd_grad(root, seq, grad_outputs=ones_like(root), retain_graph=True, allow_unused=True)
    grad_of = {id(t): g for t, g in zip(seq, grads)}
    lines = [f"backward of {root._ctx.op_name} {tuple(root.shape)}: {len(order)} ops, from the output back"]
    with no_grad():
        for step, fn in enumerate(reversed(order), 1):
            g_out = grad_of.get(id(outputs[id(fn)]))
            if g_out is None:
                continue
            lines.append(f"step {step}: {fn.op_name} {tuple(g_out.shape)} receives dL/d(output) = {_fmt(g_out.detach().numpy())}")
            shares = fn.backward(g_out)
            shares = shares if isinstance(shares, tuple) else (shares,)
            for i, (t, g) in enumerate(zip(fn.inputs, shares)):
                if g is None or not t.requires_grad:
                    continue
                g = unbroadcast(g, t.shape) if tuple(g.shape) != tuple(t.shape) else g
                label = by_id.get(id(t), f"input {i}" if t._ctx is None else f"{t._ctx.op_name}'s output")
                lines.append(f"    sends {label} {tuple(t.shape)}: {_fmt(g.detach().numpy())}")
    return "\n".join(lines)
