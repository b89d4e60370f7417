"""draw_graph and step_through: the picture and the printed backward pass."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.viz.graph import draw_graph, graph_nodes, step_through, to_dot


def _small_graph():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    w = gs.tensor([0.5, -1.0], requires_grad=True)
    loss = (x * w).tanh().sum() + (x * x).sum()
    return x, w, loss


def test_nodes_have_ops_shapes_and_leaves():
    x, w, loss = _small_graph()
    nodes = graph_nodes(loss, names={"x": x, "w": w})
    ops = [n.label.split("\n")[0] for n in nodes if n.is_op]
    assert sorted(ops) == sorted(["mul", "tanh", "sum", "mul", "sum", "add"])
    leaves = [n.label for n in nodes if not n.is_op]
    assert leaves == ["x (2,)", "w (2,)"]  # x is used twice but drawn once
    dot = to_dot(nodes)
    assert dot.startswith("digraph") and dot.count("->") == sum(len(n.inputs) for n in nodes)


def test_show_grad_labels_leaves_with_their_gradient():
    x, w, loss = _small_graph()
    loss.backward(retain_graph=True)
    labels = [n.label for n in graph_nodes(loss, names={"x": x, "w": w}, show_grad=True) if not n.is_op]
    expected = np.round(x.grad.numpy(), 2)
    assert f"grad [{expected[0]:.3g}" in labels[0]


def test_a_graph_freed_by_backward_is_refused_with_advice():
    x, w, loss = _small_graph()
    loss.backward()  # frees the graph, as in PyTorch
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        graph_nodes(loss, names={"x": x, "w": w}, show_grad=True)


def test_matplotlib_fallback_writes_png(tmp_path):
    x, w, loss = _small_graph()
    fig = draw_graph(loss, tmp_path / "g.png", names={"x": x, "w": w}, engine="matplotlib")
    assert (tmp_path / "g.png").stat().st_size > 1000
    assert hasattr(fig, "savefig")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_writes_svg(tmp_path):
    x, w, loss = _small_graph()
    src = draw_graph(loss, tmp_path / "g.svg", names={"x": x, "w": w}, engine="dot")
    assert "<svg" in (tmp_path / "g.svg").read_text() and "digraph" in src


def test_step_through_shares_add_up_to_the_gradient():
    x, w, loss = _small_graph()
    text = step_through(loss, names={"x": x, "w": w})
    loss.backward()
    # every share sent to x, summed, is x.grad (the engine's accumulation, by hand)
    shares = [line for line in text.splitlines() if line.strip().startswith("sends x ")]
    total = sum(np.array(eval(line.split(": ", 1)[1])) for line in shares)
    np.testing.assert_allclose(total, x.grad.numpy(), rtol=1e-2)
    assert text.splitlines()[1].startswith("step 1: add")


def test_step_through_refuses_a_leaf():
    with pytest.raises(ValueError, match="step_through"):
        step_through(gs.tensor([1.0], requires_grad=True))


def test_draw_graph_bad_engine():
    _, _, loss = _small_graph()
    with pytest.raises(ValueError, match="engine"):
        draw_graph(loss, engine="tikz")
