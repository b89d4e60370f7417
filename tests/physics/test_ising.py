"""Ising Monte Carlo: exact enumeration on 4x4, Onsager's infinite-lattice results, tau_int."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradstudent.physics import ising as I


def exact_4x4(T: float) -> tuple[float, float]:
    """<e> and <|m|> per spin by summing all 2^16 configurations."""
    states = np.array(list(itertools.product([-1, 1], repeat=16)), np.int8).reshape(-1, 4, 4)
    E, M = I.energy(states), I.magnetization(states)
    w = np.exp(-(E - E.min()) / T)
    w /= w.sum()
    return float((w * E).sum() / 16), float((w * np.abs(M)).sum() / 16)


@pytest.mark.parametrize("method", ["metropolis", "wolff", "swendsen-wang"])
def test_matches_exact_enumeration_4x4(method):
    T = 2.5
    e_ex, m_ex = exact_4x4(T)
    n, chains = {"metropolis": (1500, 8), "wolff": (300, 4), "swendsen-wang": (400, 8)}[method]
    s = I.simulate(4, T, n, 100, chains=chains, method=method, seed=2)
    o = I.observables(s)
    assert abs(o["energy"] - e_ex) < 4 * o["energy_err"] + 1e-3
    assert abs(o["abs_magnetization"] - m_ex) < 4 * o["abs_magnetization_err"] + 1e-3


def test_onsager_energy_and_magnetization_below_tc():
    T = 2.0
    s = I.simulate(16, T, 600, 100, chains=8, method="metropolis", seed=0)
    o = I.observables(s)
    assert abs(o["energy"] - I.onsager_energy(T)) < 4 * o["energy_err"] + 2e-3
    assert abs(o["abs_magnetization"] - I.onsager_magnetization(T)) < 4 * o["abs_magnetization_err"] + 2e-3


def test_wolff_onsager_below_tc():
    T = 2.1
    s = I.simulate(16, T, 400, 50, chains=2, method="wolff", seed=1)
    o = I.observables(s)
    assert abs(o["energy"] - I.onsager_energy(T)) < 4 * o["energy_err"] + 3e-3
    assert abs(o["abs_magnetization"] - I.onsager_magnetization(T)) < 4 * o["abs_magnetization_err"] + 5e-3


def test_onsager_energy_above_tc():
    T = 3.0
    s = I.simulate(16, T, 600, 100, chains=8, seed=3)
    o = I.observables(s)
    assert abs(o["energy"] - I.onsager_energy(T)) < 4 * o["energy_err"] + 3e-3


def test_exact_values():
    assert I.T_CRITICAL == pytest.approx(2.269185, abs=1e-6)
    assert I.onsager_energy(I.T_CRITICAL) == pytest.approx(-np.sqrt(2), rel=1e-6)  # u(T_c) = -√2 J
    assert I.onsager_magnetization(3.0) == 0.0
    assert I.onsager_energy(0.5) == pytest.approx(-2.0, abs=1e-6)


def test_energy_conventions():
    up = np.ones((2, 6, 6), np.int8)
    np.testing.assert_array_equal(I.energy(up), [-72.0, -72.0])   # 2N bonds
    checker = np.where(np.indices((6, 6)).sum(0) % 2 == 0, 1, -1).astype(np.int8)
    assert I.energy(checker) == 72.0
    with pytest.raises(ValueError, match="even L"):
        I.metropolis_sweep(np.ones((5, 5), np.int8), 0.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="method"):
        I.simulate(4, 2.0, 10, method="heatbath")


def test_tau_int_of_ar1():
    rng = np.random.default_rng(0)
    phi, n = 0.8, 200_000
    x = np.empty(n)
    x[0] = 0
    eps = rng.normal(size=n)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + eps[i]
    exact = 0.5 * (1 + phi) / (1 - phi)   # = 4.5
    assert I.integrated_autocorrelation_time(x) == pytest.approx(exact, rel=0.1)
    assert I.integrated_autocorrelation_time(rng.normal(size=5000)) == pytest.approx(0.5, abs=0.1)


def test_deterministic():
    a = I.simulate(8, 2.3, 20, 5, chains=2, seed=7)
    b = I.simulate(8, 2.3, 20, 5, chains=2, seed=7)
    np.testing.assert_array_equal(a.e, b.e)
