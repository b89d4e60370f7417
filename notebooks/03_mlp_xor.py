# %% [markdown]
# # 3. From a logistic neuron to an MLP
#
# A logistic neuron computes $p(y=1\mid x) = \sigma(w^\top x + b)$: its decision boundary
# $w^\top x + b = 0$ is a line, so it cannot separate XOR. One hidden layer,
# $f(x) = W_2 \tanh(W_1 x + b_1) + b_2$, bends the boundary. With enough hidden units an MLP
# approximates any continuous function on a bounded set (the universal approximation theorem).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.datasets import make_xor

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
X, y = make_xor(400, noise=0.15, seed=0)
Xt, yt = gs.from_numpy(X), gs.from_numpy(y.astype(np.float32))


def train(model: nn.Module, steps: int) -> float:
    opt = gs.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(Xt).reshape(-1), yt)
        loss.backward()
        opt.step()
    with gs.no_grad():
        return float(((model(Xt).reshape(-1) > 0).numpy() == (y == 1)).mean())


neuron = nn.Linear(2, 1)
mlp = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
steps = 100 if FAST else 400
print(f"logistic neuron accuracy: {train(neuron, steps):.2f}")
print(f"MLP 2-8-1 accuracy:       {train(mlp, steps):.2f}")

# %%
g = np.linspace(X.min() - 0.2, X.max() + 0.2, 150)
gx, gy = np.meshgrid(g, g)
grid = gs.from_numpy(np.c_[gx.ravel(), gy.ravel()].astype(np.float32))
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (name, model) in zip(axes, {"logistic neuron": neuron, "MLP": mlp}.items()):
    with gs.no_grad():
        zz = model(grid).reshape(gx.shape).numpy()
    ax.contourf(gx, gy, zz > 0, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap="coolwarm")
    ax.set_title(name)
fig.savefig(OUT / "03_xor.png")

# %% [markdown]
# ## Universal approximation, seen
# Fit $\sin(3x)$ on $[-2, 2]$ with one hidden layer of $H$ tanh units: the error falls as $H$ grows.

# %%
xs = gs.linspace(-2, 2, 200).reshape(-1, 1)
target = (3 * xs).sin()
for hidden in (1, 3, 10, 50):
    gs.manual_seed(1)
    net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    opt = gs.optim.Adam(net.parameters(), lr=0.02)
    for _ in range(200 if FAST else 2000):
        opt.zero_grad()
        mse = ((net(xs) - target) ** 2).mean()
        mse.backward()
        opt.step()
    print(f"H = {hidden:3d}: mean squared error {mse.item():.4f}")

# %% [markdown]
# ## The same thing in PyTorch
# The model definition is identical; only the import changes.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tmlp = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    tmlp.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in mlp.state_dict().items()})
    with torch.no_grad():
        same = np.allclose(tmlp(torch.from_numpy(X)).numpy(), mlp(Xt).detach().numpy(), atol=1e-5)
    print("torch gives the same outputs with the same weights:", same)
