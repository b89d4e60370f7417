# %% [markdown]
# # 14. Variational autoencoders
#
# A VAE is a latent-variable model $p_\theta(x) = \int p_\theta(x\mid z)\,p(z)\,dz$ with $p(z) = \mathcal N(0, I)$,
# trained through an encoder $q_\phi(z\mid x) = \mathcal N(\mu_\phi(x), \sigma^2_\phi(x))$ on the evidence lower bound
# $$\log p(x) \ge \mathbb E_{q}[\log p_\theta(x\mid z)] - \mathrm{KL}(q_\phi(z\mid x)\,\|\,p(z)) = \text{ELBO}.$$
# The reparameterisation $z = \mu + \sigma\epsilon$ makes the expectation differentiable. With $K$ importance
# samples the IWAE bound is tighter and approaches $\log p(x)$.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent.datasets import load_digits_arrays
from gradstudent.generative import VAE

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
X, y = load_digits_arrays("train")
Xte, yte = load_digits_arrays("test")
Xt, Xte_t = gs.from_numpy(X), gs.from_numpy(Xte)
vae = VAE(64, latent=2, hidden=(128,))
opt = gs.optim.Adam(vae.parameters(), lr=2e-3)
rng = np.random.default_rng(0)
for step in range(200 if FAST else 4000):
    idx = gs.from_numpy(rng.integers(0, len(X), 128))
    opt.zero_grad()
    vae.loss(Xt[idx]).backward()
    opt.step()
with gs.no_grad():
    parts = vae.elbo(Xte_t)
    print(f"test ELBO (first 100 digits) {vae.elbo(Xte_t[:100]).elbo.mean().item():.2f} nats per digit")
    print(f"IWAE (K=20) log-likelihood {vae.iwae_log_likelihood(Xte_t[:100], k=20).mean().item():.2f} (a tighter bound)")

# %% [markdown]
# ## The latent space
# With a 2-D latent each digit's encoding $\mu_\phi(x)$ is a point in the plane; decoding a grid of $z$ shows
# what the model has learned to generate.

# %%
with gs.no_grad():
    mu, _ = vae.encoder(Xte_t)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
m = mu.numpy()
axes[0].scatter(m[:, 0], m[:, 1], c=yte, cmap="tab10", s=6)
axes[0].set_title("test digits in the 2-D latent space")
grid = np.linspace(-2, 2, 8)
with gs.no_grad():
    imgs = vae.decoder(gs.from_numpy(np.array([[a, b] for b in grid[::-1] for a in grid], dtype=np.float32))).sigmoid().numpy()
axes[1].imshow(imgs.reshape(8, 8, 8, 8).transpose(0, 2, 1, 3).reshape(64, 64), cmap="gray")
axes[1].set_title("decoder over a grid of z")
axes[1].axis("off")
fig.savefig(OUT / "14_latent.png")

# %% [markdown]
# `gradstudent run vae` adds latent traversals, a β sweep (β-VAE weights the KL term) and IWAE with K = 100.
#
# ## The same thing in PyTorch
# The reparameterisation and the Gaussian KL are the same few lines:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    mu_t, logvar_t = torch.randn(4, 2), torch.randn(4, 2)
    kl_torch = torch.distributions.kl_divergence(torch.distributions.Normal(mu_t, (0.5 * logvar_t).exp()), torch.distributions.Normal(0.0, 1.0)).sum(1)
    kl_formula = -0.5 * (1 + logvar_t - mu_t**2 - logvar_t.exp()).sum(1)
    print("closed-form KL matches torch.distributions:", torch.allclose(kl_torch, kl_formula, atol=1e-5))
