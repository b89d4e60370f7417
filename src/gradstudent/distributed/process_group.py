"""The process group: who am I (``get_rank``), how many are we (``get_world_size``), and collectives.

``torch.distributed``'s shapes on MPI (through mpi4py): the program is started ``W`` times,
usually by ``mpiexec -n W python train.py``; each copy (a *rank*, ``0 .. W-1``) calls
:func:`init_process_group` once and then takes part in *collectives*, operations every rank
calls together:

* ``all_reduce(t, op=SUM)``: every rank ends with ``t_0 + t_1 + ... + t_{W-1}`` (in place),
* ``broadcast(t, src)``: every rank ends with rank ``src``'s ``t``,
* ``all_gather(out, t)``: every rank ends with the list ``[t_0, ..., t_{W-1}]``,
* ``reduce(t, dst, op)``: only rank ``dst`` ends with the reduction,
* ``barrier()``: nobody leaves until everybody has arrived.

A collective that one rank never calls blocks the others: every rank must call the same
collectives in the same order on tensors of the same shape and dtype. The public collectives
check shape and dtype first (one small extra message) so that a mismatch is an error naming
both layouts rather than a crash or a silently wrong sum.

mpi4py is an optional dependency (``pip install -e ".[mpi]"``, which also brings the MPICH
wheel and its ``mpiexec``). It is imported only by :func:`init_process_group`, so
``import gradstudent`` works without it.
"""

from __future__ import annotations

import importlib.util
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tensor import Tensor

INSTALL_HINT = 'gradstudent.distributed needs mpi4py and an MPI library: pip install -e ".[mpi]" (mpi4py and the mpich wheel)'


class ReduceOp:
    """The reductions of ``torch.distributed.ReduceOp``. ``AVG`` is ``SUM`` divided by the world size."""

    SUM, PRODUCT, MIN, MAX, AVG = "sum", "product", "min", "max", "avg"


@dataclass
class _World:
    """The default process group: MPI's ``COMM_WORLD`` once :func:`init_process_group` ran.

    The one piece of process-wide state here, as in torch (and MPI itself is process-wide)."""

    comm: Any = None


_WORLD = _World()


def _load_mpi() -> Any:
    """``mpi4py.MPI`` (importing it initialises MPI), or an ImportError saying what to install."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError(f"{INSTALL_HINT} ({err})") from None
    return MPI


def is_available() -> bool:
    """True when mpi4py is installed (nothing is initialised by asking)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    """True between :func:`init_process_group` and :func:`destroy_process_group`."""
    return _WORLD.comm is not None


def init_process_group(backend: str | None = "mpi", init_method: str | None = None, world_size: int = -1,
                       rank: int = -1, **unused: Any) -> None:
    """Join the default process group: MPI's world, as started by ``mpiexec -n W``.

    ``backend`` must be ``"mpi"`` (or None): gloo and NCCL are torch's own libraries. Rank and
    world size come from ``mpiexec``; ``world_size``/``rank``, if given, must agree with it.
    Started without ``mpiexec``, the program is a world of one (rank 0 of 1).
    """
    if backend not in (None, "mpi"):
        raise ValueError(f"init_process_group: backend {backend!r} is not available; gradstudent speaks MPI only "
                         "(backend='mpi', started with mpiexec -n W)")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method {init_method!r} is not supported; mpiexec tells every "
                         "process its rank and the world size")
    if _WORLD.comm is not None:
        raise RuntimeError("init_process_group: trying to initialize the default process group twice!")
    MPI = _load_mpi()
    if MPI.Is_finalized():
        raise RuntimeError("init_process_group: MPI was finalized in this process (destroy_process_group); "
                           "MPI cannot be started again in the same process")
    comm = MPI.COMM_WORLD
    for name, asked, actual in (("world_size", world_size, comm.Get_size()), ("rank", rank, comm.Get_rank())):
        if asked != -1 and asked != actual:
            raise ValueError(f"init_process_group: {name}={asked} was asked, but mpiexec started this process "
                             f"with {name}={actual}")
    _WORLD.comm = comm


def destroy_process_group(group: Any = None) -> None:
    """Leave the default process group (MPI itself is finalised when the process exits)."""
    _comm("destroy_process_group")
    _WORLD.comm = None


def _comm(where: str) -> Any:
    if _WORLD.comm is None:
        raise RuntimeError(f"{where}: Default process group has not been initialized, please make sure to call "
                           "init_process_group.")
    return _WORLD.comm


def get_rank(group: Any = None) -> int:
    """This process's number, ``0 .. world_size - 1``."""
    return int(_comm("get_rank").Get_rank())


def get_world_size(group: Any = None) -> int:
    """How many processes take part."""
    return int(_comm("get_world_size").Get_size())


def barrier(group: Any = None) -> None:
    """Wait until every rank has called ``barrier``."""
    _comm("barrier").Barrier()


# ---- collectives on arrays (what DistributedDataParallel uses) ------------------------------
def _mpi_op(op: str, where: str) -> Any:
    MPI = _load_mpi()
    table = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}
    if op not in table:
        raise ValueError(f"{where}: unknown op {op!r}; use one of ReduceOp.SUM, PRODUCT, MIN, MAX, AVG")
    return table[op]


def all_reduce_array(a: np.ndarray, op: str = ReduceOp.SUM) -> None:
    """``a <- op(a over all ranks)`` in place (``MPI_Allreduce`` with ``MPI_IN_PLACE``).

    ``a`` must be C-contiguous; no layout check (callers that own both sides' layouts use this)."""
    comm = _comm("all_reduce")
    comm.Allreduce(_load_mpi().IN_PLACE, a, op=_mpi_op(op, "all_reduce"))
    if op == ReduceOp.AVG:
        a /= comm.Get_size()


