"""Figures for the visualizations (matplotlib's object API, no pyplot state)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from .. import nn
from ..tensor import Tensor
from .attribution import grad_cam, saliency_map
from .features import feature_maps


def _as_image(a: np.ndarray) -> np.ndarray:
    """(C, H, W) -> something imshow can show: (H, W) grey or (H, W, 3) rescaled to [0, 1]."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 3:
        a = a[0] if a.shape[0] == 1 else np.moveaxis(a, 0, -1)
    lo, hi = a.min(), a.max()
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def image_grid(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None, cols: int = 8,
               cmap: str = "gray", suptitle: str | None = None, size: float = 1.4) -> Figure:
    """A grid of images (each (C, H, W) or (H, W)), each rescaled to its own range."""
    n = len(images)
    cols = min(cols, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(size * cols, size * rows + (0.4 if suptitle else 0)))
    for i in range(rows * cols):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.axis("off")
        if i < n:
            ax.imshow(_as_image(images[i]), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_filters(conv: nn.Module, cols: int = 8) -> Figure:
    """The kernels of a (first) convolution layer as small images: one per output channel."""
    w = np.asarray(conv.weight._data)  # (O, C, KH, KW)
    kernels = [w[o] if w.shape[1] in (1, 3) else w[o, :1] for o in range(w.shape[0])]
    return image_grid(kernels, [str(o) for o in range(len(kernels))], cols, cmap="bwr",
                      suptitle=f"{w.shape[0]} filters of {w.shape[2]}x{w.shape[3]} (first-layer kernels)")


def plot_feature_maps(model: nn.Module, image: Tensor, layer: nn.Module, max_maps: int = 16, title: str = "") -> Figure:
    """The input image and the first ``max_maps`` channels of ``layer``'s output for it."""
    maps = feature_maps(model, image[None] if image.ndim == 3 else image[:1], layer)[0]
    shown = [np.asarray(image._data if image.ndim == 3 else image._data[0])] + [maps[k] for k in range(min(max_maps, len(maps)))]
    titles = ["input"] + [f"ch {k}" for k in range(len(shown) - 1)]
    return image_grid(shown, titles, cols=min(len(shown), 9), cmap="viridis", suptitle=title or f"feature maps {maps.shape}")


def _overlay_figure(images: np.ndarray, heat: np.ndarray, titles: Sequence[str], name: str, cmap: str) -> Figure:
    n = len(images)
    fig = Figure(figsize=(1.6 * n, 3.4))
    for i in range(n):
        ax = fig.add_subplot(2, n, i + 1)
        ax.imshow(_as_image(images[i]), cmap="gray")
        ax.set_title(titles[i], fontsize=7)
        ax.axis("off")
        ax = fig.add_subplot(2, n, n + i + 1)
        ax.imshow(_as_image(images[i]), cmap="gray")
        ax.imshow(heat[i], cmap=cmap, alpha=0.6)
        ax.axis("off")
    fig.suptitle(name)
    fig.tight_layout()
    return fig


def plot_saliency(model: nn.Module, images: Tensor, titles: Sequence[str] | None = None, target: Any = None) -> Figure:
    """Images (top) and their saliency maps |d score / d x| (bottom)."""
    sal = saliency_map(model, images, target)
    return _overlay_figure(np.asarray(images._data), sal, titles or [""] * len(sal), "saliency |d score / d pixel|", "hot")


def plot_grad_cam(model: nn.Module, images: Tensor, layer: nn.Module, titles: Sequence[str] | None = None, target: Any = None) -> Figure:
    """Images (top) and their Grad-CAM maps for ``layer`` (bottom)."""
    cam = grad_cam(model, images, layer, target)
    return _overlay_figure(np.asarray(images._data), cam, titles or [""] * len(cam), "Grad-CAM", "jet")


def plot_activation_maximization(images: Sequence[np.ndarray], titles: Sequence[str]) -> Figure:
    """Inputs found by activation maximization, one per unit."""
    return image_grid(list(images), list(titles), cols=min(len(images), 8), suptitle="activation maximization")
