# %% [markdown]
# # 4. Outputs, losses, activations, initialisation and preprocessing
#
# The output layer and the loss come in pairs: a linear output with the mean squared error
# (Gaussian likelihood), a logit with binary cross-entropy (Bernoulli), logits with softmax
# cross-entropy (categorical). Computed naively these overflow; computed from logits they do not.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.experiments.init_activations import deep_mlp, layer_statistics

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Losses, and why we pass logits
# $\mathrm{CE}(z, y) = -z_y + \log\sum_k e^{z_k}$ is computed as $-z_y + m + \log\sum_k e^{z_k - m}$ with
# $m = \max_k z_k$: nothing overflows even for logits of size 1000.

# %%
z = gs.tensor([[1000.0, 0.0, -1000.0]])
print("cross-entropy at huge logits:", F.cross_entropy(z, gs.tensor([1])).item())
print("BCE with logits at a logit of 100:", F.binary_cross_entropy_with_logits(gs.tensor([100.0]), gs.tensor([0.0])).item())
pred, target = gs.randn(8), gs.randn(8)
for name, loss in {"MSE": F.mse_loss, "L1": F.l1_loss, "Huber": F.huber_loss}.items():
    print(f"{name:6s}", round(loss(pred, target).item(), 4))
p_log = F.log_softmax(gs.randn(4, 3), dim=1)
q = F.softmax(gs.randn(4, 3), dim=1)
print("KL(q || p):", F.kl_div(p_log, q, reduction="batchmean").item())

# %% [markdown]
# ## Activations and their derivatives
# Saturating units (sigmoid, tanh) have derivatives near 0 for large |x|; ReLU's is 0 or 1.

# %%
x = gs.linspace(-4, 4, 200, requires_grad=True)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for name, fn in {"sigmoid": gs.sigmoid, "tanh": gs.tanh, "relu": F.relu, "gelu": F.gelu, "silu": F.silu, "softplus": F.softplus}.items():
    y = fn(x)
    (dy,) = gs.autograd.grad(y.sum(), [x])
    axes[0].plot(x.detach().numpy(), y.detach().numpy(), label=name)
    axes[1].plot(x.detach().numpy(), dy.numpy(), label=name)
axes[0].set_title("activation")
axes[1].set_title("derivative")
axes[0].legend(fontsize=8)
fig.savefig(OUT / "04_activations.png")

# %% [markdown]
# ## Initialisation
# Each layer multiplies the signal's variance by about $n_\text{in}\,\mathrm{Var}(W)$ (times 1/2 for ReLU).
# Xavier ($\mathrm{Var}(W) = 2/(n_\text{in}+n_\text{out})$) and He ($2/n_\text{in}$) keep it near 1; weights that
# are too small make activations and gradients vanish geometrically with depth.

# %%
Xb, yb = gs.randn(256, 64), gs.randint(0, 10, (256,))
for init in ("small", "xavier", "he"):
    for act in ("tanh", "relu"):
        gs.manual_seed(0)
        s = layer_statistics(deep_mlp(10, 128, act, init), Xb, yb)
        print(f"{init:7s} {act:5s} activation std: layer 1 {s['act_std'][0]:.2e}, layer 10 {s['act_std'][-1]:.2e}")

# %% [markdown]
# ## Preprocessing
# Standardise each input feature with the *training* set's mean and standard deviation (and reuse
# them for the test set). `gradstudent run init-activations` trains with raw and standardised inputs.

# %%
from gradstudent.datasets import load_digits_arrays  # noqa: E402

Xtr, _ = load_digits_arrays("train")
Xtr = 16 * Xtr  # the digits' gray levels 0..16
mean, std = Xtr.mean(0), Xtr.std(0) + 1e-8
print("raw feature scale:", float(Xtr.std()), " standardised:", float(((Xtr - mean) / std).std()))

# %% [markdown]
# ## The same thing in PyTorch

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tz = torch.tensor([[1000.0, 0.0, -1000.0]])
    print("torch cross-entropy at huge logits:", torch.nn.functional.cross_entropy(tz, torch.tensor([1])).item())
