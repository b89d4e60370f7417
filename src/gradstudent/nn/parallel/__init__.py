"""``gs.nn.parallel``: importable like ``torch.nn.parallel``; not yet implemented.

``DistributedDataParallel`` (and ``DataParallel``) arrive with the MPI work;
constructing one raises NotImplementedError with that message, so a program
fails at the line that needs it rather than training differently.
"""

from __future__ import annotations

from typing import Any

from ..module import Module

__all__ = ["DistributedDataParallel", "DataParallel"]


class DistributedDataParallel(Module):
    """Not implemented yet: raises NotImplementedError (it arrives with the MPI work)."""

    def __init__(self, module: Any = None, *args: Any, **kwargs: Any) -> None:
        from ...distributed import MESSAGE

        raise NotImplementedError(f"{type(self).__name__}: {MESSAGE} Use the module itself in a single process.")


class DataParallel(DistributedDataParallel):
    """Not implemented yet: raises NotImplementedError (gradstudent runs one process on one device)."""
