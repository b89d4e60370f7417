"""``gs.distributed``: importable like ``torch.distributed``; not yet implemented.

Multi-process training (process groups, all-reduce, ``DistributedDataParallel``)
arrives with the MPI work. Until then, questions about the setup answer as a
single process would (``is_available()`` is False, ``is_initialized()`` is
False), and anything that would communicate raises NotImplementedError.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_available", "is_initialized", "init_process_group", "destroy_process_group", "get_rank", "get_world_size",
    "barrier", "all_reduce", "broadcast", "all_gather", "reduce", "ReduceOp",
]

MESSAGE = (
    "gradstudent.distributed is not implemented yet: multi-process training (process groups, all-reduce, "
    "DistributedDataParallel) arrives with the MPI work. Train in a single process for now."
)


def is_available() -> bool:
    """False: there is no distributed backend yet."""
    return False


def is_initialized() -> bool:
    """False: no process group can be created yet."""
    return False


def _unavailable(name: str) -> Any:
    def function(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"gs.distributed.{name}: {MESSAGE}")

    function.__name__ = name
    function.__doc__ = f"Not implemented yet ({name}): raises NotImplementedError. " + MESSAGE
    return function


init_process_group = _unavailable("init_process_group")
destroy_process_group = _unavailable("destroy_process_group")
get_rank = _unavailable("get_rank")
get_world_size = _unavailable("get_world_size")
barrier = _unavailable("barrier")
all_reduce = _unavailable("all_reduce")
broadcast = _unavailable("broadcast")
all_gather = _unavailable("all_gather")
reduce = _unavailable("reduce")


class ReduceOp:
    """The reduction names of ``torch.distributed.ReduceOp`` (usable only once collectives exist)."""

    SUM, PRODUCT, MIN, MAX, AVG = "sum", "product", "min", "max", "avg"
