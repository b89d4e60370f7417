"""Autoregressive Ising model: a normalised exact density, exact sampling, Kaufman's exact log Z."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.creation import from_numpy
from gradstudent.physics import ising as I
from gradstudent.physics.autoregressive import AutoregressiveIsing, variational_loss


def all_configs(L: int) -> np.ndarray:
    return np.array(list(itertools.product([-1, 1], repeat=L * L)), np.int8).reshape(-1, L, L)


def random_model(L: int, z2: bool, seed: int = 0) -> AutoregressiveIsing:
    """A model whose output layer is not the zero (uniform) initialisation."""
    gs.manual_seed(seed)
    model = AutoregressiveIsing(L, hidden=(12, 12), z2=z2)
    rng = np.random.default_rng(seed)
    w = model.made.output.weight
    w.data = from_numpy(rng.normal(0, 1.5, w.shape).astype(np.float32)).data
    b = model.made.output.bias
    b.data = from_numpy(rng.normal(0, 1.0, b.shape).astype(np.float32)).data
    return model


def log_probs(model: AutoregressiveIsing, spins: np.ndarray) -> np.ndarray:
    with gs.no_grad():
        return model.log_prob(from_numpy(spins.astype(np.float32))).numpy().astype(np.float64)


@pytest.mark.parametrize("z2", [False, True])
def test_log_prob_sums_to_one_over_all_3x3_configurations(z2):
    model = random_model(3, z2)
    lp = log_probs(model, all_configs(3))
    assert lp.shape == (512,)
    assert abs(np.exp(lp).sum() - 1.0) < 1e-4
    assert lp.std() > 0.3                                       # not the trivial uniform model
    if z2:
        np.testing.assert_allclose(lp, log_probs(model, -all_configs(3)), atol=1e-5)


def test_logit_i_ignores_spins_i_and_later():
    model = random_model(3, False)
    x = from_numpy(np.random.default_rng(1).choice([-1.0, 1.0], size=(4, 9)).astype(np.float32))
    base = model.logits(x).detach().numpy()
    for j in range(9):
        flipped = x.detach().numpy().copy()
        flipped[:, j] *= -1
        out = model.logits(from_numpy(flipped)).detach().numpy()
        np.testing.assert_array_equal(out[:, : j + 1], base[:, : j + 1])   # ℓ_i for i <= j unchanged


@pytest.mark.parametrize("z2", [False, True])
def test_samples_follow_log_prob(z2):
    """Exact sampling on 2x2 (16 states): a chi-square test of 40 000 draws against exp(log_prob)."""
    from scipy.stats import chisquare

    model = random_model(2, z2, seed=3)
    configs = all_configs(2)
    p = np.exp(log_probs(model, configs))
    s = model.sample(40_000, np.random.default_rng(0))
    assert s.dtype == np.int8 and s.shape == (40_000, 2, 2)
    code = ((s.reshape(len(s), 4) > 0) * (1 << np.arange(3, -1, -1))).sum(1)   # itertools.product order
    counts = np.bincount(code, minlength=16)
    assert chisquare(counts, p / p.sum() * counts.sum()).pvalue > 1e-3


def test_sampling_is_reproducible():
    model = random_model(3, True)
    a = model.sample(50, np.random.default_rng(7))
    b = model.sample(50, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("L", [3, 4])
@pytest.mark.parametrize("T", [1.0, 2.0, 2.269, 3.5])
def test_kaufman_log_partition_matches_enumeration(L, T):
    E = I.energy(all_configs(L))
    log_z = np.log(np.exp(-(E - E.min()) / T).sum()) - E.min() / T
    assert I.kaufman_log_partition(L, T) == pytest.approx(log_z, rel=1e-12)


def test_kaufman_is_finite_for_large_lattices_and_approaches_onsager():
    T = 3.0                                                     # far from T_c: finite-size effects are tiny
    e_inf = I.onsager_energy(T)
    h = 1e-4                                                    # u = -T² d(-log Z / (N T... )): via d log Z / d β
    L = 64
    dlog = (I.kaufman_log_partition(L, 1 / (1 / T + h)) - I.kaufman_log_partition(L, 1 / (1 / T - h))) / (2 * h)
    assert np.isfinite(dlog)
    assert -dlog / L**2 == pytest.approx(e_inf, abs=1e-5)


def test_variational_gradient_matches_exact_gradient_on_2x2():
    """REINFORCE estimate of ∇ βF_q vs the exact gradient from enumerating all 16 states."""
    beta = 0.4
    model = random_model(2, False, seed=5)
    configs = all_configs(2)
    lq = model.log_prob(from_numpy(configs.astype(np.float32)))
    q = lq.exp()
    exact = (q * (from_numpy((beta * I.energy(configs)).astype(np.float32)) + lq)).sum()
    exact.backward()
    g_exact = model.made.output.bias.grad.numpy().copy()
    model.zero_grad()
    spins = model.sample(60_000, np.random.default_rng(0))
    loss, f = variational_loss(model, spins, beta)
    loss.backward()
    g_est = model.made.output.bias.grad.numpy()
    np.testing.assert_allclose(g_est, g_exact, atol=0.02)
    assert f.mean() == pytest.approx(float(exact.item()), abs=0.02)
