"""density: kernel density estimates with different bandwidths, and mean-shift modes.

The bandwidth h is the only real choice in a kernel density estimate: too
small and every sample becomes its own spike (the estimate memorizes the
data; held-out points get low likelihood), too large and the clusters blur
into one bump. We compare rules of thumb (Scott, Silverman) with the
bandwidth maximizing the cross-validated held-out log-likelihood, and
report each one's log-likelihood on fresh test points.

Mean shift climbs the same density surface from every point; the hills it
reaches (its modes) are the cluster centres, with no number of clusters to
choose, only the bandwidth. Each round blob is one hill; the long curved
moons have no single peak, so mean shift cuts them into several modes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classical import KernelDensity, MeanShift
from ..classical.plotting import grid_over
from ..datasets import make_blobs, make_moons
from ..metrics import adjusted_rand_score
from .registry import RunContext, experiment


def _sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three round blobs plus a pair of moons: clusters of different shapes and spreads."""
    blobs, blob_labels = make_blobs(n // 2, centers=3, std=0.6, seed=seed)
    moons, moon_labels = make_moons(n - n // 2, noise=0.08, seed=seed + 1)
    moons = moons * 3.0 + np.array([9.0, -9.0])  # move the moons away from the blobs
    X = np.concatenate([blobs, moons]).astype(np.float64)
    return X, np.concatenate([blob_labels, moon_labels + 3])


@experiment(
    "density",
    "Kernel density estimation: bandwidth by rule of thumb vs cross-validation; mean-shift modes",
    n_train=600,
    n_test=600,
    fixed_bandwidths=(0.1, 3.0),
    mean_shift_bandwidth=1.5,
)
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    config = ctx.config
    # one sample, split at random: the test points come from the same distribution
    X_all, labels_all = _sample(config["n_train"] + config["n_test"], ctx.seed)
    order = np.random.default_rng(ctx.seed).permutation(len(X_all))
    train, test = order[: config["n_train"]], order[config["n_train"] :]
    X, labels, X_test = X_all[train], labels_all[train], X_all[test]
    scale = float(X.std(axis=0).mean())  # the rules of thumb assume unit-variance data
    candidates: dict[str, KernelDensity] = {
        f"h = {h:g} (fixed)": KernelDensity(bandwidth=float(h)) for h in config["fixed_bandwidths"]
    }
    # Scott's rule n^(-1/(d+4)) (equal to Silverman's in 2-D), rescaled by the data's spread
    candidates["Scott's rule × std"] = KernelDensity(bandwidth=scale * len(X) ** (-1.0 / 6.0))
    candidates["5-fold CV log-likelihood"] = KernelDensity(bandwidth="cv", bandwidth_grid=np.geomspace(0.05, 5.0, 25))

    rows, fitted = [], {}
    for name, model in candidates.items():
        model.fit(X)
        test_log_likelihood = float(np.mean(model.score_samples(X_test)))
        rows.append({"estimate": name, "bandwidth": model.bandwidth_, "mean test log-likelihood": test_log_likelihood})
        fitted[name] = model
        ctx.log(f"{name:28s} h = {model.bandwidth_:.3f}  test log-likelihood {test_log_likelihood:.3f}")
    ctx.save_table(rows, "bandwidths")

    # ---- figure 1: density contours for each bandwidth
    xx, yy, points = grid_over(X, resolution=120, pad=1.5)
    fig = Figure(figsize=(4 * len(fitted), 4))
    for column, (name, model) in enumerate(fitted.items()):
        ax = fig.add_subplot(1, len(fitted), column + 1)
        density = np.exp(model.score_samples(points)).reshape(xx.shape)
        ax.contourf(xx, yy, density, levels=20, cmap="viridis")
        ax.scatter(X[:, 0], X[:, 1], s=0.5, c="white", alpha=0.25)
        ax.set_title(f"{name}\nh = {model.bandwidth_:.3g}, test LL {rows[column]['mean test log-likelihood']:.2f}", fontsize=8)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("Kernel density estimates: the bandwidth decides between spikes and blur", y=1.06)
    ctx.save_figure(fig, "kde_bandwidths.png")

    # ---- figure 2: mean-shift modes (flat and gaussian kernels)
    fig = Figure(figsize=(10, 4.5))
    mode_rows = []
    for column, kernel in enumerate(("flat", "gaussian")):
        bandwidth = config["mean_shift_bandwidth"] if kernel == "flat" else config["mean_shift_bandwidth"] / 2
        shift = MeanShift(bandwidth=bandwidth, kernel=kernel).fit(X)
        ari = adjusted_rand_score(labels, shift.labels_)
        mode_rows.append({"kernel": kernel, "bandwidth": bandwidth, "modes": len(shift.cluster_centers_), "ARI vs generating clusters": ari})
        ax = fig.add_subplot(1, 2, column + 1)
        ax.scatter(X[:, 0], X[:, 1], c=shift.labels_, s=5, cmap="tab10")
        ax.scatter(*shift.cluster_centers_.T, marker="x", s=120, c="black", linewidths=2.5)
        ax.set_title(f"mean shift, {kernel} kernel, h = {bandwidth:g}: {len(shift.cluster_centers_)} modes, ARI {ari:.2f}", fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    ctx.save_figure(fig, "mean_shift_modes.png")
    ctx.save_table(mode_rows, "mean_shift")

    best = max(rows, key=lambda r: r["mean test log-likelihood"])
    return {
        "cv_bandwidth": fitted["5-fold CV log-likelihood"].bandwidth_,
        "cv_test_log_likelihood": rows[list(fitted).index("5-fold CV log-likelihood")]["mean test log-likelihood"],
        "best_estimate": best["estimate"],
        "mean_shift_modes_flat": mode_rows[0]["modes"],
        "mean_shift_ari_flat": mode_rows[0]["ARI vs generating clusters"],
        "mean_shift_modes_gaussian": mode_rows[1]["modes"],
    }
