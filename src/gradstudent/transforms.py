"""Image transforms and data augmentation, with torchvision's names and arguments.

A transform is a callable ``image -> image``; ``Compose`` chains them. They
take one image (C, H, W) — as a Dataset's ``transform=`` applies them per
sample — or a whole batch (N, C, H, W) at once, drawing independent random
parameters for every image with vectorized code (the fast way to augment in a
training loop). Inputs may be tensors or arrays; outputs are tensors.

Random transforms take ``generator=`` (a :class:`gradstudent.Generator`) and
otherwise draw from the default generator, so ``gradstudent.manual_seed``
makes augmentation reproducible.

Augmentation creates new training images that keep the label: a cat shifted
by 3 pixels or mirrored is still a cat. The network is thereby told which
changes should not matter (a regularizer, see the ``augmentation`` experiment).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .random import Generator, default_generator
from .tensor import Tensor


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _batched(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """Work on (N, C, H, W); remember whether the input was a single (C, H, W) image."""
    if x.ndim == 3:
        return x[None], True
    if x.ndim != 4:
        raise ValueError(f"transforms: expected an image (C, H, W) or a batch (N, C, H, W), got shape {x.shape}")
    return x, False


def _out(x: np.ndarray, single: bool) -> Tensor:
    return Tensor._make(x[0] if single else x)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator()).rng


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class ToTensor:
    """uint8 (H, W) or (H, W, C) images in [0, 255] -> float32 (C, H, W) tensors in [0, 1].

    Float arrays and tensors are taken to be (C, H, W) already and only converted to float32.
    """

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        if a.dtype == np.uint8:
            a = a.astype(np.float32) * np.float32(1 / 255)
            return Tensor._make(np.ascontiguousarray(np.moveaxis(a, -1, 0)) if a.ndim == 3 else a[None])
        return Tensor._make(a.astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel c."""

    def __init__(self, mean: Sequence[float] | float, std: Sequence[float] | float) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float32))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float32))
        if np.any(self.std == 0):
            raise ValueError("Normalize: std must be non-zero")

    def __call__(self, x: Any) -> Tensor:
        a, single = _batched(_array(x))
        shape = (1, -1, 1, 1)
        return _out((a - self.mean.reshape(shape)) / self.std.reshape(shape), single)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p`` (each image of a batch independently)."""

    def __init__(self, p: float = 0.5, generator: Generator | None = None) -> None:
        self.p, self.generator = p, generator

    def __call__(self, x: Any) -> Tensor:
        a, single = _batched(_array(x))
        flip = _rng(self.generator).random(len(a)) < self.p
        out = a.copy()
        out[flip] = a[flip, :, :, ::-1]
        return _out(out, single)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomCrop:
    """Pad by ``padding`` (fill or edge/reflect), then cut a random ``size`` window.

    The classic CIFAR augmentation is ``RandomCrop(32, padding=4)``: shifts of up
    to 4 pixels. A batch is cut with one gather (per-image offsets), no loop.
    """

    def __init__(
        self, size: int | Sequence[int], padding: int | Sequence[int] | None = None, pad_if_needed: bool = False,
        fill: float = 0.0, padding_mode: str = "constant", generator: Generator | None = None,
    ) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding, self.pad_if_needed, self.fill = padding, pad_if_needed, fill
        self.padding_mode, self.generator = padding_mode, generator
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: unknown padding_mode {padding_mode!r}")

    def __call__(self, x: Any) -> Tensor:
        a, single = _batched(_array(x))
        if self.padding is not None:
            p = self.padding
            left, top, right, bottom = (p, p, p, p) if isinstance(p, int) else (tuple(p) * 2 if len(p) == 2 else tuple(p))
            a = self._pad(a, top, bottom, left, right)
        th, tw = self.size
        if self.pad_if_needed and (a.shape[2] < th or a.shape[3] < tw):
            dh, dw = max(th - a.shape[2], 0), max(tw - a.shape[3], 0)
            a = self._pad(a, dh, dh, dw, dw)
        n, _, h, w = a.shape
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) image {(h, w)}")
        rng = _rng(self.generator)
        top_off, left_off = rng.integers(0, h - th + 1, n), rng.integers(0, w - tw + 1, n)
        rows = top_off[:, None] + np.arange(th)  # (n, th)
        cols = left_off[:, None] + np.arange(tw)  # (n, tw)
        out = a[np.arange(n)[:, None, None, None], np.arange(a.shape[1])[None, :, None, None], rows[:, None, :, None], cols[:, None, None, :]]
        return _out(out, single)

    def _pad(self, a: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            return np.pad(a, widths, constant_values=self.fill)
        return np.pad(a, widths, mode=self.padding_mode)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


def _warp(a: np.ndarray, inverse: np.ndarray, fill: float, interpolation: str) -> np.ndarray:
    """Resample each image of a (N, C, H, W) batch through its own 2x3 affine map.

    ``inverse`` (N, 2, 3) maps output pixel centres (x, y, 1), measured from the
    image centre, to input coordinates; pixels that land outside get ``fill``.
    Bilinear: a weighted sum of the 4 neighbouring input pixels.
    """
    n, c, h, w = a.shape
    ys, xs = np.meshgrid(np.arange(h) - (h - 1) / 2, np.arange(w) - (w - 1) / 2, indexing="ij")
    pts = np.stack([xs.ravel(), ys.ravel(), np.ones(h * w)])  # (3, H*W)
    src = inverse @ pts  # (N, 2, H*W)
    sx, sy = src[:, 0] + (w - 1) / 2, src[:, 1] + (h - 1) / 2
    padded = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=fill)  # border reads give fill
    batch = np.arange(n)[:, None]
    if interpolation == "nearest":
        ix = np.clip(np.round(sx).astype(np.int64) + 1, 0, w + 1)
        iy = np.clip(np.round(sy).astype(np.int64) + 1, 0, h + 1)
        out = padded[batch, :, iy, ix]  # (N, H*W, C)
    else:
        x0, y0 = np.floor(sx), np.floor(sy)
        tx, ty = (sx - x0)[..., None], (sy - y0)[..., None]
        ix0 = np.clip(x0.astype(np.int64) + 1, 0, w + 1)
        iy0 = np.clip(y0.astype(np.int64) + 1, 0, h + 1)
        ix1, iy1 = np.clip(ix0 + 1, 0, w + 1), np.clip(iy0 + 1, 0, h + 1)
        out = (
            padded[batch, :, iy0, ix0] * ((1 - tx) * (1 - ty)) + padded[batch, :, iy0, ix1] * (tx * (1 - ty))
            + padded[batch, :, iy1, ix0] * ((1 - tx) * ty) + padded[batch, :, iy1, ix1] * (tx * ty)
        )
    return np.ascontiguousarray(out.transpose(0, 2, 1).reshape(n, c, h, w)).astype(a.dtype)


class RandomAffine:
    """Random rotation (degrees), translation (fraction of the size), scale and shear, per image.

    Each image gets A = T R S H (shear, scale, rotate, translate about the image
    centre); the output is sampled at A^-1 of every pixel (bilinear by default).
    """

    def __init__(
        self, degrees: float | Sequence[float], translate: Sequence[float] | None = None,
        scale: Sequence[float] | None = None, shear: float | Sequence[float] | None = None,
        interpolation: str = "bilinear", fill: float = 0.0, generator: Generator | None = None,
    ) -> None:
        self.degrees = (-degrees, degrees) if isinstance(degrees, int | float) else tuple(degrees)
        self.translate, self.scale = translate, scale
        self.shear = (-shear, shear) if isinstance(shear, int | float) else (tuple(shear) if shear is not None else None)
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"RandomAffine: interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        self.interpolation, self.fill, self.generator = interpolation, fill, generator

    def matrices(self, n: int, h: int, w: int) -> np.ndarray:
        """(n, 2, 3) inverse maps for n random transforms (exposed for tests and plots)."""
        rng = _rng(self.generator)
        angle = np.deg2rad(rng.uniform(*self.degrees, n))
        s = rng.uniform(*self.scale, n) if self.scale is not None else np.ones(n)
        shx = np.deg2rad(rng.uniform(*self.shear[:2], n)) if self.shear is not None else np.zeros(n)
        tx = rng.uniform(-1, 1, n) * (self.translate[0] * w if self.translate else 0.0)
        ty = rng.uniform(-1, 1, n) * (self.translate[1] * h if self.translate else 0.0)
        cos, sin = np.cos(angle), np.sin(angle)
        forward = np.zeros((n, 3, 3))
        # rotation * scale * shear (x' = x + tan(shear) y), then the translation
        forward[:, 0, 0], forward[:, 0, 1] = s * cos, s * (cos * np.tan(shx) - sin)
        forward[:, 1, 0], forward[:, 1, 1] = s * sin, s * (sin * np.tan(shx) + cos)
        forward[:, 0, 2], forward[:, 1, 2], forward[:, 2, 2] = tx, ty, 1.0
        return np.linalg.inv(forward)[:, :2]

    def __call__(self, x: Any) -> Tensor:
        a, single = _batched(_array(x))
        return _out(_warp(a, self.matrices(len(a), *a.shape[2:]), self.fill, self.interpolation), single)

    def __repr__(self) -> str:
        return f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, shear={self.shear})"


class RandomRotation(RandomAffine):
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means [-d, d])."""

    def __init__(self, degrees: float | Sequence[float], interpolation: str = "bilinear", fill: float = 0.0, generator: Generator | None = None) -> None:
        super().__init__(degrees, interpolation=interpolation, fill=fill, generator=generator)

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees})"


class GaussianNoise:
    """Add N(mean, sigma^2) noise to every pixel, optionally clipping to ``clip = (lo, hi)``."""

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: tuple[float, float] | None = None, generator: Generator | None = None) -> None:
        self.mean, self.sigma, self.clip, self.generator = mean, sigma, clip, generator

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        noisy = a + _rng(self.generator).normal(self.mean, self.sigma, a.shape).astype(a.dtype)
        if self.clip is not None:
            noisy = np.clip(noisy, *self.clip)
        return Tensor._make(noisy)

    def __repr__(self) -> str:
        return f"GaussianNoise(mean={self.mean}, sigma={self.sigma})"


class Lambda:
    """Wrap any function as a transform."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, x: Any) -> Any:
        return self.fn(x)

