# %% [markdown]
# # 2. Computation graphs and automatic differentiation
#
# Every operation on tensors that require gradients records a node: the op, and pointers to its
# inputs. `backward()` walks this graph from the output back to the leaves, applying the chain rule
# once per node:
# $$\frac{\partial L}{\partial x} = \sum_{\text{uses } z \text{ of } x} \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}.$$

# %%
import os
from pathlib import Path

import numpy as np

import gradstudent as gs
from gradstudent.viz import draw_graph, step_through

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)

# %% [markdown]
# ## A small graph
# $L = \sum_i \tanh(x_i w_i) + \sum_i x_i^2$: `x` is used twice, so its gradient is the sum of two shares.

# %%
x = gs.tensor([1.0, 2.0], requires_grad=True)
w = gs.tensor([0.5, -1.0], requires_grad=True)
L = (x * w).tanh().sum() + (x * x).sum()
print(gs.autograd.graph.to_text(L, {"x": x, "w": w}))

# %% [markdown]
# The backward pass, op by op: each step receives $\partial L/\partial(\text{output})$ and sends a share to each input.

# %%
print(step_through(L, {"x": x, "w": w}))
L.backward(retain_graph=True)  # keep the graph: we draw it below, with the gradients on the leaves
xv, wv = x.detach().numpy(), w.detach().numpy()
print("x.grad =", x.grad, " by hand:", (1 - np.tanh(xv * wv) ** 2) * wv + 2 * xv)

# %%
fig = draw_graph(L, OUT / "02_graph.png", names={"x": x, "w": w}, show_grad=True, engine="matplotlib")

# %% [markdown]
# ## Checking gradients by finite differences
# $\frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$ in float64 must match autograd: `gradcheck` does it for every element.

# %%
def f(a, b):
    return (a @ b).sigmoid().log().sum()


a = gs.randn(3, 4, dtype=gs.float64, requires_grad=True)
b = gs.randn(4, 2, dtype=gs.float64, requires_grad=True)
print("gradcheck:", gs.autograd.gradcheck(f, (a, b)))
print("gradgradcheck:", gs.autograd.gradgradcheck(f, (a, b)))

# %% [markdown]
# ## Higher order: a Hessian-vector product
# Because every backward rule is itself made of differentiable ops, `create_graph=True` records the
# backward pass, and differentiating $g(x)\cdot v$ gives $Hv$ without forming $H$.
# For $f(x) = \sum x^3$, $H = \mathrm{diag}(6x)$.

# %%
x = gs.randn(5, dtype=gs.float64, requires_grad=True)
v = gs.randn(5, dtype=gs.float64)
(g,) = gs.autograd.grad((x**3).sum(), [x], create_graph=True)
(hv,) = gs.autograd.grad((g * v).sum(), [x])
print("Hv error:", np.abs(hv.numpy() - 6 * x.detach().numpy() * v.numpy()).max())

# %% [markdown]
# ## Deep graphs
# The engine sorts the graph iteratively, so a chain of 100,000 ops is fine (a recursive sort would
# overflow Python's stack).

# %%
y = gs.ones((), requires_grad=True)
z = y
for _ in range(2_000 if FAST else 100_000):
    z = z * 1.0
z.backward()
print("gradient through the chain:", y.grad.item())

# %% [markdown]
# ## The same thing in PyTorch

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    tw = torch.tensor([0.5, -1.0], requires_grad=True)
    ((tx * tw).tanh().sum() + (tx * tx).sum()).backward()
    xx = gs.tensor([1.0, 2.0], requires_grad=True)
    ((xx * gs.tensor([0.5, -1.0])).tanh().sum() + (xx * xx).sum()).backward()
    print("torch x.grad:", tx.grad.numpy(), " gradstudent:", xx.grad.numpy())
    assert np.allclose(tx.grad.numpy(), xx.grad.numpy())
