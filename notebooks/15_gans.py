# %% [markdown]
# # 15. Generative adversarial networks
#
# A generator $G(z)$ maps noise to samples; a discriminator $D(x)$ tells real from generated. They play
# $\min_G \max_D\; \mathbb E_{x}[\log D(x)] + \mathbb E_z[\log(1 - D(G(z)))]$. In practice the generator
# maximises $\log D(G(z))$ instead (the non-saturating loss: strong gradients early on). GANs are prone to
# **mode collapse**; WGAN-GP trains a critic $f$ with a gradient penalty
# $\lambda\,\mathbb E(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2$ — a loss that itself needs second derivatives,
# because its gradient with respect to the critic's weights goes through $\nabla_{\hat x} f$.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent.datasets.densities import sample_2d
from gradstudent.generative import MLPDiscriminator, MLPGenerator
from gradstudent.generative.gan import critic_loss, discriminator_loss, generator_loss, wgan_generator_loss

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Eight Gaussians
# A mode counts as covered when at least 2% of 2,000 samples lie within $3\sigma$ of it.

# %%
data = gs.from_numpy(sample_2d("eight-gaussians", 4000, seed=0))
steps = 150 if FAST else 3000


def train(wgan: bool) -> MLPGenerator:
    gs.manual_seed(1)
    G, D = MLPGenerator(2, 2, hidden=(64, 64)), MLPDiscriminator(2, hidden=(64, 64))
    betas = (0.5, 0.9)
    opt_g, opt_d = gs.optim.Adam(G.parameters(), lr=1e-3, betas=betas), gs.optim.Adam(D.parameters(), lr=1e-3, betas=betas)
    for step in range(steps):
        for _ in range(5 if wgan else 1):  # WGAN trains the critic more often
            real = data[gs.randint(0, len(data), (256,))]
            fake = G(gs.randn(256, 2)).detach()
            opt_d.zero_grad()
            (critic_loss(D, real, fake) if wgan else discriminator_loss(D(real), D(fake))).backward()
            opt_d.step()
        opt_g.zero_grad()
        scores = D(G(gs.randn(256, 2)))
        (wgan_generator_loss(scores) if wgan else generator_loss(scores)).backward()
        opt_g.step()
    return G


def modes_covered(samples: np.ndarray) -> int:
    angles = np.arange(8) * np.pi / 4
    centres = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    near = np.linalg.norm(samples[:, None] - centres[None], axis=2) < 3 * 0.2
    return int((near.mean(0) >= 0.02).sum())


fig, axes = plt.subplots(1, 3, figsize=(12, 4))
axes[0].scatter(*data.numpy()[:2000].T, s=2)
axes[0].set_title("data")
for ax, wgan in zip(axes[1:], (False, True)):
    G = train(wgan)
    with gs.no_grad():
        s = G(gs.randn(2000, 2)).numpy()
    name = "WGAN-GP" if wgan else "GAN (non-saturating)"
    print(f"{name}: {modes_covered(s)} of 8 modes covered")
    ax.scatter(*s.T, s=2, color="C1")
    ax.set_title(name)
for ax in axes:
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
fig.savefig(OUT / "15_gans.png")

# %% [markdown]
# `gradstudent run gan` trains both properly and a DCGAN on the digits.
#
# ## The same thing in PyTorch
# The gradient penalty is the same code: `torch.autograd.grad(f(x_hat).sum(), x_hat, create_graph=True)`.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    w = torch.tensor([[0.5, -1.0]], requires_grad=True)
    x_hat = torch.tensor([[1.0, 2.0]], requires_grad=True)
    (g,) = torch.autograd.grad((x_hat @ w.T).tanh().sum(), x_hat, create_graph=True)
    ((g.norm() - 1) ** 2).backward()
    gw = gs.tensor([[0.5, -1.0]], requires_grad=True)
    gx = gs.tensor([[1.0, 2.0]], requires_grad=True)
    (gg,) = gs.autograd.grad((gx @ gw.mT).tanh().sum(), [gx], create_graph=True)
    (((gg**2).sum().sqrt() - 1) ** 2).backward()
    print("gradient penalty's gradient, torch vs gradstudent:", w.grad.numpy(), gw.grad.numpy())
