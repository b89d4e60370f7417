"""``torch.nn.modules.fold``'s import path: the classes live in ``gradstudent.nn.spatial``."""

from __future__ import annotations

from ..spatial import Fold, Unfold

__all__ = ["Fold", "Unfold"]
