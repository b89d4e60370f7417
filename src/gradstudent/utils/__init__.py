"""Utilities: ``gradstudent.utils.data``."""

from . import data  # noqa: F401
