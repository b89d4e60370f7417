"""double-descent: test error against model size, through the interpolation threshold.

Model: random-features regression. Each input x is mapped through D frozen
random ReLU units, z(x) = max(0, xW + b)/sqrt(D), and only the output layer is
fitted, by least squares on n training samples. With D < n the least-squares
problem is over-determined; at D = n the fit just barely interpolates the
training data (its design matrix is square and badly conditioned, so the
solution has a huge norm and the test error peaks); for D > n there are
infinitely many interpolating solutions and lstsq returns the one of
*minimum norm*, whose norm (and test error) fall again as D grows: the
"second descent" (Belkin et al., 2019). A little ridge regularization
removes the peak.

Data: the digits, as a regression of one-hot targets (10 outputs); test
error is the mean squared error on held-out digits, averaged over several
draws of the random features.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classical import RandomReLUFeatures, StandardScaler
from ..datasets import load_digits_arrays
from .registry import RunContext, experiment


def spectral_fits(Z: np.ndarray, Y: np.ndarray, alphas: list[float]) -> dict[str, np.ndarray]:
    """Minimum-norm least squares and ridge solutions from one thin SVD Z = U S Vᵀ.

    Both are filters on the singular values: W = V diag(φ(s)) Uᵀ Y with
    φ(s) = 1/s for least squares (s above round-off; this is the
    pseudo-inverse, i.e. the minimum-norm solution) and φ(s) = s / (s² + α)
    for ridge. Near D = n the smallest s → 0 and 1/s explodes, while ridge's
    filter stays below 1/(2 sqrt(α)). (``LinearRegression(fit_intercept=False)``
    and ``Ridge(α, fit_intercept=False)`` give the same W, one SVD each.)
    """
    U, singular, Vt = np.linalg.svd(Z, full_matrices=False)
    projected = U.T @ Y
    keep = singular > max(Z.shape) * np.finfo(float).eps * singular[0]
    inverse = np.where(keep, 1.0 / np.where(keep, singular, 1.0), 0.0)
    weights = {"min-norm least squares": Vt.T @ (inverse[:, None] * projected)}
    for alpha in alphas:
        weights[f"ridge α={alpha:g}"] = Vt.T @ ((singular / (singular**2 + alpha))[:, None] * projected)
    return weights


def _feature_counts(n_train: int, max_features: int) -> list[int]:
    """Log-spaced model sizes, denser around the interpolation threshold D = n."""
    coarse = np.geomspace(10, max_features, 13)
    near = n_train * np.array([0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.3, 1.6])
    return sorted({int(round(v)) for v in np.concatenate([coarse, near])})


@experiment(
    "double-descent",
    "Test error vs model size for random-features regression: the interpolation peak and the second descent",
    n_train=200,
    n_test=500,
    max_features=2000,
    n_repeats=3,
    ridge_alphas=(1e-3, 1e-1),
)
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    config = ctx.config
    n_train = config["n_train"]
    X_all, y_all = load_digits_arrays("train", seed=ctx.seed)
    X_test_all, y_test_all = load_digits_arrays("test", seed=ctx.seed)
    X, y = X_all[:n_train].astype(np.float64), y_all[:n_train]
    X_test, y_test = X_test_all[: config["n_test"]].astype(np.float64), y_test_all[: config["n_test"]]
    # centred inputs make each ReLU unit active on about half the images (no dead units)
    scaler = StandardScaler(with_std=False).fit(X)
    X, X_test = scaler.transform(X), scaler.transform(X_test)
    Y, Y_test = np.eye(10)[y], np.eye(10)[y_test]  # one-hot targets

    sizes = _feature_counts(n_train, config["max_features"])
    alphas = [float(a) for a in config["ridge_alphas"]]
    fitters = ["min-norm least squares"] + [f"ridge α={alpha:g}" for alpha in alphas]
    test_mse = {name: np.zeros((len(sizes), config["n_repeats"])) for name in fitters}
    train_mse = np.zeros((len(sizes), config["n_repeats"]))
    weight_norm = np.zeros((len(sizes), config["n_repeats"]))
    test_accuracy = np.zeros((len(sizes), config["n_repeats"]))

    for i, n_features in enumerate(ctx.progress(sizes, desc="model sizes") if hasattr(ctx, "progress") else sizes):
        for repeat in range(config["n_repeats"]):
            features = RandomReLUFeatures(n_features, random_state=1000 * ctx.seed + repeat).fit(X)
            Z, Z_test = features.transform(X), features.transform(X_test)
            for name, W in spectral_fits(Z, Y, alphas).items():
                prediction = Z_test @ W
                test_mse[name][i, repeat] = np.mean((prediction - Y_test) ** 2)
                if name == "min-norm least squares":
                    train_mse[i, repeat] = np.mean((Z @ W - Y) ** 2)
                    weight_norm[i, repeat] = np.linalg.norm(W)
                    test_accuracy[i, repeat] = np.mean(prediction.argmax(axis=1) == y_test)

    least_squares = test_mse["min-norm least squares"].mean(axis=1)
    peak = int(np.argmax(least_squares))
    after = least_squares[peak:]
    rows = [
        {
            "features D": d,
            "D / n": d / n_train,
            "train MSE (min-norm)": float(train_mse[i].mean()),
            **{f"test MSE ({name})": float(test_mse[name][i].mean()) for name in fitters},
            "test accuracy (min-norm)": float(test_accuracy[i].mean()),
            "weight norm (min-norm)": float(weight_norm[i].mean()),
        }
        for i, d in enumerate(sizes)
    ]
    ctx.save_table(rows, "double_descent")

    fig = Figure(figsize=(13, 4.2))
    ax = fig.add_subplot(1, 3, 1)
    for name in fitters:
        ax.plot(sizes, test_mse[name].mean(axis=1), "o-" if name.startswith("min") else "-", ms=3, label=f"test, {name}")
    ax.plot(sizes, train_mse.mean(axis=1), "k:", label="train, min-norm (→ 0 for D ≥ n)")
    lowest = min(float(curve.mean(axis=1).min()) for curve in test_mse.values())
    ax.set_ylim(lowest / 3, 2 * float(test_mse["min-norm least squares"].mean(axis=1).max()))
    ax.axvline(n_train, color="gray", ls="--", lw=1, label=f"D = n = {n_train}")
    ax.set_xscale("log"), ax.set_yscale("log")
    ax.set_xlabel("random features D (model size)"), ax.set_ylabel("mean squared error")
    ax.set_title("Double descent", fontsize=10)
    ax.legend(fontsize=7)
    ax = fig.add_subplot(1, 3, 2)
    ax.plot(sizes, weight_norm.mean(axis=1), "o-", ms=3)
    ax.axvline(n_train, color="gray", ls="--", lw=1)
    ax.set_xscale("log"), ax.set_yscale("log")
    ax.set_xlabel("random features D"), ax.set_title("‖w‖ of the min-norm solution", fontsize=10)
    ax = fig.add_subplot(1, 3, 3)
    ax.plot(sizes, test_accuracy.mean(axis=1), "o-", ms=3)
    ax.axvline(n_train, color="gray", ls="--", lw=1)
    ax.set_xscale("log"), ax.set_xlabel("random features D"), ax.set_title("test accuracy (argmax), min-norm", fontsize=10)
    fig.suptitle(f"Random ReLU features regression on digits (n = {n_train} training images)")
    ctx.save_figure(fig, "double_descent.png")

    return {
        "peak_features": sizes[peak],
        "test_mse_at_peak": float(least_squares[peak]),
        "test_mse_min_underparameterized": float(least_squares[: max(peak, 1)].min()),
        "test_mse_largest_model": float(least_squares[-1]),
        "second_descent_ratio": float(after[-1] / after[0]),
        "ridge_peak_test_mse": float(test_mse[f"ridge α={alphas[-1]:g}"].mean(axis=1)[peak]),
    }
