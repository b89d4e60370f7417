"""``torch.nn.modules.linear``'s import path: the classes live in ``gradstudent.nn.linear``."""

from __future__ import annotations

from ..linear import Linear, Identity

__all__ = ["Linear", "Identity"]
