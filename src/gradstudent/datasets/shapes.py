"""A generated image-classification set: noisy geometric shapes (no download).

Each 32x32 image shows one shape of a random size, position, rotation and
colour on a random smooth background with pixel noise and a few distractor
blobs. The 8 classes are chosen so that no two are rotations of each other:

    circle, ring, square, frame (hollow square), triangle, cross, ellipse, star

Everything is computed for all images at once: a pixel grid broadcast against
per-image parameters of shape (n, 1, 1). Each shape is the set where a
"shape function" f(u, v) <= 1 in the image's rotated, scaled coordinates (u, v);
edges are anti-aliased by a smooth step of width one pixel.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset

CLASSES = ["circle", "ring", "square", "frame", "triangle", "cross", "ellipse", "star"]


def _shape_function(k: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """f(u, v): <= 1 inside shape k (unit size), growing outward roughly like a distance."""
    r = np.sqrt(u * u + v * v)
    if k == 0:  # circle
        return r
    if k == 1:  # ring: |r - 0.75| <= 0.25
        return 0.5 + 2.0 * np.abs(r - 0.75)
    if k == 2:  # square
        return np.maximum(np.abs(u), np.abs(v)) / 0.8
    if k == 3:  # frame: a square outline, |max(|u|, |v|) - 0.675| <= 0.175
        return 0.5 + 0.5 * np.abs(np.maximum(np.abs(u), np.abs(v)) - 0.675) / 0.175
    if k == 4:  # equilateral triangle with circumradius 1
        s3 = math.sqrt(3.0)
        return np.maximum.reduce([-2.0 * v, v + s3 * u, v - s3 * u])
    if k == 5:  # cross: union of two bars
        bar = lambda a, b: np.maximum(np.abs(a) / 1.0, np.abs(b) / 0.3)  # noqa: E731
        return np.minimum(bar(u, v), bar(v, u))
    if k == 6:  # ellipse with axes 1 and 0.45
        return np.sqrt(u * u + (v / 0.45) ** 2)
    if k == 7:  # five-pointed star: the allowed radius swings between 0.45 and 1 with the angle
        return r / (0.45 + 0.55 * np.abs(np.cos(2.5 * np.arctan2(v, u))) ** 3)
    raise ValueError(f"unknown shape class {k}")


def make_shapes(
    n: int, image_size: int = 32, channels: int = 3, seed: int = 0, noise: float = 0.08, distractors: int = 2,
    classes: int = len(CLASSES),
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images (float32 (n, channels, S, S), values about in [0, 1]) and labels (int64).

    ``noise`` is the std of the Gaussian pixel noise; ``distractors`` small blobs
    are scattered per image; ``classes`` uses the first k shape classes.
    """
    if channels not in (1, 3):
        raise ValueError(f"make_shapes: channels must be 1 or 3, got {channels}")
    if not 2 <= classes <= len(CLASSES):
        raise ValueError(f"make_shapes: classes must be between 2 and {len(CLASSES)}, got {classes}")
    rng = np.random.default_rng(seed)
    s = image_size
    y = rng.integers(0, classes, n).astype(np.int64)
    col = lambda lo, hi: rng.uniform(lo, hi, (n, 1, 1)).astype(np.float32)  # noqa: E731  (per-image parameters)
    radius = col(0.17, 0.36) * s
    cx, cy = col(0.3, 0.7) * s, col(0.3, 0.7) * s
    theta = col(0.0, 2 * math.pi)
    grid = np.arange(s, dtype=np.float32) + 0.5
    dx, dy = grid[None, None, :] - cx, grid[None, :, None] - cy  # (n, S, S) by broadcasting
    cos, sin = np.cos(theta), np.sin(theta)
    u, v = (cos * dx + sin * dy) / radius, (-sin * dx + cos * dy) / radius

    f = np.empty((n, s, s), dtype=np.float32)
    for k in range(classes):  # one vectorized evaluation per class (8 at most), not per image
        idx = np.flatnonzero(y == k)
        if idx.size:
            f[idx] = _shape_function(k, u[idx], v[idx])
    # anti-aliased mask: 1 inside, 0 outside, a ramp one pixel wide across the edge
    mask = np.clip(0.5 + (1.0 - f) * radius, 0.0, 1.0)

    # colours: background and foreground differ by at least 0.35 in brightness
    c = channels
    bg = rng.uniform(0.0, 1.0, (n, c, 1, 1)).astype(np.float32)
    sign = np.where(bg.mean(1, keepdims=True) > 0.5, -1.0, 1.0).astype(np.float32)
    fg = np.clip(bg + sign * rng.uniform(0.35, 0.7, (n, c, 1, 1)).astype(np.float32), 0.0, 1.0)
    gradient = (col(-0.15, 0.15)[:, None] * (dx[:, None] / s) + col(-0.15, 0.15)[:, None] * (dy[:, None] / s))
    img = bg + gradient + (fg - bg) * mask[:, None]

    # distractors: small Gaussian blobs of random colour
    for _ in range(distractors):
        bx, by = col(0, 1) * s, col(0, 1) * s
        blob = np.exp(-((grid[None, None, :] - bx) ** 2 + (grid[None, :, None] - by) ** 2) / (2 * col(0.8, 1.6) ** 2))
        img += (rng.uniform(-0.5, 0.5, (n, c, 1, 1)).astype(np.float32)) * blob[:, None]
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(noise)
    return img.astype(np.float32), y


class Shapes(Dataset[tuple[Any, Any]]):
    """The shapes set as a Dataset: ``ds[i] = (image (C, S, S) tensor, label)``.

    ``split='train'`` and ``'test'`` draw from different seeds, so they never
    share an image; ``transform`` is applied to each image tensor.
    """

    classes = CLASSES

    def __init__(
        self, split: str = "train", n: int | None = None, seed: int = 0, image_size: int = 32, channels: int = 3,
        transform: Callable[[Any], Any] | None = None, **kwargs: Any,
    ) -> None:
        if split not in ("train", "test"):
            raise ValueError(f"Shapes: split must be 'train' or 'test', got {split!r}")
        n = n if n is not None else (10000 if split == "train" else 2000)
        self.data, self.targets = make_shapes(n, image_size, channels, seed * 2 + (split == "test"), **kwargs)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = Tensor._make(self.data[index])
        return (self.transform(image) if self.transform is not None else image), int(self.targets[index])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All images and labels as arrays (fast full-batch use)."""
        return self.data, self.targets
