"""dim-reduction: PCA, t-SNE and UMAP embeddings of the digits, side by side.

PCA is linear and keeps global variance: the ten digits overlap in two
dimensions. t-SNE and UMAP keep *neighbourhoods*: each digit becomes its own
island. We score every embedding by trustworthiness (are the embedded
neighbours true neighbours?) and by the accuracy of a 5-nearest-neighbour
classifier on the 2-D coordinates (are the classes separated?).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..classical import PCA, TSNE, UMAP, KNeighborsClassifier, cross_val_score
from ..classical.plotting import plot_embedding
from ..datasets import load_digits_arrays
from ..metrics import trustworthiness
from .registry import RunContext, experiment


@experiment(
    "dim-reduction",
    "PCA vs t-SNE vs UMAP embeddings of the digits: linear variance vs preserved neighbourhoods",
    n_samples=600,
    perplexity=30.0,
    tsne_iterations=750,
    n_neighbors=15,
    min_dist=0.1,
)
def run(ctx: RunContext) -> dict[str, Any]:
    from matplotlib.figure import Figure

    config = ctx.config
    X, y = load_digits_arrays("train", seed=ctx.seed)
    X, y = X[: config["n_samples"]].astype(np.float64), y[: config["n_samples"]]
    ctx.log(f"embedding {len(X)} digits of dimension {X.shape[1]}")

    methods = {
        "PCA": lambda: PCA(2).fit_transform(X),
        "t-SNE": lambda: TSNE(perplexity=config["perplexity"], max_iter=config["tsne_iterations"], random_state=ctx.seed).fit_transform(X),
        "UMAP": lambda: UMAP(n_neighbors=config["n_neighbors"], min_dist=config["min_dist"], random_state=ctx.seed).fit_transform(X),
    }
    fig = Figure(figsize=(15, 5))
    rows, metrics = [], {}
    for column, (name, embed) in enumerate(methods.items()):
        start = time.perf_counter()
        embedding = embed()
        seconds = time.perf_counter() - start
        trust = trustworthiness(X, embedding, n_neighbors=10)
        knn_accuracy = float(cross_val_score(KNeighborsClassifier(5), embedding, y, cv=5).mean())
        rows.append({"method": name, "trustworthiness@10": trust, "5-NN accuracy (5-fold CV)": knn_accuracy, "seconds": seconds})
        key = name.lower().replace("-", "")
        metrics[f"{key}_trustworthiness"], metrics[f"{key}_knn_accuracy"] = trust, knn_accuracy
        plot_embedding(fig.add_subplot(1, 3, column + 1), embedding, y, f"{name}: trust {trust:.3f}, 5-NN acc {knn_accuracy:.3f}")
    fig.suptitle(f"Digits ({len(X)} images, 64 pixels) embedded in 2-D")
    ctx.save_figure(fig, "embeddings.png")
    ctx.save_table(rows, "embeddings")
    return metrics
