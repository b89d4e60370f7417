"""Flow matching and diffusion: samplers checked with the exact noise predictor of Gaussian data
(so the sampled variance is known), DDIM(η=1, every step) = ancestral sampling, losses and shapes."""

import math

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn
from gradstudent.generative.diffusion import DDPM, VPSDE
from gradstudent.generative.flow_matching import FlowMatching
from gradstudent.generative.time_mlp import TimeMLP

SIGMA = 0.5  # data ~ N(0, SIGMA² I) in 2-D


class DDPMOracle(nn.Module):
    """E[ε | x_t] for Gaussian data: √(1-ᾱ) x_t / (ᾱ σ² + 1 - ᾱ)."""

    def __init__(self, alpha_bars, T):
        super().__init__()
        self.ab, self.T = alpha_bars, T
        self.dummy = nn.Parameter(gs.zeros(1, dtype=gs.float64))

    def forward(self, x, t):
        idx = np.round(t.numpy() * self.T).astype(int) - 1
        ab = self.ab[idx][:, None]
        return x * gs.tensor(np.sqrt(1 - ab) / (ab * SIGMA**2 + 1 - ab), dtype=x.dtype)


class VPOracle(nn.Module):
    def __init__(self):
        super().__init__()
        self.sde = None
        self.dummy = nn.Parameter(gs.zeros(1, dtype=gs.float64))

    def forward(self, x, t):
        m, s = self.sde.marginal(t.detach())
        m, s = m.numpy()[:, None], s.numpy()[:, None]
        return x * gs.tensor(s / (m * m * SIGMA**2 + s * s), dtype=x.dtype)


def _ddpm(T=200):
    d = DDPM(nn.Identity(), 2, T=T)
    d.model = DDPMOracle(d.alpha_bars, T)
    return d


def test_ddpm_samplers_with_exact_predictor():
    # with the exact ε predictor of Gaussian data the samplers' only errors are their discretizations:
    # ancestral sampling with T = 1000 is close; DDIM (η = 0) converges to σ as its steps grow
    gs.manual_seed(0)
    d = _ddpm(1000)
    assert abs(d.sample(4000)[0].numpy().std() - SIGMA) < 0.02
    errs = [abs(d.ddim_sample(4000, steps=s)[0].numpy().std() - SIGMA) for s in (20, 100, 1000)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 0.02, errs
    assert d.sample(5)[1] == 1000 and d.ddim_sample(5, steps=20)[1] == 20


def test_ddim_eta1_all_steps_is_ancestral():
    d = _ddpm(50)
    gs.manual_seed(3)
    a, _ = d.sample(10)
    gs.manual_seed(3)
    b, _ = d.ddim_sample(10, steps=50, eta=1.0)
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-10)


def test_vpsde_marginal_and_samplers_with_exact_score():
    oracle = VPOracle()
    sde = VPSDE(oracle, 2)
    oracle.sde = sde
    t = gs.tensor([0.3], dtype=gs.float64)
    m, s = sde.marginal(t)
    integral = 0.1 * 0.3 + 0.5 * 0.3**2 * (20 - 0.1)  # ∫₀ᵗ β
    assert m.item() == pytest.approx(math.exp(-0.5 * integral)) and s.item() == pytest.approx(math.sqrt(1 - m.item() ** 2))
    gs.manual_seed(1)
    for x, nfe in (sde.sample_sde(4000, steps=200), sde.sample_ode(4000, method="rk4", steps=30), sde.sample_ode(2000)):
        assert abs(x.numpy().std() - SIGMA) < 0.03, (x.numpy().std(), nfe)


def test_losses_train_and_shapes():
    gs.manual_seed(0)
    x = gs.tensor(np.random.default_rng(0).normal(size=(64, 2)) * SIGMA, dtype=gs.float32)
    for m in (FlowMatching.mlp(2, (16,)), DDPM.mlp(2, (16,), T=50), VPSDE.mlp(2, (16,))):
        loss = m.loss(x)
        assert loss.ndim == 0 and np.isfinite(loss.item())
        loss.backward()
        assert all(p.grad is not None for p in m.parameters())
        with pytest.raises(ValueError, match="expected data of shape"):
            m.loss(gs.zeros(3, 5))


def test_flow_matching_exact_velocity():
    # data N(0, σ²): the marginal OT-path velocity is v(x, t) = x (tσ² - (1-t)) / ((1-t)² + t²σ²) (σ_min = 0)
    class V(nn.Module):
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(gs.zeros(1, dtype=gs.float64))

        def forward(self, x, t):
            tt = t.numpy().reshape(-1, 1) * np.ones((x.shape[0], 1))
            return x * gs.tensor((tt * SIGMA**2 - (1 - tt)) / ((1 - tt) ** 2 + tt**2 * SIGMA**2), dtype=x.dtype)

    fm = FlowMatching(V(), 2, sigma_min=0.0)
    gs.manual_seed(2)
    for method, steps in (("euler", 50), ("rk4", 10), ("dopri5", 1)):
        x, nfe = fm.sample(4000, steps=steps, method=method)
        assert abs(x.numpy().std() - SIGMA) < 0.03 and nfe > 0


def test_time_mlp_shapes():
    net = TimeMLP(3, (8,), frequencies=4)
    assert net(gs.zeros(5, 3), gs.tensor(0.5)).shape == (5, 3)
    assert net(gs.zeros(5, 3), gs.rand(5)).shape == (5, 3)
    with pytest.raises(ValueError, match="TimeMLP"):
        net(gs.zeros(5, 2), gs.rand(5))
