"""``torch.nn.modules.sparse``'s import path: the classes live in ``gradstudent.nn.sparse``."""

from __future__ import annotations

from ..sparse import Embedding

__all__ = ["Embedding"]
