# %% [markdown]
# # 18. Sampling and energy-based models
#
# Markov chain Monte Carlo draws from $p(x) \propto e^{\log p(x)}$ knowing $\log p$ only up to a constant.
# Metropolis–Hastings proposes and accepts with probability $\min(1, p(x')/p(x))$; Langevin dynamics follows
# the gradient, $x \leftarrow x + h\nabla\log p(x) + \sqrt{2h}\,\xi$ (MALA adds an accept step); HMC simulates
# Hamiltonian dynamics with leapfrog steps for long, accepted moves. Gradients come from autodiff. An
# **energy-based model** learns $E_\theta(x)$ with $p_\theta \propto e^{-E_\theta}$ by pushing energy down on data and
# up on samples drawn from the model with Langevin chains (contrastive divergence).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent.datasets.densities import sample_2d
from gradstudent.generative import EnergyMLP, PersistentChains
from gradstudent.generative.ebm import contrastive_divergence_loss
from gradstudent.sampling import hmc, metropolis_hastings

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## A banana-shaped target

# %%
def banana(x: gs.Tensor) -> gs.Tensor:
    a, b = x[..., 0], x[..., 1]
    return -0.5 * a**2 / 4 - 0.5 * (b - 0.5 * a**2 + 1) ** 2


n = 500 if FAST else 5000
x0 = np.zeros((4, 2))
runs = {"Metropolis-Hastings": metropolis_hastings(banana, x0, n, n_warmup=200, step_size=0.8),
        "HMC": hmc(banana, x0, n, n_warmup=200, step_size=0.2, n_leapfrog=10)}
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, res) in zip(axes, runs.items()):
    s = res.samples.numpy().reshape(-1, 2)
    ax.scatter(s[:, 0], s[:, 1], s=1)
    ax.set_title(f"{name}: acceptance {res.acceptance_rate:.2f}")
    print(f"{name}: effective sample size {np.round(res.ess, 0)}, R-hat {np.round(res.rhat, 3)}, gradient evaluations {res.n_grad_evals}")

# %% [markdown]
# ## An energy-based model on two moons

# %%
data = gs.from_numpy(sample_2d("two-moons", 4000, seed=0))
energy = EnergyMLP(2, hidden=(64, 64))
chains = PersistentChains(1000, 2)
opt = gs.optim.Adam(energy.parameters(), lr=1e-3)
for step in range(50 if FAST else 2000):
    samples = chains.sample(energy, 128, steps=20, step_size=0.01)
    opt.zero_grad()
    contrastive_divergence_loss(energy, data[gs.randint(0, len(data), (128,))], samples).backward()
    opt.step()
s = chains.sample(energy, 1000, steps=50, step_size=0.01).numpy()
axes[2].scatter(s[:, 0], s[:, 1], s=2, color="C1")
axes[2].set_title("EBM: Langevin samples")
fig.savefig(OUT / "18_mcmc_ebm.png")

# %% [markdown]
# `gradstudent run ebm` compares the samplers by effective samples per gradient evaluation and per second.
#
# ## The same thing in PyTorch
# The samplers only need $\nabla\log p$, which any autodiff gives; here both libraries agree on it:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    pt = torch.tensor([[0.3, -1.2]], requires_grad=True)
    (gt,) = torch.autograd.grad((-0.5 * pt[..., 0] ** 2 / 4 - 0.5 * (pt[..., 1] - 0.5 * pt[..., 0] ** 2 + 1) ** 2).sum(), pt)
    xg = gs.tensor([[0.3, -1.2]], requires_grad=True)
    (gg,) = gs.autograd.grad(banana(xg).sum(), [xg])
    print("grad log p, torch vs gradstudent:", gt.numpy(), gg.numpy())
