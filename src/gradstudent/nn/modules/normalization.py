"""``torch.nn.modules.normalization``'s import path: the classes live in ``gradstudent.nn.normalization``."""

from __future__ import annotations

from ..normalization import LayerNorm
from ..batchnorm import GroupNorm

__all__ = ["LayerNorm", "GroupNorm"]
