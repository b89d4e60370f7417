"""``torch.nn.modules.pixelshuffle``'s import path: the classes live in ``gradstudent.nn.pixelshuffle``."""

from __future__ import annotations

from ..pixelshuffle import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
