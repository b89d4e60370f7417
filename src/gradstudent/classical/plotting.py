"""Small matplotlib helpers for the classical-ML experiments (Agg-safe: they
draw on an ``Axes`` that the caller owns; no pyplot state is touched)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["plot_decision_boundary", "plot_embedding", "grid_over"]


def grid_over(X: np.ndarray, resolution: int = 150, pad: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A (resolution × resolution) grid covering the 2-D points X (plus a margin):
    returns (xx, yy, points) with points of shape (resolution², 2)."""
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(
    ax: Any, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray, title: str, resolution: int = 150
) -> None:
    """Shade the predicted class over a grid and scatter the labelled points."""
    xx, yy, points = grid_over(X, resolution)
    zz = np.asarray(predict(points)).reshape(xx.shape)
    n_classes = int(max(y.max(), zz.max())) + 1
    ax.contourf(xx, yy, zz, levels=np.arange(n_classes + 1) - 0.5, alpha=0.3, cmap="coolwarm" if n_classes == 2 else "tab10")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap="coolwarm" if n_classes == 2 else "tab10", edgecolors="none")
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_embedding(ax: Any, Z: np.ndarray, labels: np.ndarray, title: str) -> None:
    """Scatter a 2-D embedding coloured by label, with each class's digit at its median."""
    ax.scatter(Z[:, 0], Z[:, 1], c=labels, s=4, cmap="tab10", edgecolors="none")
    for label in np.unique(labels):
        center = np.median(Z[labels == label], axis=0)
        ax.text(center[0], center[1], str(label), fontsize=11, weight="bold", ha="center", va="center")
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
