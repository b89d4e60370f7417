"""``torch.nn.modules.padding``'s import path: the classes live in ``gradstudent.nn.spatial``."""

from __future__ import annotations

from ..spatial import ConstantPad2d, ZeroPad2d, ReflectionPad2d, ReplicationPad2d

__all__ = ["ConstantPad2d", "ZeroPad2d", "ReflectionPad2d", "ReplicationPad2d"]
