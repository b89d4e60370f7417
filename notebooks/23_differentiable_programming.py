# %% [markdown]
# # 23. Differentiable programming
#
# When a simulator is written with differentiable operations, gradients flow through it: fit physical
# parameters by gradient descent *through the ODE solver*, or train a network whose loss contains derivatives of
# its own output (a physics-informed neural network, PINN). Both need what the engine gives for free:
# backpropagation through long chains of steps and higher-order derivatives.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.integrate import odeint

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Fitting a damped oscillator through the solver
# $\ddot x + 2\zeta\omega_0\dot x + \omega_0^2 x = 0$; observe $x(t)$ with noise, recover $(\omega_0, \zeta)$.

# %%
t = np.linspace(0, 10, 60)


def trajectory(omega: gs.Tensor, zeta: gs.Tensor) -> gs.Tensor:
    def f(_t: float, y: gs.Tensor) -> gs.Tensor:
        return gs.stack([y[1], -2 * zeta * omega * y[1] - omega**2 * y[0]])
    return odeint(f, gs.tensor([1.0, 0.0], dtype=gs.float64), t, method="rk4")[:, 0]


with gs.no_grad():
    observed = trajectory(gs.tensor(1.3, dtype=gs.float64), gs.tensor(0.15, dtype=gs.float64)) + 0.02 * gs.randn(60, dtype=gs.float64)
omega = gs.tensor(1.0, dtype=gs.float64, requires_grad=True)
zeta = gs.tensor(0.3, dtype=gs.float64, requires_grad=True)
opt = gs.optim.Adam([omega, zeta], lr=0.02)
for step in range(60 if FAST else 400):
    opt.zero_grad()
    loss = ((trajectory(omega, zeta) - observed) ** 2).mean()
    loss.backward()
    opt.step()
print(f"recovered omega0 = {omega.item():.3f} (true 1.3), zeta = {zeta.item():.3f} (true 0.15)")

# %% [markdown]
# The gradient through 60 RK4 steps agrees with finite differences:

# %%
w0 = gs.tensor(1.1, dtype=gs.float64, requires_grad=True)
z0 = gs.tensor(0.2, dtype=gs.float64)
((trajectory(w0, z0) - observed) ** 2).mean().backward()
eps = 1e-6
with gs.no_grad():
    fd = (((trajectory(gs.tensor(1.1 + eps, dtype=gs.float64), z0) - observed) ** 2).mean() - ((trajectory(gs.tensor(1.1 - eps, dtype=gs.float64), z0) - observed) ** 2).mean()) / (2 * eps)
print(f"autodiff {w0.grad.item():.8f}, finite differences {fd.item():.8f}")

# %% [markdown]
# ## A physics-informed network
# Solve $u'' = -\pi^2 \sin(\pi x)$ on $[0, 1]$ with $u(0) = u(1) = 0$ (solution $\sin \pi x$) by minimising the squared
# residual at collocation points; $u''$ comes from differentiating the network twice with `create_graph=True`.

# %%
net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)).double()
xs = gs.linspace(0, 1, 50, dtype=gs.float64).reshape(-1, 1).requires_grad_(True)
ends = gs.tensor([[0.0], [1.0]], dtype=gs.float64)
opt = gs.optim.Adam(net.parameters(), lr=3e-3)
for step in range(200 if FAST else 3000):
    opt.zero_grad()
    u = net(xs)
    (du,) = gs.autograd.grad(u.sum(), [xs], create_graph=True)
    (d2u,) = gs.autograd.grad(du.sum(), [xs], create_graph=True)
    residual = d2u + np.pi**2 * (np.pi * xs).sin()
    loss = (residual**2).mean() + 10 * (net(ends) ** 2).mean()
    loss.backward()
    opt.step()
with gs.no_grad():
    grid = gs.linspace(0, 1, 200, dtype=gs.float64).reshape(-1, 1)
    err = np.abs(net(grid).numpy()[:, 0] - np.sin(np.pi * grid.numpy()[:, 0])).max()
print(f"PINN max error {err:.3e}")
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(grid.numpy(), np.sin(np.pi * grid.numpy()), "k", label="exact")
with gs.no_grad():
    ax.plot(grid.numpy(), net(grid).numpy(), "C1--", label="PINN")
ax.legend()
fig.savefig(OUT / "23_pinn.png")

# %% [markdown]
# `gradstudent run diff-sim` and `gradstudent run pinn` (Burgers' equation, with L-BFGS) go further.
#
# ## The same thing in PyTorch
# `torch.autograd.grad(u.sum(), x, create_graph=True)` twice gives the same second derivative:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tx = torch.tensor([[0.3]], dtype=torch.float64, requires_grad=True)
    (g1,) = torch.autograd.grad(torch.sin(3 * tx).sum(), tx, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), tx)
    gx = gs.tensor([[0.3]], dtype=gs.float64, requires_grad=True)
    (h1,) = gs.autograd.grad((3 * gx).sin().sum(), [gx], create_graph=True)
    (h2,) = gs.autograd.grad(h1.sum(), [gx])
    print("second derivative, torch vs gradstudent:", g2.item(), h2.item())