def broadcast_array(a: np.ndarray, src: int = 0) -> None:
    """``a <- rank src's a`` in place (``MPI_Bcast``); ``a`` must be C-contiguous."""
    _comm("broadcast").Bcast(a, root=src)


def broadcast_text(text: str | None, src: int = 0) -> str:
    """Rank ``src``'s string on every rank (length first, then UTF-8 bytes; no pickling)."""
    comm = _comm("broadcast_text")
    data = (text or "").encode("utf-8") if comm.Get_rank() == src else b""
    size = np.array([len(data)], dtype=np.int64)
    comm.Bcast(size, root=src)
    buf = np.frombuffer(data, dtype=np.uint8).copy() if comm.Get_rank() == src else np.empty(int(size[0]), np.uint8)
    comm.Bcast(buf, root=src)
    return buf.tobytes().decode("utf-8")


def check_same_layout(where: str, shapes: list[tuple[int, ...]], dtypes: list[Any]) -> None:
    """Raise on every rank unless all ranks pass the same shapes and dtypes (one small Allreduce).

    Each rank sums a fingerprint of its layout; min and max over ranks differ iff some rank differs."""
    comm = _comm(where)
    text = ";".join(f"{tuple(s)}:{np.dtype(d).str}" for s, d in zip(shapes, dtypes))
    mine = np.array([zlib.crc32(text.encode()), len(shapes)], dtype=np.int64)
    low, high = mine.copy(), mine.copy()
    MPI = _load_mpi()
    comm.Allreduce(MPI.IN_PLACE, low, op=MPI.MIN)
    comm.Allreduce(MPI.IN_PLACE, high, op=MPI.MAX)
    if not np.array_equal(low, high):
        short = text if len(text) < 300 else text[:300] + "..."
        raise RuntimeError(f"{where}: the ranks disagree on the tensors' shapes or dtypes (rank {comm.Get_rank()} has "
                           f"{len(shapes)} tensor(s): {short}); every rank must pass the same layout")


# ---- collectives on tensors (torch.distributed's functions) ---------------------------------
def _buffer(t: Any, where: str) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(t).__name__}")
    if not isinstance(t._data, np.ndarray):
        raise TypeError(f"{where}: MPI collectives here work on CPU (NumPy) tensors; this tensor is on {t.device}")
    return t._data


def _write_back(t: Tensor, data: np.ndarray, values: np.ndarray) -> None:
    """Put ``values`` into the tensor's memory (a no-op if they already are) and bump its version."""
    if values is not data:
        data[...] = values
    t._vbox[0] += 1  # an in-place change, as seen by autograd's saved-tensor checks


def all_reduce(tensor: Tensor, op: str = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> None:
    """In place: every rank's ``tensor`` becomes the reduction (default: the sum) over all ranks."""
    data = _buffer(tensor, "all_reduce")
    check_same_layout("all_reduce", [data.shape], [data.dtype])
    work = np.ascontiguousarray(data)
    if op == ReduceOp.AVG and not np.issubdtype(work.dtype, np.floating):
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating tensor, got {work.dtype}")
    all_reduce_array(work, op)
    _write_back(tensor, data, work)


def broadcast(tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False) -> None:
    """In place: every rank's ``tensor`` becomes rank ``src``'s."""
    data = _buffer(tensor, "broadcast")
    _check_rank(src, "broadcast", "src")
    check_same_layout("broadcast", [data.shape], [data.dtype])
    work = np.ascontiguousarray(data)
    broadcast_array(work, src)
    _write_back(tensor, data, work)


def reduce(tensor: Tensor, dst: int = 0, op: str = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> None:
    """In place on rank ``dst`` only: its ``tensor`` becomes the reduction over all ranks."""
    data = _buffer(tensor, "reduce")
    _check_rank(dst, "reduce", "dst")
    check_same_layout("reduce", [data.shape], [data.dtype])
    comm, MPI = _comm("reduce"), _load_mpi()
    work = np.ascontiguousarray(data)
    if comm.Get_rank() == dst:
        comm.Reduce(MPI.IN_PLACE, work, op=_mpi_op(op, "reduce"), root=dst)
        if op == ReduceOp.AVG:
            work /= comm.Get_size()
        _write_back(tensor, data, work)
    else:
        comm.Reduce(work, None, op=_mpi_op(op, "reduce"), root=dst)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False) -> None:
    """``tensor_list[r]`` becomes rank ``r``'s ``tensor`` on every rank (the list has world-size tensors)."""
    data = _buffer(tensor, "all_gather")
    comm = _comm("all_gather")
    if len(tensor_list) != comm.Get_size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors; it needs one per rank ({comm.Get_size()})")
    for i, out in enumerate(tensor_list):
        if _buffer(out, "all_gather").shape != data.shape or out.dtype != tensor.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {tuple(out.shape)} and dtype {out.dtype}; "
                             f"it must match the input's {tuple(data.shape)} and {tensor.dtype}")
    check_same_layout("all_gather", [data.shape], [data.dtype])
    gathered = np.empty((comm.Get_size(), *data.shape), dtype=data.dtype)
    comm.Allgather(np.ascontiguousarray(data), gathered)
    for out, values in zip(tensor_list, gathered):
        _write_back(out, out._data, values)


def _check_rank(rank: int, where: str, name: str) -> None:
    size = _comm(where).Get_size()
    if not isinstance(rank, int) or not 0 <= rank < size:
        raise ValueError(f"{where}: {name}={rank!r} is not a rank of this world of {size} (0 .. {size - 1})")
