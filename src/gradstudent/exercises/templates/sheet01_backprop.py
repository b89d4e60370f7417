"""Sheet 1 — computation graphs and backpropagation by hand.

Write every function with NumPy only (no autograd). Do the forward pass node by
node, keep what the backward pass needs, then apply the chain rule from the
output back: each node's gradient is the upstream gradient times the node's
local derivative, and a node used twice receives the sum of both gradients.

Check your work with ``gradstudent exercise check 1 DIR``.
"""

from __future__ import annotations

import numpy as np


def sigmoid_neuron(w: np.ndarray, x: np.ndarray, b: float) -> tuple[float, np.ndarray, np.ndarray, float]:
    """y = sigmoid(w . x + b) for w, x of shape (n,).

    Returns ``(y, dy/dw, dy/dx, dy/db)``. Hint: sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)).
    """
    ### BEGIN SOLUTION
    z = float(w @ x + b)
    y = 1.0 / (1.0 + np.exp(-z))
    dz = y * (1.0 - y)  # dy/dz
    return y, dz * x, dz * w, dz  # dz/dw = x, dz/dx = w, dz/db = 1
    ### END SOLUTION


def two_layer_backward(W1: np.ndarray, W2: np.ndarray, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """L = 0.5 ||W2 tanh(W1 x) - t||^2 with W1: (H, D), W2: (K, H), x: (D,), t: (K,).

    Returns ``(L, dL/dW1, dL/dW2)`` (the gradients have the shapes of W1 and W2).
    """
    ### BEGIN SOLUTION
    a = W1 @ x  # (H,)
    h = np.tanh(a)  # (H,)
    r = W2 @ h - t  # (K,) the residual
    loss = 0.5 * float(r @ r)
    dW2 = np.outer(r, h)  # dL/dW2[k, j] = r[k] h[j]
    dh = W2.T @ r  # dL/dh[j] = sum_k r[k] W2[k, j]
    da = dh * (1.0 - h**2)  # tanh' = 1 - tanh^2
    dW1 = np.outer(da, x)  # dL/dW1[j, i] = da[j] x[i]
    return loss, dW1, dW2
    ### END SOLUTION


def topological_order(root: str, parents: dict[str, list[str]]) -> list[str]:
    """Every node that ``root`` depends on (and ``root``), each listed after all of its inputs.

    ``parents[node]`` lists the node's inputs. Backpropagation visits this list in
    reverse. Write it WITHOUT recursion: graphs can be 100,000 nodes deep.
    """
    ### BEGIN SOLUTION
    order: list[str] = []
    seen: set[str] = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in parents.get(node, []) if p not in seen)
    return order
    ### END SOLUTION
