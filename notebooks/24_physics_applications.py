# %% [markdown]
# # 24. Applications in physics: phases of the Ising model, and jets
#
# The 2-D Ising model $E = -J\sum_{\langle ij\rangle} s_i s_j$ orders below $T_c = 2/\ln(1+\sqrt2) \approx 2.269$.
# Monte Carlo (Metropolis sweeps on a checkerboard, or Wolff clusters near $T_c$) samples configurations; Onsager's
# exact solution checks the energy. Carrasquilla & Melko (2017) trained a network on configurations far below
# and far above $T_c$ and found that its output crosses 0.5 near $T_c$ — a phase transition found from data.
# In particle physics, jets are sets of particles: a point-cloud network tags two-prong jets from one-prong ones.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.datasets.jets import jet_mass, make_jets
from gradstudent.physics import ising

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Monte Carlo against Onsager

# %%
L = 8 if FAST else 16
for T in (1.8, 3.0):
    obs = ising.observables(ising.simulate(L, T, n_measure=100 if FAST else 2000, n_thermal=100, chains=4, seed=0))
    print(f"T = {T}: energy per spin {obs['energy']:.3f} ± {obs['energy_err']:.3f}, Onsager {ising.onsager_energy(T):.3f}")

# %% [markdown]
# ## Learning the phases

# %%
temps = np.linspace(1.5, 3.5, 9 if FAST else 21)
configs, labels, per_t = [], [], {}
for T in temps:
    s = ising.simulate(L, T, n_measure=20 if FAST else 200, n_thermal=100, chains=2, seed=1, keep_configs=True)
    c = s.configs.reshape(-1, L * L).astype(np.float32)
    per_t[T] = c
    if abs(T - 2.269) > 0.5:  # train only far from T_c
        configs.append(c)
        labels.append(np.full(len(c), float(T > 2.269), dtype=np.float32))
X, y = gs.from_numpy(np.concatenate(configs)), gs.from_numpy(np.concatenate(labels))
net = nn.Sequential(nn.Linear(L * L, 32), nn.ReLU(), nn.Linear(32, 1))
opt = gs.optim.Adam(net.parameters(), lr=1e-3)
for step in range(100 if FAST else 1000):
    opt.zero_grad()
    nn.functional.binary_cross_entropy_with_logits(net(X).reshape(-1), y).backward()
    opt.step()
with gs.no_grad():
    out = [float(net(gs.from_numpy(per_t[T])).sigmoid().mean().item()) for T in temps]
crossing = float(np.interp(0.5, out, temps)) if out[0] < 0.5 < out[-1] else float("nan")
print(f"the network's output crosses 0.5 at T = {crossing:.3f} (T_c = 2.269 for the infinite lattice)")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
axes[0].plot(temps, out, "-o")
axes[0].axvline(2.269, color="k", ls="--")
axes[0].set_xlabel("T")
axes[0].set_ylabel("P(high-T phase)")

# %% [markdown]
# ## Jets: two-prong vs one-prong
# The jet mass alone separates the classes poorly here; the particles' full pattern does much better
# (`gradstudent run jets` trains an EdgeConv point-cloud network and a CNN on jet images).

# %%
jets = make_jets(400 if FAST else 4000, seed=0)
mass = jet_mass(jets["p4"], jets["mask"])
for label, name in ((0, "one-prong"), (1, "two-prong")):
    axes[1].hist(mass[jets["y"] == label], bins=30, alpha=0.6, label=name)
axes[1].set_xlabel("jet mass")
axes[1].legend()
fig.savefig(OUT / "24_ising_jets.png")

# %% [markdown]
# ## The same thing in PyTorch
# The classifier is an ordinary `nn.Sequential`; its state_dict loads into `torch.nn.Sequential` unchanged.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tnet = torch.nn.Sequential(torch.nn.Linear(L * L, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    tnet.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in net.state_dict().items()})
    sample = per_t[temps[0]][:5]
    print("torch gives the same outputs:", np.allclose(tnet(torch.from_numpy(sample)).detach().numpy(), net(gs.from_numpy(sample)).detach().numpy(), atol=1e-5))
