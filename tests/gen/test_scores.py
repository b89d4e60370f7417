"""Digits scorer: Fréchet distance against a direct formula, real digits score well, noise scores badly."""

import numpy as np
import pytest
from scipy import linalg

from gradstudent.datasets import load_digits_arrays
from gradstudent.generative.scores import DigitsScorer, frechet_distance


def test_frechet_distance_gaussian_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    b = rng.normal(size=(4000, 3)) * 2.0 + 1.0
    # N(0, I) vs N(1, 4I): |Δμ|² + tr(I + 4I - 2·2I) = 3 + 3
    assert frechet_distance(a, b) == pytest.approx(6.0, abs=0.3)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real)
    assert frechet_distance(a, b) == pytest.approx(ref)


def test_scorer_real_vs_noise(tmp_path):
    scorer = DigitsScorer.fit(seed=0, epochs=15, hidden=32)
    assert scorer.test_accuracy > 0.9
    X, _ = load_digits_arrays("train")
    real = scorer.score(X[:300])
    noise = scorer.score(np.random.default_rng(0).uniform(0, 1, (300, 64)))
    assert real["class_coverage"] == 1.0 and real["mean_confidence"] > 0.7
    assert noise["frechet_distance"] > 5 * real["frechet_distance"]
    scorer.save(tmp_path / "s.safetensors")
    again = DigitsScorer.load(tmp_path / "s.safetensors", hidden=32)
    np.testing.assert_allclose(again.probabilities(X[:5]), scorer.probabilities(X[:5]))
    with pytest.raises(ValueError, match="64 pixels"):
        scorer.score(np.zeros((3, 10)))
