# %% [markdown]
# # 6. Optimization
#
# All the optimizers take a step against a (running estimate of the) gradient $g_t$:
# - SGD: $\theta \leftarrow \theta - \eta g$; with momentum $v \leftarrow \mu v + g$, $\theta \leftarrow \theta - \eta v$;
# - AdaGrad: divide by $\sqrt{\sum g^2}$; RMSProp: by $\sqrt{\text{EMA}(g^2)}$;
# - Adam: momentum on $g$ and an EMA of $g^2$, both bias-corrected.
#
# We compare their paths on Rosenbrock's valley $f(x, y) = (1-x)^2 + 100(y - x^2)^2$, then look at
# learning-rate schedules, gradient clipping and batch normalization.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn, optim

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)


def rosenbrock(p: gs.Tensor) -> gs.Tensor:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


# %%
settings = {
    "SGD": lambda ps: optim.SGD(ps, lr=1e-3),
    "momentum": lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9),
    "Nesterov": lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9, nesterov=True),
    "AdaGrad": lambda ps: optim.Adagrad(ps, lr=0.5),
    "RMSProp": lambda ps: optim.RMSprop(ps, lr=1e-2),
    "Adam": lambda ps: optim.Adam(ps, lr=0.05),
}
steps = 300 if FAST else 2000
paths = {}
for name, make in settings.items():
    p = nn.Parameter(gs.tensor([-1.5, 2.0]))
    opt = make([p])
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock(p).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    paths[name] = np.array(path)
    print(f"{name:9s} ends at f = {rosenbrock(p).item():.4g}")

# %%
g = np.linspace(-2, 2, 200)
gx, gy = np.meshgrid(g, np.linspace(-1, 3, 200))
fig, ax = plt.subplots(figsize=(6, 5))
ax.contour(gx, gy, np.log((1 - gx) ** 2 + 100 * (gy - gx**2) ** 2 + 1e-3), levels=30, cmap="gray")
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], label=name, lw=1)
ax.plot(1, 1, "k*", ms=12)
ax.legend(fontsize=8)
fig.savefig(OUT / "06_rosenbrock.png")

# %% [markdown]
# ## Learning-rate schedules
# A schedule changes $\eta$ as training goes; call `scheduler.step()` once per epoch (or per step for OneCycle).

# %%
p = nn.Parameter(gs.zeros(1))
opt = optim.SGD([p], lr=0.1)
sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
lrs = []
for _ in range(20):
    opt.step()
    sched.step()
    lrs.append(opt.param_groups[0]["lr"])
print("cosine schedule:", np.round(lrs[:5], 4), "...", np.round(lrs[-3:], 4))

# %% [markdown]
# ## Gradient clipping
# `clip_grad_norm_` rescales all gradients together when their total norm exceeds a threshold:
# $g \leftarrow g \cdot \min(1, c / \|g\|)$.

# %%
w = nn.Parameter(gs.tensor([3.0, 4.0]))
w.grad = gs.tensor([30.0, 40.0])
total = nn.utils.clip_grad_norm_([w], max_norm=1.0)
print(f"norm before {float(total):.1f}, after {np.linalg.norm(w.grad.numpy()):.3f}")

# %% [markdown]
# ## Batch normalization
# Normalising each unit over the batch, $\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$, then
# $y = \gamma\hat x + \beta$, keeps the scale of activations fixed as the weights change. In eval mode the
# running averages replace the batch statistics.

# %%
bn = nn.BatchNorm1d(3)
x = 5 + 3 * gs.randn(64, 3)
out = bn(x)
print("train-mode output mean/std per unit:", out.mean(0).detach().numpy().round(3), out.std(0, unbiased=False).detach().numpy().round(3))
print("running mean after one batch (momentum 0.1):", bn.running_mean.numpy().round(3))

# %% [markdown]
# ## The same thing in PyTorch

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tp = torch.tensor([-1.5, 2.0], requires_grad=True)
    topt = torch.optim.Adam([tp], lr=0.05)
    gp = nn.Parameter(gs.tensor([-1.5, 2.0]))
    gopt = optim.Adam([gp], lr=0.05)
    for _ in range(50):
        topt.zero_grad()
        ((1 - tp[0]) ** 2 + 100 * (tp[1] - tp[0] ** 2) ** 2).backward()
        topt.step()
        gopt.zero_grad()
        rosenbrock(gp).backward()
        gopt.step()
    print("Adam after 50 steps, torch vs gradstudent:", tp.detach().numpy(), gp.detach().numpy())
    assert np.allclose(tp.detach().numpy(), gp.detach().numpy(), atol=1e-4)
