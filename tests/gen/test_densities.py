"""2-D densities: seeded samplers, exact log-densities normalized and matching the samples."""

import numpy as np
import pytest

from gradstudent.datasets import DENSITIES_2D, Checkerboard, EightGaussians, TwoMoons, density_2d, sample_2d


@pytest.mark.parametrize("name", sorted(DENSITIES_2D))
def test_seeded_shape_dtype(name):
    a, b, c = sample_2d(name, 500, seed=3), sample_2d(name, 500, seed=3), sample_2d(name, 500, seed=4)
    assert a.shape == (500, 2) and a.dtype == np.float32 and np.isfinite(a).all()
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.abs(a).max() < 6


@pytest.mark.parametrize("density", [pytest.param(TwoMoons(), marks=pytest.mark.slow), EightGaussians(), Checkerboard()])  # two moons: quadrature, ~40 s
def test_log_prob_integrates_to_one(density):
    g = (np.arange(450) + 0.5) * 0.02 - 4.5  # cell midpoints (the checkerboard has edges on integers)
    xx, yy = np.meshgrid(g, g)
    p = np.exp(density.log_prob(np.stack([xx.ravel(), yy.ravel()], 1)))
    assert abs(p.sum() * (g[1] - g[0]) ** 2 - 1) < 1e-2


@pytest.mark.parametrize("density", [pytest.param(TwoMoons(), marks=pytest.mark.slow), EightGaussians(), Checkerboard()])
def test_log_prob_matches_samples(density):
    # the mean log-density at the samples (a cross-entropy estimate) is finite, and samples land where p > 0
    x = density.sample(4000, seed=1)
    lp = density.log_prob(x)
    assert np.isfinite(lp).all()
    # histogram of samples vs density on a coarse grid
    edges = np.linspace(-3, 3, 13)
    h, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=[edges, edges])
    c = 0.5 * (edges[1:] + edges[:-1])
    xx, yy = np.meshgrid(c, c, indexing="ij")
    fine = np.linspace(-3, 3, 241)
    fx, fy = np.meshgrid(fine, fine, indexing="ij")
    pf = np.exp(density.log_prob(np.stack([fx.ravel(), fy.ravel()], 1))).reshape(241, 241) * (fine[1] - fine[0]) ** 2
    ix = np.clip(np.digitize(fx.ravel(), edges) - 1, 0, 11)
    iy = np.clip(np.digitize(fy.ravel(), edges) - 1, 0, 11)
    mass = np.zeros((12, 12))
    np.add.at(mass, (ix, iy), pf.ravel())
    assert np.abs(h / 4000 - mass).max() < 0.03


def test_checkerboard_cells():
    x = Checkerboard().sample(2000, seed=0)
    assert ((np.floor(x).astype(int).sum(1) % 2) == 0).all()
    assert Checkerboard().log_prob(np.array([[0.5, 1.5]]))[0] == -np.inf


def test_errors():
    with pytest.raises(ValueError, match="unknown density"):
        density_2d("banana")
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        EightGaussians().log_prob(np.zeros((3, 3)))
    with pytest.raises(NotImplementedError):
        density_2d("swiss-roll").log_prob(np.zeros((1, 2)))
    with pytest.raises(ValueError):
        sample_2d("pinwheel", -1)
