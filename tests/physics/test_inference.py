"""SBI: sbibm tasks and their reference posteriors, SBC and coverage, NPE/NLE/NRE on small problems."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gradstudent import inference as I


def test_gaussian_linear_posterior_is_conjugate():
    task = I.GaussianLinear()
    mu, var = task.posterior_params(np.full(10, 0.4))
    np.testing.assert_allclose(mu, 0.2)
    assert var == pytest.approx(0.05)
    with pytest.raises(ValueError, match="10 entries"):
        task.posterior_params(np.zeros(3))


def test_two_moons_reference_matches_grid_posterior():
    rng = np.random.default_rng(0)
    task = I.TwoMoons()
    x = task.simulate(np.array([[0.3, 0.5]]), rng)[0]
    ref = task.reference_posterior(x, 20000, rng)
    g = np.linspace(-1, 1, 601)
    G = np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    shift = np.stack([-np.abs(G[:, 0] + G[:, 1]) / np.sqrt(2), (-G[:, 0] + G[:, 1]) / np.sqrt(2)], 1)
    u = x - shift - np.array([0.25, 0])
    r, a = np.hypot(u[:, 0], u[:, 1]), np.arctan2(u[:, 1], u[:, 0])
    w = stats.norm.pdf(r, 0.1, 0.01) / r * (np.abs(a) < np.pi / 2)   # exact likelihood (polar Jacobian 1/r)
    w /= w.sum()
    mean = (w[:, None] * G).sum(0)
    np.testing.assert_allclose(ref.mean(0), mean, atol=0.01)
    np.testing.assert_allclose(ref.std(0), np.sqrt((w[:, None] * (G - mean) ** 2).sum(0)), atol=0.01)


def test_slcp_likelihood_matches_scipy():
    rng = np.random.default_rng(1)
    task = I.SLCP()
    th = task.sample_prior(3, rng)
    x = task.simulate(th[:1], rng)[0]
    ll = task.log_likelihood(th, x)
    for k in range(3):
        m, cov = task._moments(th[k:k + 1])
        ref = stats.multivariate_normal(m[0], cov[0]).logpdf(x.reshape(4, 2)).sum()
        assert ll[k] == pytest.approx(ref, rel=1e-8)


def _exact_gl_sampler(task):
    return lambda x, n, rng: task.reference_posterior(x, n, rng)


def test_sbc_uniform_for_the_analytic_posterior_and_not_for_a_wrong_one():
    rng = np.random.default_rng(2)
    task = I.GaussianLinear(dim=3)
    ranks, theta, draws = I.sbc_ranks(task.sample_prior, task.simulate, _exact_gl_sampler(task), 500, 99, rng)
    assert ranks.shape == (500, 3) and ranks.min() >= 0 and ranks.max() <= 99
    assert I.sbc_uniformity_pvalues(ranks, 99).min() > 1e-3
    levels = np.linspace(0.05, 0.95, 10)
    np.testing.assert_allclose(I.expected_coverage(theta, draws, levels), levels, atol=0.05)

    def hpd_logp(points, i):  # the exact posterior is isotropic Gaussian: density ranks = distance to its mean
        return -((points - draws[i].mean(0)) ** 2).sum(1)

    np.testing.assert_allclose(I.expected_coverage(theta, draws, levels, log_prob=hpd_logp), levels, atol=0.07)

    def too_narrow(x, n, r):
        mu, var = task.posterior_params(x)
        return mu + 0.5 * np.sqrt(var) * r.normal(size=(n, 3))

    ranks_bad, theta_b, draws_b = I.sbc_ranks(task.sample_prior, task.simulate, too_narrow, 500, 99, rng)
    assert I.sbc_uniformity_pvalues(ranks_bad, 99).max() < 1e-6
    assert np.all(I.expected_coverage(theta_b, draws_b, levels)[3:] < levels[3:] - 0.1)   # overconfident


def test_sbc_figures():
    ranks = np.random.default_rng(0).integers(0, 100, size=(200, 2))
    fig = I.sbc_histogram_figure(ranks, 99)
    assert len(fig.axes) == 2
    assert len(I.coverage_figure(np.linspace(0, 1, 5), {"a": np.linspace(0, 1, 5)}).axes) == 1


@pytest.mark.parametrize("flow", ["maf", pytest.param("realnvp", marks=pytest.mark.slow)])
def test_npe_learns_gaussian_linear(flow):
    rng = np.random.default_rng(3)
    task = I.GaussianLinear(dim=2)
    th = task.sample_prior(3000, rng)
    x = task.simulate(th, rng)
    npe = I.NPE(2, 2, flow=flow, transforms=3, hidden=(32, 32))
    hist = npe.train(th, x, epochs=15, batch_size=128, lr=3e-3)
    assert hist.val_loss[-1] < hist.val_loss[0]
    xo = np.array([0.3, -0.2])
    s = npe.sample(xo, 2000, rng)
    mu, var = task.posterior_params(xo)
    np.testing.assert_allclose(s.mean(0), mu, atol=0.06)
    np.testing.assert_allclose(s.std(0), np.sqrt(var), rtol=0.25)
    # log_prob is normalized in original units: compare with the exact posterior density at its mean
    exact = stats.multivariate_normal(mu, var * np.eye(2)).logpdf(mu)
    assert npe.log_prob(mu[None], xo)[0] == pytest.approx(exact, abs=0.4)


def test_npe_with_embedding_and_rejection_in_prior_box():
    rng = np.random.default_rng(4)
    task = I.TwoMoons()
    th = task.sample_prior(1000, rng)
    x = task.simulate(th, rng)
    npe = I.NPE(2, 2, transforms=2, hidden=(16, 16), embedding=I.MLPEmbedding(2, 4, (16,)), log_prior=task.log_prior)
    npe.train(th, x, epochs=3)
    s = npe.sample(x[0], 300, rng)
    assert s.shape == (300, 2) and np.all(np.abs(s) <= 1)
    with pytest.raises(RuntimeError, match="train"):
        I.NPE(2, 2).sample(x[0], 5)


def test_deepset_embedding_is_permutation_invariant():
    import gradstudent as gs

    emb = I.DeepSetEmbedding(4, 2, 3)
    x = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    perm = x.reshape(5, 4, 2)[:, [2, 0, 3, 1]].reshape(5, 8)
    with gs.no_grad():
        np.testing.assert_allclose(emb(gs.from_numpy(x)).numpy(), emb(gs.from_numpy(np.ascontiguousarray(perm))).numpy(), atol=1e-6)


@pytest.mark.parametrize("cls", [pytest.param(I.NLE, marks=pytest.mark.slow), I.NRE])
def test_nle_nre_posterior_on_gaussian_linear(cls):
    rng = np.random.default_rng(5)
    task = I.GaussianLinear(dim=2)
    th = task.sample_prior(2000, rng)
    x = task.simulate(th, rng)
    model = cls(2, 2, hidden=(32, 32)) if cls is I.NRE else cls(2, 2, transforms=2, hidden=(32, 32))
    model.train(th, x, epochs=12, batch_size=128, lr=3e-3)
    xo = np.array([0.3, -0.2])
    s = model.sample(xo, 600, rng, task.log_prior, task.sample_prior, n_warmup=200)
    mu, var = task.posterior_params(xo)
    np.testing.assert_allclose(s.mean(0), mu, atol=0.12)
    np.testing.assert_allclose(s.std(0), np.sqrt(var), rtol=0.5)
