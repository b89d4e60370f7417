"""``torch.nn.modules.dropout``'s import path: the classes live in ``gradstudent.nn.dropout``."""

from __future__ import annotations

from ..dropout import Dropout
from ..spatial import Dropout1d, Dropout2d

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]
