# %% [markdown]
# # 13. Autoencoders
#
# An autoencoder squeezes $x$ through a code $z = f(x)$ of $K < D$ numbers and reconstructs
# $\hat x = g(z)$, minimising $\|x - \hat x\|^2$. A **linear** autoencoder learns the same subspace as PCA
# (the top-$K$ principal directions); nonlinear ones can do better. **Denoising** autoencoders reconstruct
# clean $x$ from a corrupted input; **sparse** ones penalise the code ($L_1$, or a KL term pushing mean
# activations to a small $\rho$).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent.classical import PCA
from gradstudent.datasets import load_digits_arrays
from gradstudent.generative import DenseAutoencoder
from gradstudent.generative.autoencoder import corrupt, reconstruction_loss

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
X, _ = load_digits_arrays("train")
Xte, _ = load_digits_arrays("test")
mean = X.mean(0)
Xt, Xte_t = gs.from_numpy(X - mean), gs.from_numpy(Xte - mean)
K, steps = 8, (200 if FAST else 3000)


def fit(model: DenseAutoencoder, noise: float = 0.0) -> float:
    opt = gs.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(steps):
        opt.zero_grad()
        inp = corrupt(Xt, noise_std=noise) if noise else Xt
        reconstruction_loss(model(inp)[0], Xt).backward()  # forward returns (x_hat, z)
        opt.step()
    with gs.no_grad():
        return reconstruction_loss(model(Xte_t)[0], Xte_t).item()


linear = DenseAutoencoder(64, K, linear=True)
print(f"linear AE test error {fit(linear):.4f}")
pca = PCA(n_components=K).fit(X - mean)
pca_err = float(((pca.inverse_transform(pca.transform(Xte - mean)) - (Xte - mean)) ** 2).sum(1).mean())
print(f"PCA test error       {pca_err:.4f}  (the linear AE's reconstruction error approaches it as training converges)")

# %% [markdown]
# The subspaces agree: the principal angles between the AE decoder's column space and PCA's components are small.

# %%
W = next(m for m in linear.decoder.modules() if isinstance(m, gs.nn.Linear)).weight.detach().numpy()  # (64, K)
q1, _ = np.linalg.qr(W)
q2, _ = np.linalg.qr(pca.components_.T)
angles = np.degrees(np.arccos(np.clip(np.linalg.svd(q1.T @ q2, compute_uv=False), -1, 1)))
print("largest principal angle (degrees):", angles.max().round(1))

# %%
deep = DenseAutoencoder(64, K, hidden=(128,))
print(f"nonlinear AE test error {fit(deep):.4f}")
denoise = DenseAutoencoder(64, K, hidden=(128,))
fit(denoise, noise=0.3)
noisy = corrupt(Xte_t[:8], noise_std=0.3)
with gs.no_grad():
    clean, _ = denoise(noisy)
fig, axes = plt.subplots(3, 8, figsize=(8, 3))
for i in range(8):
    for row, img in enumerate((Xte_t[i], noisy[i], clean[i])):
        axes[row, i].imshow((img.numpy() + mean).reshape(8, 8), cmap="gray")
        axes[row, i].axis("off")
fig.suptitle("test digits, corrupted, denoised")
fig.savefig(OUT / "13_denoising.png")

# %% [markdown]
# `gradstudent run autoencoders` sweeps the latent size and shows sparse codes.
#
# ## The same thing in PyTorch
# The model is a pair of `nn.Sequential`s; `torch.nn.Sequential` with the same layers loads its state_dict.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    enc = torch.nn.Sequential(torch.nn.Linear(64, K))
    enc.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in linear.encoder.state_dict().items()})
    print("torch encoder with the same weights:", np.allclose(enc(torch.from_numpy(Xte_t.numpy())).detach().numpy(), linear.encoder(Xte_t).detach().numpy(), atol=1e-5))
