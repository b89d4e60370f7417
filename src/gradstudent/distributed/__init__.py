"""``gs.distributed``: data-parallel training over MPI, shaped like ``torch.distributed``.

Start ``W`` copies of a program with ``mpiexec -n W python train.py`` (mpi4py and the MPICH
wheel: ``pip install -e ".[mpi]"``); each calls ``init_process_group()``, wraps its model in
``DistributedDataParallel`` and reads its part of the data through a ``DistributedSampler``::

    import gradstudent as gs
    from gradstudent import distributed as dist

    dist.init_process_group()                       # rank and world size come from mpiexec
    model = dist.DistributedDataParallel(net)       # rank 0's weights everywhere
    sampler = dist.DistributedSampler(dataset, shuffle=True, seed=0)
    loader = gs.utils.data.DataLoader(dataset, batch_size=32, sampler=sampler)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x, y in loader:
            opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()   # gradients averaged in backward

``gradstudent run NAME --distributed`` does this for the experiments that support it, and
``gradstudent sweep`` spreads a grid of settings over ranks. See docs/distributed.md.
mpi4py is imported only when a process group is created: ``import gradstudent`` works without it.
"""

from __future__ import annotations

from .ddp import DistributedDataParallel
from .launch import run_or_abort
from .process_group import (
    INSTALL_HINT,
    ReduceOp,
    all_gather,
    all_reduce,
    barrier,
    broadcast,
    destroy_process_group,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    reduce,
)
from ..utils.data.distributed import DistributedSampler, GlobalBatchShardSampler

__all__ = [
    "is_available", "is_initialized", "init_process_group", "destroy_process_group", "get_rank", "get_world_size",
    "barrier", "all_reduce", "broadcast", "all_gather", "reduce", "ReduceOp", "DistributedDataParallel",
    "DistributedSampler", "GlobalBatchShardSampler", "run_or_abort", "INSTALL_HINT",
]
