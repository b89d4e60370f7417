"""``torch.nn.modules.flatten``'s import path: the classes live in ``gradstudent.nn.linear``."""

from __future__ import annotations

from ..linear import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
