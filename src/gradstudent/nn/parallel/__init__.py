"""``gs.nn.parallel``: importable like ``torch.nn.parallel``.

``DistributedDataParallel`` is :class:`gradstudent.distributed.DistributedDataParallel` (it
lives there, above ``nn``, because it needs the MPI process group); it is looked up when first
asked for. ``DataParallel`` (one process driving several devices) does not exist here:
gradstudent runs one process per device, so use ``DistributedDataParallel`` under ``mpiexec``.
"""

from __future__ import annotations

from typing import Any

from ..module import Module

__all__ = ["DistributedDataParallel", "DataParallel"]


class DataParallel(Module):
    """Not available: raises NotImplementedError (use DistributedDataParallel, one process per device)."""

    def __init__(self, module: Any = None, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("DataParallel: gradstudent runs one process per device; use "
                                  "gradstudent.distributed.DistributedDataParallel under mpiexec (docs/distributed.md), "
                                  "or the module itself in a single process.")


def __getattr__(name: str) -> Any:
    if name == "DistributedDataParallel":
        from ...distributed.ddp import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
