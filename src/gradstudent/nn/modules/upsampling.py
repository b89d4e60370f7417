"""``torch.nn.modules.upsampling``'s import path: the classes live in ``gradstudent.nn.upsampling``."""

from __future__ import annotations

from ..upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
