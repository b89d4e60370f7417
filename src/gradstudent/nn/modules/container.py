"""``torch.nn.modules.container``'s import path: the classes live in ``gradstudent.nn.containers``."""

from __future__ import annotations

from ..containers import Sequential, ModuleList, ModuleDict, ParameterList

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]
