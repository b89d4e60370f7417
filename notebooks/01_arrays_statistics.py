# %% [markdown]
# # 1. Arrays and a statistics refresher
#
# A `gradstudent.Tensor` is an n-dimensional array (NumPy underneath) with PyTorch's API.
# This notebook recalls what deep learning code does with arrays all day — creation,
# broadcasting, indexing, reductions, random numbers — and two pieces of statistics the
# course leans on: maximum-likelihood estimation and the bias–variance trade-off.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs

FAST = os.environ.get("FAST") == "1"  # the quick version (CI): less data, fewer repetitions
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Broadcasting
# Two shapes are compatible when, aligned from the right, each pair of sizes is equal or one of
# them is 1; the size-1 axis is repeated. A `(3, 1)` column plus a `(4,)` row gives a `(3, 4)` table:
# $z_{ij} = x_i + y_j$.

# %%
x = gs.arange(3.0).reshape(3, 1)
y = gs.tensor([0.0, 10.0, 20.0, 30.0])
z = x + y
print(z.shape)
print(z)

# %% [markdown]
# ## Indexing and reductions
# Reductions take a `dim` (one or several) and `keepdim`; boolean masks select elements.

# %%
a = gs.randn(4, 5)
print("row means:", a.mean(dim=1))
print("sum over both axes:", a.sum(dim=(0, 1)).item())
print("positive entries:", a[a > 0].shape)
print("column 2 of rows 1..2:", a[1:3, 2])

# %% [markdown]
# ## Maximum likelihood for a Gaussian
# For samples $x_1..x_n \sim \mathcal N(\mu, \sigma^2)$ the log-likelihood
# $\ell(\mu, \sigma) = -\sum_i \left[\frac{(x_i-\mu)^2}{2\sigma^2} + \log\sigma\right] + \text{const}$
# is maximised by the sample mean and the *biased* sample variance $\frac1n\sum_i (x_i - \bar x)^2$.
# Gradient ascent with autograd finds the same numbers:

# %%
data = 2.0 + 0.5 * gs.randn(500)
mu = gs.zeros((), requires_grad=True)
log_sigma = gs.zeros((), requires_grad=True)
opt = gs.optim.Adam([mu, log_sigma], lr=0.05)
for step in range(200 if FAST else 1000):
    opt.zero_grad()
    nll = (((data - mu) / log_sigma.exp()) ** 2 / 2 + log_sigma).mean()
    nll.backward()
    opt.step()
print(f"MLE by gradient descent: mu={mu.item():.3f} sigma={log_sigma.exp().item():.3f}")
print(f"closed form:             mu={data.mean().item():.3f} sigma={data.std(unbiased=False).item():.3f}")

# %% [markdown]
# ## Bias and variance
# Fit polynomials of increasing degree to many noisy samples of the same function. The average fit's
# distance from the truth is the **bias**; how much the fits scatter around their average is the
# **variance**. Test error ≈ bias² + variance + noise.

# %%
rng = np.random.default_rng(0)
truth = lambda t: np.sin(2 * np.pi * t)  # noqa: E731
grid = np.linspace(0, 1, 100)
degrees = [1, 3, 9]
repeats = 20 if FAST else 200
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, degree in zip(axes, degrees):
    fits = []
    for _ in range(repeats):
        t = rng.random(15)
        coef = np.polyfit(t, truth(t) + 0.3 * rng.normal(size=15), degree)
        fits.append(np.polyval(coef, grid))
    fits = np.array(fits)
    bias2 = ((fits.mean(0) - truth(grid)) ** 2).mean()
    variance = fits.var(0).mean()
    ax.plot(grid, fits[:20].T, color="0.8", lw=0.5)
    ax.plot(grid, truth(grid), "k", label="truth")
    ax.plot(grid, fits.mean(0), "C1", label="average fit")
    ax.set_ylim(-2, 2)
    ax.set_title(f"degree {degree}: bias² {bias2:.3f}, variance {variance:.3f}")
axes[0].legend()
fig.savefig(OUT / "01_bias_variance.png")

# %% [markdown]
# The experiment `gradstudent run bias-variance` does this properly, with the decomposition checked
# against the test error.
#
# ## The same thing in PyTorch
# The code above runs unchanged with `import torch as gs` (only `manual_seed` and the data differ):

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tx = torch.arange(3.0).reshape(3, 1) + torch.tensor([0.0, 10.0, 20.0, 30.0])
    assert np.array_equal(tx.numpy(), z.numpy())
    print("torch gives the same broadcast table:", tx.shape)
