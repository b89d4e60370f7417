"""c2st, mmd and likelihood-per-dimension metrics."""

import math

import numpy as np
import pytest

from gradstudent.metrics import bits_per_dim, c2st, mmd, nll_nats_per_dim


def test_c2st_same_vs_different():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(600, 2)), rng.normal(size=(600, 2))
    c = rng.normal(size=(600, 2)) + np.array([1.5, 0.0])
    same = c2st(a, b, seed=0)
    assert 0.4 < same < 0.58
    assert c2st(a, c, seed=0) > 0.7
    assert c2st(a, b, seed=0) == same  # seeded
    assert 0.4 < c2st(a, b, classifier="boosting") < 0.6


def _mmd_reference(x, y, h):
    k = lambda a, b: math.exp(-((a - b) ** 2).sum() / (2 * h * h))
    m, n = len(x), len(y)
    sxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    syy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    sxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return sxx + syy - 2 * sxy


def test_mmd_against_direct_sums():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(15, 3)), rng.normal(size=(12, 3)) + 0.5
    pooled = np.concatenate([x, y])
    d = np.sqrt(((pooled[:, None] - pooled[None]) ** 2).sum(-1))[np.triu_indices(27, 1)]
    h = math.sqrt(np.median(d**2))
    assert mmd(x, y) == pytest.approx(_mmd_reference(x, y, h), rel=1e-10)
    assert mmd(x, y, bandwidth=0.7) == pytest.approx(_mmd_reference(x, y, 0.7), rel=1e-10)


def test_mmd_unbiased_near_zero():
    rng = np.random.default_rng(2)
    vals = [mmd(rng.normal(size=(100, 2)), rng.normal(size=(100, 2))) for _ in range(20)]
    assert abs(np.mean(vals)) < 3 * np.std(vals) / math.sqrt(20) + 1e-3
    assert mmd(rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 1) > 0.1


def test_nll_per_dim():
    lp = np.array([-3.0, -5.0])
    assert nll_nats_per_dim(lp, 2) == 2.0
    assert bits_per_dim(lp, 2) == pytest.approx(2.0 / math.log(2))
    assert nll_nats_per_dim(lp, 2, levels=256) == pytest.approx(2.0 + math.log(256))


def test_errors():
    with pytest.raises(ValueError, match="same number of features"):
        c2st(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        mmd(np.full((4, 2), np.nan), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="classifier"):
        c2st(np.zeros((10, 2)), np.ones((10, 2)), classifier="svm")
