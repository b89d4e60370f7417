# %% [markdown]
# # 22. Amortized Bayesian inference: simulation-based inference
#
# A simulator draws data $x \sim p(x\mid\theta)$ but its likelihood cannot be written down. **Neural posterior
# estimation** (NPE) simulates pairs $(\theta_n, x_n)$ from the prior and the simulator, and trains a conditional
# density estimator $q_\phi(\theta\mid x)$ (a conditional normalizing flow) by maximising $\sum_n \log q_\phi(\theta_n\mid x_n)$.
# Once trained it gives the posterior for *any* observation instantly (amortised). Trust needs checks:
# **simulation-based calibration** (the rank of the true $\theta$ among posterior draws is uniform) and
# **expected coverage** (a 90% credible region contains the truth 90% of the time), and on benchmark tasks a
# C2ST against the exact posterior.

# %%
import os
from pathlib import Path

import numpy as np

from gradstudent import inference

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## NPE on sbibm's Gaussian linear task (the exact posterior is known)

# %%
task = inference.get_task("gaussian_linear")
n_sim = 1000 if FAST else 10_000
theta = task.sample_prior(n_sim, rng)
x = task.simulate(theta, rng)
npe = inference.NPE(task.dim_theta, task.dim_x, log_prior=task.log_prior)
npe.train(theta, x, epochs=5 if FAST else 200)
x_o = task.simulate(task.sample_prior(1, rng), rng)[0]
n_post = 300 if FAST else 1000
samples = npe.sample(x_o, n_post, rng)
reference = task.reference_posterior(x_o, n_post, rng)
print(f"{n_sim} simulations: C2ST against the exact posterior {inference.c2st_score(samples, reference):.3f} (0.5 = identical)")

# %% [markdown]
# ## Calibration

# %%
n_sbc = 20 if FAST else 200
n_draws = 50 if FAST else 100
ranks, theta_true, draws = inference.sbc_ranks(task.sample_prior, task.simulate, lambda xo, n, r: npe.sample(xo, n, r), n_sbc, n_draws, rng)
print("SBC uniformity p-values (first 3 dimensions):", np.round(inference.sbc_uniformity_pvalues(ranks, n_draws)[:3], 3))
fig = inference.sbc_histogram_figure(ranks[:, :4], n_draws, names=[f"theta_{i}" for i in range(4)])
fig.savefig(OUT / "22_sbc.png")
levels = np.array([0.5, 0.8, 0.95])
print("expected coverage at", levels, ":", np.round(inference.expected_coverage(theta_true, draws, levels), 2))

# %% [markdown]
# `gradstudent run sbi` runs NPE on two moons and Gaussian linear at $10^3$ and $10^4$ simulations (and, when the
# `sbi` package is installed, side by side with it).
#
# ## The same thing with the `sbi` package
# `sbi`'s `NPE(prior).append_simulations(theta, x).train()` does the same with PyTorch; the checks above apply unchanged:

# %%
try:
    import sbi  # noqa: F401
    print("the sbi package is installed: see `gradstudent run sbi` for the comparison")
except ImportError:
    print("the sbi package is not installed (pip install sbi) - the gradstudent version above needs nothing else")
