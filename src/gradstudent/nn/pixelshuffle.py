"""Pixel shuffle (sub-pixel convolution): trade channels for resolution.

``pixel_shuffle`` with upscale factor r rearranges (*, C·r², H, W) into
(*, C, H·r, W·r)::

    out[..., c, h·r + i, w·r + j] = in[..., c·r² + i·r + j, h, w]

``pixel_unshuffle`` is its inverse. Both are a reshape, a permute and a
reshape, so their gradients come from those ops.
"""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "pixel_shuffle", "pixel_unshuffle"]


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) -> (*, C, H·r, W·r) with r = ``upscale_factor``."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r}"
        )
    lead = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)  # [..., c, i, j, h, w]
    x = x.permute(*range(lead), lead, lead + 3, lead + 1, lead + 4, lead + 2)  # [..., c, h, i, w, j]
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) -> (*, C·r², H, W) with r = ``downscale_factor``: the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, hr, wr = input.shape
    if hr % r or wr % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor={r}, "
            f"but got input of shape {tuple(input.shape)}"
        )
    lead = len(batch)
    x = input.reshape(*batch, c, hr // r, r, wr // r, r)  # [..., c, h, i, w, j]
    x = x.permute(*range(lead), lead, lead + 2, lead + 4, lead + 1, lead + 3)  # [..., c, i, j, h, w]
    return x.reshape(*batch, c * r * r, hr // r, wr // r)


class PixelShuffle(Module):
    """Module form of :func:`pixel_shuffle`."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Module form of :func:`pixel_unshuffle`."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
