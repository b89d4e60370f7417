"""``torch.nn.modules.batchnorm``'s import path: the classes live in ``gradstudent.nn.batchnorm``."""

from __future__ import annotations

from ..batchnorm import BatchNorm1d, BatchNorm2d

__all__ = ["BatchNorm1d", "BatchNorm2d"]
