"""``gradstudent run NAME --distributed``: one experiment trained by every MPI rank together.

The promise: ``mpiexec -n W gradstudent run digits-mlp --distributed`` ends with the weights
of ``gradstudent run digits-mlp`` (one process, the same ``--batch-size``), up to float
rounding. Three choices make it so:

* **The same global batches.** Every rank draws the epoch's permutation exactly as the single
  run's ``DataLoader(shuffle=True)`` does (same seed, same draws), takes rank 0's copy of it
  (so ranks can never read overlapping shards), cuts it into the same global batches of
  ``batch_size`` and reads its strided shard ``batch[rank::W]`` of each
  (:class:`~gradstudent.distributed.GlobalBatchShardSampler`). ``--batch-size`` stays the
  *global* batch; each rank computes on about ``batch_size / W`` samples.
* **The global mean gradient.** ``DistributedDataParallel`` averages the ranks' gradients.
  That equals the gradient of the mean loss over the global batch when the shards are equal;
  a last, shorter batch may be shared unevenly (13 samples: 7 and 6), so each rank's mean loss
  is weighted by ``n_rank * W / n_global`` before backward: the average of the weighted means is
  then the global mean.
* **One writer.** Rank 0 alone creates the run directory (and tells the others its name),
  writes config.json, log.txt, metrics.json, figures and checkpoints; the others keep quiet.
  ``--resume`` on every rank reads the same checkpoint (one file system, or the run directory
  copied to every machine). A stop request (Ctrl-C) is agreed on by all ranks at the end of
  an epoch, so that they stop together.

Experiments opt in by building their loader, model wrapper and epoch with the helpers below;
``--distributed`` refuses the others rather than running W copies of the same single run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import nn
from ..distributed import (
    DistributedDataParallel,
    GlobalBatchShardSampler,
    ReduceOp,
    get_rank,
    get_world_size,
)
from ..distributed.process_group import all_reduce_array, broadcast_array, broadcast_text
from ..tensor import Tensor
from ..utils.data import DataLoader, Dataset, RandomSampler
from .common import train_epoch as single_train_epoch
from .context import ConfigError, RunContext

#: The experiments that train with the helpers below.
SUPPORTED = frozenset({"digits-mlp"})


def check_supported(name: str) -> None:
    if name not in SUPPORTED:
        raise ConfigError(f"--distributed: experiment {name!r} does not support data-parallel training yet "
                          f"(supported: {', '.join(sorted(SUPPORTED))}); use `gradstudent sweep` to spread runs over ranks")


def shared_run_dir(make: Callable[[], Path]) -> Path:
    """Rank 0 makes the run directory; every rank returns its path."""
    return Path(broadcast_text(str(make()) if get_rank() == 0 else None))


class DistributedContext(RunContext):
    """A RunContext for one rank of a data-parallel run: rank 0 writes, the others only compute."""

    def __init__(self, name: str, config: dict[str, Any], out: Path, resume: dict[str, Any] | None = None,
                 quiet: bool = False) -> None:
        self.rank, self.world_size = get_rank(), get_world_size()
        super().__init__(name, config, out, resume=resume, quiet=quiet or self.rank != 0)

    def _agree_to_stop(self) -> bool:
        flag = np.array([1 if self._stop_requested else 0], dtype=np.int64)
        all_reduce_array(flag, ReduceOp.MAX)
        return bool(flag[0])

    def log(self, text: str) -> None:
        if self.rank == 0:
            super().log(text)

    def save_figure(self, fig: Any, filename: str) -> Path:
        if self.rank == 0:
            return super().save_figure(fig, filename)
        return self.out / filename

    def save_table(self, rows: list[dict[str, Any]], name: str) -> str:
        return super().save_table(rows, name) if self.rank == 0 else ""

    def write_json(self, name: str, obj: Any) -> None:
        if self.rank == 0:
            super().write_json(name, obj)

    def _checkpoint(self, epoch: int, model: Any, optimizer: Any, scheduler: Any, extra: Any) -> None:
        if self.rank == 0:
            super()._checkpoint(epoch, model, optimizer, scheduler, extra)


# ---- what a supporting experiment calls -------------------------------------------------------
def train_loader(ctx: RunContext, dataset: Dataset[Any], batch_size: int) -> DataLoader:
    """``DataLoader(dataset, batch_size, shuffle=True)``; under --distributed, this rank's shard of each of its batches."""
    if not isinstance(ctx, DistributedContext):
        return DataLoader(dataset, batch_size=batch_size, shuffle=True)
    n, world = len(dataset), ctx.world_size  # type: ignore[arg-type]
    if batch_size < world or 0 < n % batch_size < world:
        raise ConfigError(f"--distributed: with {n} samples and --batch-size {batch_size}, some global batch has fewer "
                          f"samples than the {world} ranks; choose another --batch-size")
    shards = GlobalBatchShardSampler(RandomSampler(dataset), batch_size, False, world, ctx.rank, agree=_rank0_order)
    return DataLoader(dataset, batch_sampler=shards)


def _rank0_order(order: np.ndarray) -> np.ndarray:
    order = np.ascontiguousarray(order, dtype=np.int64)
    broadcast_array(order, 0)
    return order


def wrap_model(ctx: RunContext, model: nn.Module) -> nn.Module:
    """``model`` itself, or ``DistributedDataParallel(model)`` under --distributed."""
    return DistributedDataParallel(model) if isinstance(ctx, DistributedContext) else model


def train_epoch(ctx: RunContext, model: nn.Module, loader: DataLoader, optimizer: Any,
                loss_fn: Callable[[Tensor, Tensor], Tensor]) -> float:
    """One epoch; returns the mean loss over the whole (global) epoch, the same number on every rank."""
    if not isinstance(ctx, DistributedContext):
        return single_train_epoch(ctx, model, loader, optimizer, loss_fn)
    model.train()
    sums = np.zeros(2, dtype=np.float64)  # [sum of losses over my samples, my sample count]
    for xb, yb in ctx.progress(loader, desc="train"):
        n_local = np.array([len(yb)], dtype=np.int64)
        n_global = n_local.copy()
        all_reduce_array(n_global, ReduceOp.SUM)
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        weight = float(n_local[0]) * ctx.world_size / float(n_global[0])
        (loss if weight == 1.0 else loss * weight).backward()  # DDP averages; the weights make it the global mean
        optimizer.step()
        sums += (loss.item() * len(yb), len(yb))
        ctx.set_postfix(loss=sums[0] / sums[1])
    all_reduce_array(sums, ReduceOp.SUM)
    if sums[1] == 0:
        raise ValueError(f"train: the loader yielded no samples on any of the {ctx.world_size} ranks; there is no mean loss")
    return float(sums[0] / sums[1])
