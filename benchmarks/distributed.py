"""Data-parallel scaling: measured throughput on 1 and 2 ranks, and a communication model for 4-64 ranks.

    mpiexec -n 2 python benchmarks/distributed.py throughput W1 [--steps 20]   # one line of JSON from rank 0
    python benchmarks/distributed.py throughput W1                          # the same on 1 rank (no mpiexec)
    python benchmarks/distributed.py model [--steps 10]                      # compute per step of W1, W3, W5 -> table

Throughput runs the workload's step (benchmarks/workloads) with its model wrapped in
DistributedDataParallel; ``--weak`` keeps the workload's batch per rank, the default splits it
over the ranks (the same global batch). The model predicts, per workload, the speed-up of W
ranks over one when each rank keeps the workload's batch (weak scaling, the usual way to scale
out data-parallel training) and every step ends with a ring Allreduce of all gradients:

    t_step(W) = t_compute + t_allreduce(W),  t_allreduce(W) = 2 (W-1)/W * G / bandwidth + 2 (W-1) * buckets * latency
    speed-up(W) = W * t_compute / t_step(W)

G is the gradient's bytes; gradstudent's DDP does not overlap the Allreduce with backward
(the buckets are reduced once backward has finished), so the times add.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import time
from typing import Any, Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LATENCY_S = 25e-6  # per message on an Ethernet cluster with TCP (an assumption, stated in docs/distributed.md)
RANKS = (4, 8, 16, 32, 64)
NETWORKS = {"10 Gbit/s": 10e9 / 8, "100 Gbit/s": 100e9 / 8}  # bytes per second


def _model_of(step: Callable[[], None]) -> Any:
    """The workload's model (its step closes over it)."""
    from gradstudent import nn

    for cell in step.__closure__ or ():
        if isinstance(cell.cell_contents, nn.Module):
            return cell.cell_contents
    raise RuntimeError("the workload's step has no model in its closure")


def _median_step(step: Callable[[], None], steps: int, sync: Callable[[], None] = lambda: None) -> float:
    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def throughput(name: str, steps: int, weak: bool) -> None:
    import gradstudent as gs
    from gradstudent import distributed as dist

    dist.init_process_group()
    world, rank = dist.get_world_size(), dist.get_rank()
    work = importlib.import_module(f"workloads.{name.lower()}")
    if not weak:
        work.BATCH = math.ceil(work.BATCH / world)  # each rank's share of the workload's batch
    step = work.make_gradstudent()
    model = _model_of(step)
    ddp = dist.DistributedDataParallel(model)  # its hooks average the gradients; the step's model(x) skips only
    # DDP's forward (a check, and a broadcast of W3's BatchNorm statistics, which are not timed here)
    t = _median_step(step, steps, sync=dist.barrier)
    grad = np.zeros(sum(b // 4 for b in ddp.bucket_sizes()), dtype=np.float32)
    t_ar = _median_step(lambda: dist.all_reduce(gs.from_numpy(grad)), steps, sync=dist.barrier)
    if rank == 0:
        print(json.dumps({"workload": name, "ranks": world, "batch_per_rank": work.BATCH, "step_s": round(t, 5),
                          "samples_per_s": round(work.BATCH * world / t, 1), "gradient_bytes": ddp.gradient_bytes(),
                          "buckets": len(ddp.bucket_sizes()), "allreduce_s": round(t_ar, 6),
                          "load_average": os.getloadavg()[0]}))


def model_table(steps: int, given_ms: dict[str, float]) -> None:
    """Measure (or take from ``given_ms``) each workload's step time, then tabulate the predicted speed-ups."""
    rows = []
    for name in ("W1", "W3", "W5"):
        work = importlib.import_module(f"workloads.{name.lower()}")
        step = work.make_gradstudent()
        params = [p for p in _model_of(step).parameters() if p.requires_grad]
        grad_bytes = sum(p._data.nbytes for p in params)
        buckets = max(1, math.ceil(grad_bytes / (25 * 2**20)))
        t_c = given_ms[name] / 1e3 if name in given_ms else _median_step(step, steps)
        row: dict[str, Any] = {"workload": name, "params": sum(p.numel() for p in params), "grad_MB": grad_bytes / 1e6,
                               "compute_ms": t_c * 1e3}
        for net, bw in NETWORKS.items():
            for w in RANKS:
                t_ar = 2 * (w - 1) / w * grad_bytes / bw + 2 * (w - 1) * buckets * LATENCY_S
                row[f"{net} W={w}"] = w * t_c / (t_c + t_ar)
            row[f"{net} allreduce_ms(64)"] = (2 * 63 / 64 * grad_bytes / bw + 2 * 63 * buckets * LATENCY_S) * 1e3
        rows.append(row)
    print(json.dumps(rows, indent=1))
    for net in NETWORKS:
        print(f"\n{net}: predicted speed-up over 1 rank (weak scaling, {time.strftime('%Y-%m-%d')})\n")
        print("| workload | params | gradient MB | compute ms/step | allreduce ms at 64 | " + " | ".join(f"{w} ranks" for w in RANKS) + " |")
        print("|---|---|---|---|---|" + "---|" * len(RANKS))
        for r in rows:
            print(f"| {r['workload']} | {r['params']:,} | {r['grad_MB']:.2f} | {r['compute_ms']:.1f} | {r[f'{net} allreduce_ms(64)']:.2f} | "
                  + " | ".join(f"{r[f'{net} W={w}']:.1f}" for w in RANKS) + " |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["throughput", "model"])
    p.add_argument("workload", nargs="?", default="W1")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--weak", action="store_true", help="keep the workload's batch on every rank")
    p.add_argument("--compute-ms", default="", help="step times to use instead of measuring: W1=6.93,W3=127.1")
    args = p.parse_args()
    if args.what == "throughput":
        throughput(args.workload, args.steps, args.weak)
    else:
        given = {k: float(v) for k, v in (item.split("=") for item in args.compute_ms.split(",") if item)}
        model_table(args.steps, given)


if __name__ == "__main__":
    main()
