# %% [markdown]
# # 17. Diffusion models
#
# DDPM adds Gaussian noise in $T$ small steps, $q(x_t\mid x_0) = \mathcal N(\sqrt{\bar\alpha_t}\,x_0, (1-\bar\alpha_t)I)$,
# and trains a network to predict the noise: $\mathcal L = \mathbb E\,\|\epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t}x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon, t)\|^2$.
# Sampling runs the chain backwards from pure noise (ancestral sampling; DDIM takes bigger deterministic
# steps). In continuous time the same model is a score $\nabla_x \log p_t(x)$ of a VP-SDE, sampled with the
# reverse SDE or the probability-flow ODE.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

import gradstudent as gs
from gradstudent.datasets.densities import sample_2d
from gradstudent.generative import DDPM, VPSDE, TimeMLP
from gradstudent.metrics import c2st

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
data = gs.from_numpy(sample_2d("two-moons", 4000, seed=0))
ddpm = DDPM(TimeMLP(2, hidden=(64, 64)), 2, T=100 if FAST else 1000)
sde = VPSDE(TimeMLP(2, hidden=(64, 64)), 2)
for model in (ddpm, sde):
    opt = gs.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(100 if FAST else 4000):
        opt.zero_grad()
        model.loss(data[gs.randint(0, len(data), (256,))]).backward()
        opt.step()

# %% [markdown]
# ## Sampling
# Ancestral sampling takes all $T$ steps of the reverse chain; the probability-flow ODE
# $\dot x = -\tfrac12\beta(t)\,[x + \nabla_x \log p_t(x)]$ gives the same marginals with far fewer network evaluations.

# %%
n_eval = 500 if FAST else 2000
with gs.no_grad():
    x_ddpm, n_ddpm = ddpm.sample(n_eval)
    x_ode, n_ode = sde.sample_ode(n_eval, method="rk4", steps=20 if FAST else 100)
fresh = sample_2d("two-moons", n_eval, seed=1)
for name, x, n in (("DDPM ancestral", x_ddpm, n_ddpm), ("probability-flow ODE", x_ode, n_ode)):
    print(f"{name}: {n} network evaluations, C2ST {c2st(x.numpy(), fresh):.3f}")
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, pts) in zip(axes, (("data", fresh), ("DDPM", x_ddpm.numpy()), ("probability-flow ODE", x_ode.numpy()))):
    ax.scatter(pts[:, 0], pts[:, 1], s=2)
    ax.set_title(name)
    ax.set_xlim(-2, 3)
    ax.set_ylim(-1.5, 2)
fig.savefig(OUT / "17_diffusion.png")

# %% [markdown]
# `gradstudent run diffusion` trains both properly, adds DDIM and the digits.
#
# ## The same thing in PyTorch
# The forward noising is one line in either library; its mean and variance are checked here:

# %%
x0 = gs.ones(100_000, 1)
abar = 0.3
xt = abar**0.5 * x0 + (1 - abar) ** 0.5 * gs.randn(100_000, 1)
print(f"x_t mean {xt.mean().item():.3f} (expected {abar ** 0.5:.3f}), variance {xt.var().item():.3f} (expected {1 - abar:.3f})")
