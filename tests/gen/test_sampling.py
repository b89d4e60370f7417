"""gradstudent.sampling: diagnostics against simple reference formulas and AR(1) chains with
known autocorrelation; samplers' moments on a correlated Gaussian and a banana, within
Monte-Carlo tolerances set by the effective sample size."""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import sampling

# ---- reference implementations (direct sums, no FFT) -----------------------------------


def reference_ess(x: np.ndarray) -> float:
    """Multi-chain ESS by direct autocovariance sums and Geyer's initial monotone sequence."""
    m, n = x.shape
    xc = x - x.mean(1, keepdims=True)
    acov = np.array([[np.dot(xc[c, : n - t], xc[c, t:]) / n for t in range(n)] for c in range(m)])
    w = (acov[:, 0] * n / (n - 1)).mean()
    var_plus = w * (n - 1) / n + x.mean(1).var(ddof=1)
    rho = 1 - (w - acov.mean(0)) / var_plus
    tau, prev = -1.0, np.inf
    for k in range(n // 2):
        pair = rho[2 * k] + rho[2 * k + 1] if k else 1.0 + rho[1]
        if pair < 0:
            break
        prev = min(prev, pair)
        tau += 2 * prev
    return m * n / tau


def reference_rhat(x: np.ndarray) -> float:
    m, n = x.shape
    h = n // 2
    chains = [x[c, :h] for c in range(m)] + [x[c, n - h :] for c in range(m)]
    means = np.array([c.mean() for c in chains])
    w = np.mean([c.var(ddof=1) for c in chains])
    b = h * means.var(ddof=1)
    return float(np.sqrt(((h - 1) / h * w + b / h) / w))


def ar1(phi: float, chains: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.empty((chains, n))
    x[:, 0] = rng.normal(size=chains) / np.sqrt(1 - phi**2)  # start in the stationary law
    eps = rng.normal(size=(chains, n))
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + eps[:, t]
    return x


def test_ess_matches_reference_and_ar1_theory():
    for phi in (0.0, 0.5, 0.9):
        x = ar1(phi, 4, 600, seed=1)
        assert sampling.effective_sample_size(x) == pytest.approx(reference_ess(x), rel=1e-9)
    x = ar1(0.9, 4, 20000, seed=2)
    theory = x.size * (1 - 0.9) / (1 + 0.9)  # τ = (1 + φ) / (1 - φ)
    assert sampling.effective_sample_size(x) == pytest.approx(theory, rel=0.15)
    rho = sampling.autocorrelation(x)[:, :4].mean(0)
    np.testing.assert_allclose(rho, 0.9 ** np.arange(4), atol=0.03)


def test_rhat_matches_reference_and_detects_unmixed_chains():
    x = ar1(0.5, 4, 501, seed=3)
    assert sampling.split_rhat(x) == pytest.approx(reference_rhat(x), rel=1e-12)
    assert sampling.split_rhat(x) < 1.01
    shifted = x + np.arange(4)[:, None]  # chains stuck in different places
    assert sampling.split_rhat(shifted) > 1.3
    drifting = x + np.linspace(0, 5, x.shape[1])  # a trend that split R-hat catches within one chain
    assert sampling.split_rhat(drifting[:1].repeat(2, 0) + x[:2]) > 1.1
    vec = np.stack([x, shifted], axis=-1)
    np.testing.assert_allclose(sampling.split_rhat(vec), [sampling.split_rhat(x), sampling.split_rhat(shifted)])


def test_diagnostics_reject_bad_shapes():
    with pytest.raises(ValueError, match="effective_sample_size"):
        sampling.effective_sample_size(np.zeros(10))
    with pytest.raises(ValueError, match="split_rhat"):
        sampling.split_rhat(np.zeros((2, 3)))


# ---- targets with known moments ----------------------------------------------------------
COV = np.array([[1.0, 0.9], [0.9, 1.0]])
PREC = np.linalg.inv(COV)


def gaussian_log_prob(x: gs.Tensor) -> gs.Tensor:
    return -0.5 * ((x @ gs.from_numpy(PREC)) * x).sum(1)


B, S1, S2 = 0.5, 1.0, 0.5  # banana: x1 = z1, x2 = z2 + B (z1² - S1²), z ~ N(0, diag(S1², S2²))
BANANA_COV = np.diag([S1**2, S2**2 + 2 * B**2 * S1**4])


def banana_log_prob(x: gs.Tensor) -> gs.Tensor:
    x1, x2 = x[:, 0], x[:, 1]
    return -0.5 * (x1 / S1) ** 2 - 0.5 * ((x2 - B * (x1**2 - S1**2)) / S2) ** 2


def check_moments(result: sampling.MCMCResult, mean: np.ndarray, cov: np.ndarray, z: float = 4.5) -> None:
    """|estimate - truth| <= z · sd / sqrt(ESS) for every mean and covariance entry."""
    draws = result.samples.numpy().astype(np.float64)  # (chains, n, dim)
    flat = draws.reshape(-1, draws.shape[-1])
    for i in range(2):
        est, ess = flat[:, i].mean(), sampling.effective_sample_size(draws[:, :, i])
        assert abs(est - mean[i]) <= z * np.sqrt(cov[i, i] / ess), (result.sampler, "mean", i, est, ess)
        for j in range(i, 2):
            f = (draws[:, :, i] - mean[i]) * (draws[:, :, j] - mean[j])  # E f = Σ_ij
            ess_f = sampling.effective_sample_size(f)
            assert abs(f.mean() - cov[i, j]) <= z * f.std() / np.sqrt(ess_f), (result.sampler, "cov", i, j, f.mean(), ess_f)


@pytest.mark.parametrize("name", ["metropolis_hastings", "mala", "hmc"])
def test_correlated_gaussian_moments(name):
    gs.manual_seed(0)
    kwargs = {"n_samples": 300, "n_leapfrog": 8} if name == "hmc" else {"n_samples": 1500}
    result = getattr(sampling, name)(gaussian_log_prob, gs.randn(4, 2, dtype=gs.float64), n_warmup=300, **kwargs)
    assert result.samples.shape == (4, kwargs["n_samples"], 2)
    check_moments(result, np.zeros(2), COV)
    assert np.all(result.rhat < 1.1) and np.all(result.ess > 100)
    target = {"metropolis_hastings": 0.3, "mala": 0.574, "hmc": 0.8}[name]
    assert abs(result.acceptance_rate - target) < 0.15  # dual averaging found a step size near the target


def test_unadjusted_langevin_samples_its_known_biased_gaussian():
    """ULA on N(0, Σ) is exactly N(0, (Λ - hΛ²/2)⁻¹) in equilibrium, Λ = Σ⁻¹: a sharp check of
    both the update and its O(h) bias."""
    gs.manual_seed(1)
    h = 0.08
    result = sampling.langevin(gaussian_log_prob, gs.randn(16, 2, dtype=gs.float64), n_samples=1500, n_warmup=200, step_size=h)
    biased = np.linalg.inv(PREC - h * PREC @ PREC / 2)
    assert result.acceptance_rate == 1.0 and result.n_grad_evals == 1701
    check_moments(result, np.zeros(2), biased)
    d = result.samples.numpy()[..., 0] - result.samples.numpy()[..., 1]  # the stiff direction: Var = 0.2 exact, 0.33 biased
    exact, ula = 2 * (COV[0, 0] - COV[0, 1]), biased[0, 0] + biased[1, 1] - 2 * biased[0, 1]
    tol = 4.5 * np.sqrt(2.0 / sampling.effective_sample_size(d**2)) * ula
    assert abs((d**2).mean() - ula) < tol < abs(ula - exact)


@pytest.mark.parametrize("name", ["mala", "hmc"])
def test_banana_moments(name):
    gs.manual_seed(2)
    kwargs = {"n_samples": 400, "n_leapfrog": 8} if name == "hmc" else {"n_samples": 2000}
    result = getattr(sampling, name)(banana_log_prob, gs.randn(4, 2, dtype=gs.float64), n_warmup=300, **kwargs)
    check_moments(result, np.zeros(2), BANANA_COV)


def test_same_seed_same_chains_and_float32_state():
    runs = []
    for _ in range(2):
        gs.manual_seed(5)
        runs.append(sampling.mala(gaussian_log_prob, gs.randn(2, 2, dtype=gs.float64), n_samples=20, n_warmup=10).samples.numpy())
    np.testing.assert_array_equal(runs[0], runs[1])
    prec32 = gs.from_numpy(PREC.astype(np.float32))
    r = sampling.hmc(lambda x: -0.5 * ((x @ prec32) * x).sum(1), gs.randn(2, 2), n_samples=5, n_warmup=5, n_leapfrog=3)
    assert r.samples.dtype == gs.float32


def test_leapfrog_conserves_energy_to_second_order():
    from gradstudent.sampling.target import Target

    target = Target(gaussian_log_prob, "test")
    x, p = np.array([[1.0, -0.5]]), np.array([[0.3, 0.8]])
    lp, g = target.value_and_grad(x)
    errors = []
    for h in (0.02, 0.01):
        x1, p1, lp1, _ = sampling.leapfrog(target, x, p, g, h, int(round(0.4 / h)))
        errors.append(abs((-lp1 + 0.5 * (p1**2).sum()) - (-lp + 0.5 * (p**2).sum()))[0])
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)  # global energy error O(h²)


def test_errors_name_the_sampler_and_shapes():
    x0 = gs.zeros(3, 2, dtype=gs.float64)
    with pytest.raises(ValueError, match=r"hmc: log_prob .* shape \(3,\)"):
        sampling.hmc(lambda x: -(x**2).sum(), x0, n_samples=2)
    with pytest.raises(ValueError, match=r"mala: x0 must have shape \(chains, dim\)"):
        sampling.mala(gaussian_log_prob, gs.zeros(2, dtype=gs.float64), n_samples=2)
    with pytest.raises(ValueError, match="not finite at the starting points of chains \\[1\\]"):
        sampling.metropolis_hastings(lambda x: gs.log(x[:, 0]), gs.tensor([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0]], dtype=gs.float64), n_samples=2)
    with pytest.raises(ValueError, match="step_size"):
        sampling.langevin(gaussian_log_prob, x0, n_samples=2, step_size=-1.0)
    with pytest.raises(TypeError, match="must return a Tensor"):
        sampling.metropolis_hastings(lambda x: np.zeros(3), x0, n_samples=2)


def test_rejects_proposals_outside_the_support():
    """log p = -inf (or NaN) outside x > 0: no chain ever leaves the support."""
    gs.manual_seed(3)

    def half_normal(x: gs.Tensor) -> gs.Tensor:
        return gs.where(x[:, 0] > 0, -0.5 * x[:, 0] ** 2, gs.full((x.shape[0],), float("-inf"), dtype=gs.float64))

    for fn in (sampling.metropolis_hastings, sampling.mala):
        r = fn(half_normal, gs.ones(4, 1, dtype=gs.float64), n_samples=300, n_warmup=100)
        assert r.samples.numpy().min() > 0
        assert abs(r.samples.numpy().mean() - np.sqrt(2 / np.pi)) < 0.25
