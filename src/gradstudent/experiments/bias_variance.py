"""bias-variance: the bias-variance decomposition, measured.

Data: y = f(x) + ε with f(x) = sin(πx) on [-1, 1] and ε ~ N(0, σ²). We draw
many training sets D of n points, fit a polynomial of degree p by least
squares on each, and look at the predictions ŷ_D(x) on a fixed grid of x.
For squared error, averaging over training sets and noise,

    E[(y - ŷ_D(x))²] = (f(x) - E_D ŷ_D(x))²  +  Var_D ŷ_D(x)  +  σ²
                        bias²                   variance         noise

Low degrees cannot bend enough (high bias); high degrees follow the noise of
each training set (high variance). The sum is U-shaped in the degree. The
plot also checks the identity: the directly measured test error on fresh
noisy points matches bias² + variance + σ².
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classical import LinearRegression, PolynomialFeatures
from .registry import RunContext, experiment


def _true_function(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


@experiment(
    "bias-variance",
    "Bias², variance and test error of polynomial regression vs degree, over resampled training sets",
    n_train=30,
    noise=0.3,
    n_datasets=300,
    max_degree=10,
)
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    config = ctx.config
    rng = np.random.default_rng(ctx.seed)
    n_train, sigma, n_datasets = config["n_train"], config["noise"], config["n_datasets"]
    degrees = list(range(0, config["max_degree"] + 1))
    x_grid = np.linspace(-1, 1, 200)
    f_grid = _true_function(x_grid)

    # the same training sets for every degree, so the degrees are compared fairly
    x_sets = rng.uniform(-1, 1, size=(n_datasets, n_train))
    y_sets = _true_function(x_sets) + sigma * rng.normal(size=(n_datasets, n_train))
    y_fresh = f_grid + sigma * rng.normal(size=(n_datasets, len(x_grid)))  # new noisy test targets

    rows, example_fits = [], {}
    for degree in degrees:
        features = PolynomialFeatures(degree, include_bias=False)
        grid_features = features.fit(x_grid[:, None]).transform(x_grid[:, None]) if degree else np.zeros((len(x_grid), 0))
        predictions = np.empty((n_datasets, len(x_grid)))
        for i in range(n_datasets):
            if degree == 0:  # the constant model: predict the training mean
                predictions[i] = y_sets[i].mean()
                continue
            design = features.transform(x_sets[i][:, None])
            predictions[i] = LinearRegression().fit(design, y_sets[i]).predict(grid_features)
        mean_prediction = predictions.mean(axis=0)
        bias2 = float(np.mean((mean_prediction - f_grid) ** 2))
        variance = float(np.mean(predictions.var(axis=0)))
        measured = float(np.mean((y_fresh - predictions) ** 2))
        rows.append({
            "degree": degree,
            "bias^2": bias2,
            "variance": variance,
            "bias^2 + variance + noise": bias2 + variance + sigma**2,
            "measured test MSE": measured,
        })
        if degree in (1, 3, 10):
            example_fits[degree] = predictions[:20]
        ctx.log(f"degree {degree:2d}: bias² {bias2:.4f}  variance {variance:.4f}  test MSE {measured:.4f}")
    ctx.save_table(rows, "bias_variance")

    fig = Figure(figsize=(14, 4.2))
    ax = fig.add_subplot(1, 4, 1)
    ax.plot(degrees, [r["bias^2"] for r in rows], "o-", label="bias²")
    ax.plot(degrees, [r["variance"] for r in rows], "s-", label="variance")
    ax.plot(degrees, [r["bias^2 + variance + noise"] for r in rows], "k-", label="bias² + variance + σ²")
    ax.plot(degrees, [r["measured test MSE"] for r in rows], "r:", lw=2, label="measured test MSE")
    ax.axhline(sigma**2, color="gray", ls="--", label="noise σ²")
    ax.set_yscale("log")
    ax.set_xlabel("polynomial degree")
    ax.set_title(f"n = {n_train} points, {n_datasets} training sets", fontsize=9)
    ax.legend(fontsize=7)
    for panel, (degree, fits) in enumerate(example_fits.items()):
        ax = fig.add_subplot(1, 4, panel + 2)
        ax.plot(x_grid, fits.T, color="tab:blue", alpha=0.25, lw=0.8)
        ax.plot(x_grid, fits.mean(axis=0) if len(fits) else f_grid, color="tab:blue", lw=2, label="mean fit (20 sets)")
        ax.plot(x_grid, f_grid, "k--", lw=1.5, label="true f")
        ax.set_ylim(-2, 2)
        ax.set_title(f"degree {degree}", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Bias–variance trade-off: fits of degree p on resampled training sets")
    ctx.save_figure(fig, "bias_variance.png")

    best = min(rows, key=lambda r: r["measured test MSE"])
    return {
        "best_degree": best["degree"],
        "best_test_mse": best["measured test MSE"],
        "degree_1_bias2": rows[1]["bias^2"],
        f"degree_{degrees[-1]}_variance": rows[-1]["variance"],
        "max_decomposition_error": max(abs(r["bias^2 + variance + noise"] - r["measured test MSE"]) / r["measured test MSE"] for r in rows),
    }
