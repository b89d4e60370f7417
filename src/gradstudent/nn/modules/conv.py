"""``torch.nn.modules.conv``'s import path: the classes live in ``gradstudent.nn.conv``."""

from __future__ import annotations

from ..conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]
