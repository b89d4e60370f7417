"""The five classical experiments run end to end (small configurations) and
produce their figures, tables and the metrics the course text relies on."""

from __future__ import annotations

from pathlib import Path

from gradstudent.experiments.context import RunContext
from gradstudent.experiments.registry import all_experiments

SMALL = {
    "classical": {"n_points": 120, "max_digits": 200},
    "dim-reduction": {"n_samples": 300, "tsne_iterations": 300},
    "bias-variance": {"n_datasets": 40, "max_degree": 8},
    "double-descent": {"n_train": 40, "n_test": 100, "max_features": 400, "n_repeats": 1},
    "density": {"n_train": 200, "n_test": 200},
}


def _run(name: str, tmp_path: Path) -> tuple[dict, Path]:
    experiment = all_experiments()[name]
    config = {"seed": 0, **experiment.defaults, **SMALL[name]}
    ctx = RunContext(name, config, tmp_path, quiet=True)
    return experiment.run(ctx), tmp_path


def test_experiments_are_registered():
    names = set(all_experiments())
    assert set(SMALL) <= names


def test_classical(tmp_path):
    metrics, out = _run("classical", tmp_path)
    assert (out / "decision_boundaries.png").exists() and (out / "digits_accuracy.csv").exists()
    assert metrics["digits_logistic_accuracy"] > 0.75 and metrics["digits_5_nn_accuracy"] > 0.75  # 200 training digits
    assert metrics["circles_best_accuracy"] > 0.9 and metrics["xor_best_accuracy"] > 0.9


def test_dim_reduction(tmp_path):
    metrics, out = _run("dim-reduction", tmp_path)
    assert (out / "embeddings.png").exists()
    assert metrics["tsne_trustworthiness"] > metrics["pca_trustworthiness"]
    assert metrics["umap_knn_accuracy"] > metrics["pca_knn_accuracy"]


def test_bias_variance(tmp_path):
    metrics, out = _run("bias-variance", tmp_path)
    assert (out / "bias_variance.png").exists()
    assert 2 <= metrics["best_degree"] <= 6
    assert metrics["max_decomposition_error"] < 0.1  # bias² + variance + σ² ≈ measured test error


def test_double_descent(tmp_path):
    metrics, out = _run("double-descent", tmp_path)
    assert (out / "double_descent.png").exists()
    assert 0.8 * 40 <= metrics["peak_features"] <= 1.25 * 40  # the peak sits at D ≈ n
    assert metrics["test_mse_largest_model"] < metrics["test_mse_at_peak"] / 5  # second descent
    assert metrics["ridge_peak_test_mse"] < metrics["test_mse_at_peak"]


def test_density(tmp_path):
    metrics, out = _run("density", tmp_path)
    assert (out / "kde_bandwidths.png").exists() and (out / "mean_shift_modes.png").exists()
    assert metrics["best_estimate"] == "5-fold CV log-likelihood"
    assert metrics["mean_shift_modes_flat"] >= 4


def test_spectral_fits_match_the_estimators():
    import numpy as np

    from gradstudent.classical import LinearRegression, Ridge
    from gradstudent.experiments.double_descent import spectral_fits

    rng = np.random.default_rng(0)
    for n_features in (10, 30, 60):
        Z, Y = rng.normal(size=(30, n_features)), rng.normal(size=(30, 3))
        weights = spectral_fits(Z, Y, [0.5])
        np.testing.assert_allclose(weights["min-norm least squares"], LinearRegression(fit_intercept=False).fit(Z, Y).coef_.T, atol=1e-8)
        np.testing.assert_allclose(weights["ridge α=0.5"], Ridge(0.5, fit_intercept=False).fit(Z, Y).coef_.T, atol=1e-10)
