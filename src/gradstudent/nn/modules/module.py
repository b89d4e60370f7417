"""``torch.nn.modules.module``'s import path: the classes live in ``gradstudent.nn.module``."""

from __future__ import annotations

from ..module import Module

__all__ = ["Module"]
