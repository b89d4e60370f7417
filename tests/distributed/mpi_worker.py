"""Programs the MPI tests start under ``mpiexec -n W python mpi_worker.py MODE`` (not a test module).

Each mode prints one JSON line per rank, prefixed ``RESULT``, that the test reads.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np

import gradstudent as gs
from gradstudent import distributed as dist
from gradstudent import nn


def report(**values: object) -> None:
    print("RESULT " + json.dumps({"rank": dist.get_rank(), **values}), flush=True)


def _net(seed: int) -> nn.Module:
    gs.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))


def _flat_grads(model: nn.Module) -> np.ndarray:
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


def collectives() -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    t = gs.tensor([float(rank + 1), 10.0 * (rank + 1)])
    dist.all_reduce(t)
    avg = gs.tensor([float(rank)])
    dist.all_reduce(avg, op=dist.ReduceOp.AVG)
    mx = gs.tensor([rank], dtype=gs.int64)
    dist.all_reduce(mx, op=dist.ReduceOp.MAX)
    b = gs.tensor([float(rank + 5)] * 3)
    dist.broadcast(b, src=world - 1)
    gathered = [gs.zeros(2) for _ in range(world)]
    dist.all_gather(gathered, gs.tensor([float(rank), -float(rank)]))
    red = gs.tensor([1.0])
    dist.reduce(red, dst=0)
    try:
        dist.all_reduce(gs.zeros(2 + rank))
        mismatch = "no error"
    except RuntimeError as err:
        mismatch = str(err)
    dist.barrier()
    report(sum=t.tolist(), avg=avg.tolist(), max=mx.tolist(), bcast=b.tolist(), gathered=[g.tolist() for g in gathered],
           reduce=red.tolist(), mismatch=mismatch, world=world)


def ddp() -> None:
    """Gradients of the shards, averaged, against the full batch's gradient; no_sync; an unused parameter."""
    rank, world = dist.get_rank(), dist.get_world_size()
    net = _net(seed=100 + rank)  # different initial weights on each rank: DDP must broadcast rank 0's
    model = dist.DistributedDataParallel(net, bucket_cap_mb=200 / 2**20)  # buckets of ~200 bytes: several of them
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 5)).astype(np.float32), rng.integers(0, 3, 8)
    nn.functional.cross_entropy(model(gs.from_numpy(X[rank::world])), gs.from_numpy(y[rank::world])).backward()
    ddp_grad = _flat_grads(net)
    reference = _net(seed=100)  # rank 0's initial weights, the whole batch, one process
    nn.functional.cross_entropy(reference(gs.from_numpy(X)), gs.from_numpy(y)).backward()
    full_grad = _flat_grads(reference)
    # no_sync: two local backwards accumulate, the third (synchronised) averages the sums
    net.zero_grad()
    with model.no_sync():
        nn.functional.cross_entropy(model(gs.from_numpy(X[rank::world])), gs.from_numpy(y[rank::world])).backward()
    local_only = _flat_grads(net).copy()
    nn.functional.cross_entropy(model(gs.from_numpy(X[rank::world])), gs.from_numpy(y[rank::world])).backward()
    accumulated = _flat_grads(net)
    # a parameter left out of the loss: its bucket is never averaged, and the next forward says so
    net.zero_grad()
    net[2].weight.sum().backward()  # only one parameter of a bucket of three gets a gradient
    try:
        model(gs.from_numpy(X))
        unused = "no error"
    except RuntimeError as err:
        unused = str(err)
    second = dist.DistributedDataParallel(_net(seed=1))
    try:
        nn.functional.cross_entropy(second(gs.from_numpy(X)), gs.from_numpy(y)).backward(create_graph=True)
        double = "no error"
    except RuntimeError as err:
        double = str(err)
    bn = dist.DistributedDataParallel(nn.BatchNorm1d(5))
    bn(gs.from_numpy(X[rank::world] + 10.0 * rank))  # each rank updates its running mean with its own data
    before = bn.module.running_mean.tolist()
    bn.eval()
    bn(gs.from_numpy(X))  # broadcast_buffers: the forward starts from rank 0's running statistics
    report(weights0=[float(p.detach().numpy().ravel()[0]) for p in net.parameters()], double=double,
           bn_before=before, bn_after=bn.module.running_mean.tolist(),
           ddp_vs_full=float(np.abs(ddp_grad - full_grad).max()), buckets=len(model.bucket_sizes()),
           local_vs_full=float(np.abs(local_only - full_grad).max()),
           accumulated_vs_twice_full=float(np.abs(accumulated - 2 * full_grad).max()), unused=unused)


def die() -> None:
    """Rank 1 fails (an exception, or SIGKILL) while rank 0 waits in a collective: mpiexec must end both."""
    how = sys.argv[2]

    def main() -> int:
        x = gs.ones(3)
        dist.all_reduce(x)
        if dist.get_rank() == 1:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("rank 1 lost its data")
        dist.all_reduce(x)  # rank 0 waits here for a rank that is gone
        return 0

    dist.run_or_abort(main)


if __name__ == "__main__":
    dist.init_process_group()
    {"collectives": collectives, "ddp": ddp, "die": die}[sys.argv[1]]()
