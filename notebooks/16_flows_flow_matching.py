# %% [markdown]
# # 16. Normalizing flows and flow matching
#
# A flow is an invertible map $x = T(z)$ from a simple base $z \sim \mathcal N(0, I)$; the change of variables
# gives the exact density
# $$\log p(x) = \log \mathcal N(T^{-1}(x)) + \log\left|\det \frac{\partial T^{-1}}{\partial x}\right|.$$
# RealNVP's affine couplings keep half the coordinates and scale/shift the other half with functions of the
# first, so the Jacobian is triangular and its log-determinant is a sum. **Flow matching** instead learns a
# velocity field $v_\theta(x, t)$ by regressing the straight-line velocity $x_1 - x_0$ along
# $x_t = (1-t)x_0 + t x_1$, then samples by solving $\dot x = v_\theta(x, t)$.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent.datasets.densities import sample_2d
from gradstudent.generative import FlowMatching, RealNVP, TimeMLP
from gradstudent.metrics import c2st

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
data = gs.from_numpy(sample_2d("two-moons", 4000, seed=0))
flow = RealNVP(2, transforms=6, hidden=(64, 64))
opt = gs.optim.Adam(flow.parameters(), lr=1e-3)
for step in range(100 if FAST else 3000):
    batch = data[gs.randint(0, len(data), (256,))]
    opt.zero_grad()
    loss = -flow.log_prob(batch).mean()  # maximum likelihood
    loss.backward()
    opt.step()
print(f"RealNVP test negative log-likelihood: {loss.item():.3f} nats")

# %% [markdown]
# The density is exact, so it integrates to 1 (checked on a grid):

# %%
g = np.linspace(-3, 3, 120, dtype=np.float32)
gx, gy = np.meshgrid(g, g)
with gs.no_grad():
    dens = flow.log_prob(gs.from_numpy(np.c_[gx.ravel(), gy.ravel()])).exp().numpy().reshape(gx.shape)
print("integral over [-3, 3]^2:", round(float(dens.sum() * (g[1] - g[0]) ** 2), 3))

# %%
fm = FlowMatching(TimeMLP(2, hidden=(64, 64)), 2)
opt = gs.optim.Adam(fm.parameters(), lr=1e-3)
for step in range(100 if FAST else 3000):
    opt.zero_grad()
    fm.loss(data[gs.randint(0, len(data), (256,))]).backward()
    opt.step()
n_eval = 500 if FAST else 2000
with gs.no_grad():
    fm_samples, evaluations = fm.sample(n_eval, steps=10, method="rk4")
    flow_samples = flow.sample(n_eval)
fresh = sample_2d("two-moons", n_eval, seed=1)
for name, s in (("RealNVP", flow_samples.numpy()), (f"flow matching ({evaluations} evaluations)", fm_samples.numpy())):
    print(f"{name}: C2ST against fresh data {c2st(s, fresh):.3f} (0.5 = indistinguishable)")
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
axes[0].imshow(dens, origin="lower", extent=(-3, 3, -3, 3))
axes[0].set_title("RealNVP density")
axes[1].scatter(*flow_samples.numpy().T, s=2)
axes[1].set_title("RealNVP samples")
axes[2].scatter(*fm_samples.numpy().T, s=2, color="C1")
axes[2].set_title("flow-matching samples")
fig.savefig(OUT / "16_flows.png")

# %% [markdown]
# `gradstudent run flows` and `gradstudent run flow-matching` train these properly and compare evaluations per sample.
#
# ## Checking the log-determinant
# The flow's log-determinant equals that of the autograd Jacobian (PyTorch users do the same with
# `torch.autograd.functional.jacobian`):

# %%
x = gs.randn(1, 2, dtype=gs.float64, requires_grad=True)
flow64 = RealNVP(2, transforms=2, hidden=(16,)).double()
with gs.no_grad():  # an untrained flow starts as the identity: perturb it so the check means something
    for p in flow64.parameters():
        p.add_(0.3 * gs.randn_like(p))
z, logdet = flow64(x)  # z = f(x) and log|det df/dx|
jac = np.stack([gs.autograd.grad(z[0, i], [x], retain_graph=True)[0].numpy()[0] for i in range(2)])
print("log|det J| from the flow:", float(logdet.detach().numpy()[0]), " from the autograd Jacobian:", float(np.linalg.slogdet(jac)[1]))
