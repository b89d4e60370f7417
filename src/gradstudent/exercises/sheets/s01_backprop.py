"""Sheet 1 checks: gradients by hand against gradstudent's autograd."""

from __future__ import annotations

from types import ModuleType

import gradstudent as gs

from ..checking import CheckFailed, assert_close, rng
from . import Sheet, Task


def check_sigmoid_neuron(m: ModuleType) -> None:
    r = rng(1)
    for n in (1, 3, 7):
        w, x, b = r.normal(size=n), r.normal(size=n), float(r.normal())
        y, dw, dx, db = m.sigmoid_neuron(w.copy(), x.copy(), b)
        tw, tx, tb = (gs.tensor(v, dtype=gs.float64, requires_grad=True) for v in (w, x, b))
        ty = ((tw * tx).sum() + tb).sigmoid()
        ty.backward()
        assert_close(f"y (n={n})", y, ty, hint="forward: y = 1 / (1 + exp(-(w.x + b)))")
        assert_close(f"dy/dw (n={n})", dw, tw.grad, hint="dy/dw = sigmoid'(z) * x")
        assert_close(f"dy/dx (n={n})", dx, tx.grad, hint="dy/dx = sigmoid'(z) * w")
        assert_close(f"dy/db (n={n})", db, tb.grad, hint="dy/db = sigmoid'(z)")


def check_two_layer(m: ModuleType) -> None:
    r = rng(2)
    for d, h, k in ((3, 4, 2), (5, 1, 3)):
        W1, W2, x, t = r.normal(size=(h, d)), r.normal(size=(k, h)), r.normal(size=d), r.normal(size=k)
        loss, dW1, dW2 = m.two_layer_backward(W1.copy(), W2.copy(), x.copy(), t.copy())
        tW1, tW2 = gs.tensor(W1, requires_grad=True), gs.tensor(W2, requires_grad=True)
        out = tW2 @ (tW1 @ gs.tensor(x)).tanh() - gs.tensor(t)
        tl = 0.5 * (out * out).sum()
        tl.backward()
        assert_close(f"L (shapes W1 {W1.shape}, W2 {W2.shape})", loss, tl)
        assert_close(f"dL/dW2 (shape {W2.shape})", dW2, tW2.grad, hint="dL/dW2 = outer(residual, h)")
        assert_close(f"dL/dW1 (shape {W1.shape})", dW1, tW1.grad, hint="backpropagate through W2^T, then tanh' = 1 - h^2")


def check_topological_order(m: ModuleType) -> None:
    parents = {"L": ["a", "b"], "a": ["x", "w"], "b": ["a", "w"], "x": [], "w": []}
    order = list(m.topological_order("L", parents))
    if sorted(order) != sorted(parents):
        raise CheckFailed(f"topological_order: expected each of {sorted(parents)} exactly once, got {order}")
    pos = {n: i for i, n in enumerate(order)}
    for node, ins in parents.items():
        for p in ins:
            if pos[p] > pos[node]:
                raise CheckFailed(f"topological_order: {p!r} is an input of {node!r} but comes after it in {order}")
    chain = {f"n{i}": [f"n{i - 1}"] for i in range(1, 100_000)}
    try:
        deep = m.topological_order("n99999", chain)
    except RecursionError:
        raise CheckFailed("topological_order: RecursionError on a 100,000-node chain; use an explicit stack instead of recursion") from None
    if len(deep) != 100_000 or deep[0] != "n0" or deep[-1] != "n99999":
        raise CheckFailed("topological_order: wrong order on a 100,000-node chain (expected n0 first, n99999 last)")


SHEET = Sheet(1, "backprop", "Computation graphs and backprop by hand", "sheet01_backprop.py", [
    Task("sigmoid_neuron", 3, check_sigmoid_neuron, "forward and backward of one sigmoid neuron"),
    Task("two_layer_backward", 4, check_two_layer, "backprop through a two-layer tanh network"),
    Task("topological_order", 3, check_topological_order, "the order backpropagation visits the nodes, without recursion"),
])
