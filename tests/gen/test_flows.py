"""Normalizing flows: log-determinants against autograd and finite-difference Jacobians (float64),
invertibility, 2-D densities integrating to 1, conditional flows using their context, training sanity."""

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import optim
from gradstudent.generative.flows import ActNorm, AffineCoupling, Flow, Permutation, RealNVP
from gradstudent.generative.flows_autoregressive import MADE, MAF, MAFLayer


def _randomize(model, scale=0.3, seed=0):
    """Non-trivial weights (the conditioners start at zero = identity, which would test nothing)."""
    rng = np.random.default_rng(seed)
    with gs.no_grad():
        for p in model.parameters():
            p.copy_(gs.tensor(rng.normal(0, scale, tuple(p.shape)), dtype=p.dtype))
    return model


def _flows(d, context=0):
    return {
        "realnvp": RealNVP(d, context=context, transforms=4, hidden=(16, 16)),
        "realnvp-actnorm": RealNVP(d, context=context, transforms=3, hidden=(16,), actnorm=True),
        "maf": MAF(d, context=context, transforms=3, hidden=(16, 16)),
        "maf+perm": Flow([MAFLayer(d, (12,), context), Permutation(d, seed=1), MAFLayer(d, (12,), context)], d, context),
    }


def _jacobian_fd(f, x, eps=1e-6):
    n, d = x.shape
    J = np.zeros((n, d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = eps
        J[:, :, j] = (f(x + e) - f(x - e)) / (2 * eps)
    return J


@pytest.mark.parametrize("d", [2, 5, 16])
@pytest.mark.parametrize("name", ["realnvp", "realnvp-actnorm", "maf", "maf+perm"])
def test_logdet_against_jacobians_float64(name, d):
    flow = _randomize(_flows(d)[name]).double().eval()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, d))
    z, logdet = flow(gs.tensor(x, dtype=gs.float64))
    f = lambda a: flow(gs.tensor(a, dtype=gs.float64))[0].detach().numpy()
    J = _jacobian_fd(f, x)
    ref = np.linalg.slogdet(J)[1]
    assert np.isfinite(logdet.detach().numpy()).all()
    np.testing.assert_allclose(logdet.detach().numpy(), ref, rtol=1e-6, atol=1e-6)
    # autograd Jacobian rows: samples are independent, so grad of Σ_n z[n, i] gives row i of every J_n
    xt = gs.tensor(x, dtype=gs.float64, requires_grad=True)
    zt, _ = flow(xt)
    Ja = np.stack([gs.autograd.grad(zt[:, i].sum(), [xt], retain_graph=True)[0].detach().numpy() for i in range(d)], 1)
    np.testing.assert_allclose(Ja, J, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["realnvp", "realnvp-actnorm", "maf", "maf+perm"])
@pytest.mark.parametrize("context", [0, 3])
def test_invertible(name, context):
    d = 4
    flow = _randomize(_flows(d, context)[name]).double().eval()
    x = gs.tensor(np.random.default_rng(2).normal(size=(7, d)), dtype=gs.float64)
    c = gs.tensor(np.random.default_rng(3).normal(size=(7, context)), dtype=gs.float64) if context else None
    z, _ = flow(x, c)
    np.testing.assert_allclose(flow.inverse(z, c).detach().numpy(), x.detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("name", ["realnvp", "maf"])
def test_2d_density_integrates_to_one(name):
    flow = _randomize(_flows(2)[name], scale=0.2).double().eval()
    g = np.linspace(-9, 9, 361)
    xx, yy = np.meshgrid(g, g)
    p = np.exp(flow.log_prob(gs.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=gs.float64)).detach().numpy())
    assert abs(p.sum() * (g[1] - g[0]) ** 2 - 1) < 1e-2


@pytest.mark.parametrize("cls", [RealNVP, MAF])
def test_conditional_uses_context(cls):
    flow = _randomize(cls(3, context=2, transforms=2, hidden=(8,))).double().eval()
    x = gs.tensor(np.random.default_rng(4).normal(size=(5, 3)), dtype=gs.float64)
    a = flow.log_prob(x, gs.tensor([0.0, 1.0], dtype=gs.float64)).detach().numpy()
    b = flow.log_prob(x, gs.tensor([[2.0, -1.0]], dtype=gs.float64)).detach().numpy()
    assert np.abs(a - b).max() > 1e-3
    gs.manual_seed(0)
    s1 = flow.sample(4, gs.tensor([0.0, 1.0], dtype=gs.float64))
    gs.manual_seed(0)
    s2 = flow.sample(4, gs.tensor([2.0, -1.0], dtype=gs.float64))
    assert s1.shape == (4, 3) and np.abs(s1.detach().numpy() - s2.detach().numpy()).max() > 1e-3
    s3 = flow.sample(5, gs.tensor(np.zeros((5, 2)), dtype=gs.float64))   # one context row per sample
    assert s3.shape == (5, 3)
    with pytest.raises(ValueError, match="context"):
        flow.log_prob(x)
    with pytest.raises(ValueError, match="context must have shape"):
        flow.log_prob(x, gs.zeros(3, 2, dtype=gs.float64))
    with pytest.raises(ValueError, match="takes no context"):
        cls(3, transforms=1).log_prob(x.float(), gs.zeros(2))


def test_sample_and_log_prob_consistent():
    flow = _randomize(MAF(2, transforms=2, hidden=(8,))).double().eval()
    x, lp = flow.sample_and_log_prob(10)
    np.testing.assert_allclose(lp.detach().numpy(), flow.log_prob(x).detach().numpy())


def test_made_autoregressive_structure():
    made = _randomize(MADE(5, (11, 7), context=2))
    x = gs.tensor(np.random.default_rng(5).normal(size=(1, 5)), requires_grad=True)
    out = made(x, gs.ones(1, 2))
    for i in range(5):
        g = gs.autograd.grad(out[0, :, i].sum(), [x], retain_graph=True)[0].detach().numpy()[0]
        assert (g[i:] == 0).all() and (i == 0 or np.abs(g[:i]).sum() > 0)


def test_actnorm_data_init_and_state_dict():
    a = ActNorm(3)
    x = gs.tensor(np.random.default_rng(6).normal(2.0, 3.0, size=(100, 3)))
    z, _ = a(x)
    assert np.abs(z.detach().numpy().mean(0)).max() < 1e-4 and np.abs(z.detach().numpy().std(0) - 1).max() < 1e-3
    assert "initialized" in a.state_dict()


def test_coupling_scale_is_bounded():
    c = _randomize(AffineCoupling([1, 0], (8,), scale_bound=2.0), scale=50.0)
    _, logdet = c(gs.tensor(np.random.default_rng(7).normal(size=(50, 2))))
    assert np.abs(logdet.detach().numpy()).max() <= 2.0 + 1e-6


def test_realnvp_learns_a_gaussian():
    gs.manual_seed(0)
    rng = np.random.default_rng(0)
    data = gs.tensor(rng.normal(size=(512, 2)) * np.array([0.5, 2.0]) + np.array([1.0, -1.0]), dtype=gs.float32)
    flow = RealNVP(2, transforms=4, hidden=(16,))
    opt = optim.Adam(flow.parameters(), lr=1e-2)
    for _ in range(150):
        opt.zero_grad()
        loss = -flow.log_prob(data).mean()
        loss.backward()
        opt.step()
    exact = -np.mean(-0.5 * (((data.detach().numpy() - [1, -1]) / [0.5, 2.0]) ** 2).sum(1) - np.log(2 * np.pi * 1.0))
    assert loss.item() < exact + 0.1
