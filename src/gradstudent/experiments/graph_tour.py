"""graph-tour: what autodiff does, step by step.

1. builds a small graph and prints it (``autograd.graph.to_text``) and writes it as DOT;
2. compares backward's gradient with finite differences (``gradcheck``);
3. computes a Hessian-vector product by differentiating the gradient (``create_graph=True``)
   and checks it against the exact Hessian of a quadratic form;
4. backpropagates through a chain of 100,000 ops, which a recursive engine could not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import autograd
from ..autograd.graph import count_nodes, to_dot, to_text
from ..creation import randn, tensor
from ..serialization import atomic_write_text
from .registry import RunContext, experiment


@experiment("graph-tour", "Computation graphs: print one, gradcheck it, a Hessian-vector product, a 100,000-op chain")
def run(ctx: RunContext) -> dict[str, Any]:
    x = tensor([0.5, -1.0, 2.0], dtype="float64", requires_grad=True)
    w = tensor([1.5, 0.3, -0.7], dtype="float64", requires_grad=True)
    y = ((x * w).tanh() + x * x).sum()
    ctx.log("The graph of y = sum(tanh(x * w) + x * x):\n" + to_text(y, {"x": x, "w": w}))
    atomic_write_text(ctx.out / "graph.dot", to_dot(y, {"x": x, "w": w}))
    y.backward()
    ctx.log(f"dy/dx = {x.grad.numpy()}  (by hand: w (1 - tanh^2(x w)) + 2 x = {w.detach().numpy() * (1 - np.tanh(x.detach().numpy() * w.detach().numpy()) ** 2) + 2 * x.detach().numpy()})")

    ok = autograd.gradcheck(lambda a, b: ((a * b).tanh() + a * a).sum(), (x, w))
    ctx.log(f"gradcheck against central finite differences: {'passed' if ok else 'FAILED'}")

    rng = np.random.default_rng(ctx.seed)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    z = tensor(rng.standard_normal(4), requires_grad=True)
    v = tensor(rng.standard_normal(4))
    f = 0.5 * (z @ (tensor(A) @ z))  # f(z) = z^T A z / 2, so the Hessian is A
    (g,) = autograd.grad(f, [z], create_graph=True)
    (hv,) = autograd.grad((g * v).sum(), [z])
    err = float(np.abs(hv.numpy() - A @ v.numpy()).max())
    ctx.log(f"Hessian-vector product by double backward vs A v: max error {err:.2e}")

    h = randn(1, requires_grad=True)
    out = h
    for _ in range(100_000):
        out = out * 1.0
    out.backward()
    ctx.log(f"a chain of {count_nodes(out)} ops backpropagated; d out / d h = {h.grad.item():.1f}")
    return {"gradcheck_passed": bool(ok), "hvp_max_error": err, "chain_length": 100_000}
