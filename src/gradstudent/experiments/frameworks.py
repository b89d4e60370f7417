"""frameworks: the same model and training loop in gradstudent and in PyTorch.

An MLP (64-128-128-10) on the 8x8 digits is built in gradstudent; when PyTorch
is installed (it is an interop target, never a dependency) the same network is
built from ``torch.nn`` and loads gradstudent's ``state_dict``. Both train with
SGD with momentum on the *same* mini-batches, and the experiment records both
losses at every step: they agree to rounding (float32 ~1e-6 relative, float64
~1e-15), because the two libraries compute the same function the same way. When
a run is resumed, the PyTorch twin reloads the weights and the optimizer's
momentum buffers from gradstudent's checkpoint (the state_dict formats match).

The timing table gives milliseconds per training step on this CPU for each
framework (and for gradstudent on a GPU through CuPy when one is available).
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import numpy as np

from .. import nn, optim
from ..creation import from_numpy
from ..datasets import load_digits_arrays
from ..random import manual_seed
from .common import standardize
from .registry import RunContext, experiment


def _torch() -> Any:
    """PyTorch if it is installed (an optional comparison, never required)."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def make_model(widths: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


class TorchTwin:
    """The same network and optimizer in PyTorch, kept in step with the gradstudent one."""

    def __init__(self, torch: Any, widths: list[int], dtype: str, lr: float, momentum: float) -> None:
        self.torch = torch
        layers: list[Any] = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1]).to(getattr(torch, dtype))  # weights come from gradstudent
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr, momentum=momentum)

    def load_from(self, model: nn.Module, optimizer: optim.Optimizer) -> None:
        """Copy weights and momentum buffers from gradstudent (same names, same layout)."""
        t = self.torch
        self.model.load_state_dict({k: t.from_numpy(v.detach().numpy().copy()) for k, v in model.state_dict().items()})
        state = optimizer.state_dict()
        state = {"state": {i: {k: t.from_numpy(v.detach().numpy().copy()) for k, v in s.items()} for i, s in state["state"].items()},
                 "param_groups": state["param_groups"]}
        self.opt.load_state_dict(state)

    def step(self, xb: np.ndarray, yb: np.ndarray) -> float:
        t = self.torch
        self.opt.zero_grad()
        loss = t.nn.functional.cross_entropy(self.model(t.from_numpy(xb)), t.from_numpy(yb))
        loss.backward()
        self.opt.step()
        return float(loss.item())


def _time_steps(step: Any, batches: list[tuple[np.ndarray, np.ndarray]], repeats: int) -> float:
    """Median milliseconds of one training step over ``repeats`` steps (after 3 warm-up steps)."""
    for xb, yb in batches[:3]:
        step(xb, yb)
    times = []
    for i in range(repeats):
        xb, yb = batches[i % len(batches)]
        t0 = time.perf_counter()
        step(xb, yb)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


@experiment(
    "frameworks",
    "The same MLP and training loop in gradstudent and PyTorch: same weights, same losses step by step, CPU (and GPU) timing",
    epochs=3, lr=0.05, momentum=0.9, batch_size=64, hidden=[128, 128], dtype="float32", timing_steps=50,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    if cfg["dtype"] not in ("float32", "float64"):
        raise ValueError(f"frameworks: dtype must be 'float32' or 'float64', got {cfg['dtype']!r}")
    widths = [64, *cfg["hidden"], 10]
    Xtr, ytr = load_digits_arrays("train", seed=ctx.seed)
    Xte, _ = load_digits_arrays("test", seed=ctx.seed)
    Xtr = standardize(Xtr, Xte)[0].astype(cfg["dtype"])
    manual_seed(ctx.seed)
    model: nn.Module = make_model(widths)
    if cfg["dtype"] == "float64":
        model = model.double()
    opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"])
    torch = _torch()
    twin = TorchTwin(torch, widths, cfg["dtype"], cfg["lr"], cfg["momentum"]) if torch is not None else None
    if torch is None:
        ctx.log("PyTorch is not installed: the step-by-step comparison and its timing are skipped (pip install torch)")

    def gs_step(xb: np.ndarray, yb: np.ndarray) -> float:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(from_numpy(xb)), from_numpy(yb))
        loss.backward()
        opt.step()
        return loss.item()

    losses: dict[str, list[float]] = {"gradstudent": [], "torch": []}
    for epoch in ctx.epochs(model, opt):
        if twin is not None:
            twin.load_from(model, opt)  # exact at the start; a resumed run continues from the checkpoint
        order = np.random.default_rng([ctx.seed, epoch]).permutation(len(Xtr))
        for start in range(0, len(order), cfg["batch_size"]):
            idx = order[start : start + cfg["batch_size"]]
            losses["gradstudent"].append(gs_step(Xtr[idx], ytr[idx]))
            if twin is not None:
                losses["torch"].append(twin.step(Xtr[idx], ytr[idx]))
        row = {"loss": losses["gradstudent"][-1]}
        if twin is not None:
            row["max_loss_diff"] = float(np.max(np.abs(np.subtract(losses["gradstudent"], losses["torch"]))))
        ctx.log_metrics(epoch, **row)

    batches = [(Xtr[i : i + cfg["batch_size"]], ytr[i : i + cfg["batch_size"]]) for i in range(0, len(Xtr) - cfg["batch_size"], cfg["batch_size"])]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one thread each, so the comparison is like for like (and not skewed by a busy core)
        timing = [{"framework": "gradstudent (NumPy, CPU, 1 thread)", "ms_per_step": _time_steps(gs_step, batches, cfg["timing_steps"])}]
    if twin is not None:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            timing.append({"framework": f"PyTorch {torch.__version__} (CPU, 1 thread)", "ms_per_step": _time_steps(twin.step, batches, cfg["timing_steps"])})
        finally:
            torch.set_num_threads(threads)
    timing.append({"framework": "gradstudent (CuPy, GPU)", "ms_per_step": _gpu_timing(ctx)})
    ctx.save_table(timing, "timing")
    _figure(ctx, losses)

    result: dict[str, Any] = {"final_loss": losses["gradstudent"][-1], "steps": len(losses["gradstudent"]), "torch_available": twin is not None}
    for entry in timing:
        result[f"ms_per_step/{entry['framework']}"] = entry["ms_per_step"]
    if twin is not None and losses["torch"]:
        diff = np.abs(np.subtract(losses["gradstudent"], losses["torch"]))
        result["max_loss_diff"] = float(diff.max())
        result["max_relative_loss_diff"] = float((diff / np.abs(losses["torch"])).max())
        gs_w = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
        t_w = np.concatenate([p.detach().numpy().ravel() for p in twin.model.parameters()])
        result["max_weight_diff"] = float(np.abs(gs_w - t_w).max())
    return result


def _gpu_timing(ctx: RunContext) -> float:
    """Milliseconds per step on a GPU through CuPy, or NaN (with a note) where there is none."""
    try:
        cupy = importlib.import_module("cupy")
        available = bool(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no CuPy, or no GPU, or no driver
        available = False
    if not available:
        ctx.log("No GPU with CuPy here: the GPU row is NaN. On a GPU machine this row times the same loop on CuPy.")
        return float("nan")
    ctx.log("CuPy and a GPU are present, but gradstudent's CuPy backend is not wired into this experiment yet: NaN.")
    return float("nan")


def _figure(ctx: RunContext, losses: dict[str, list[float]]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.8))
    ax = fig.add_subplot(1, 2, 1)
    for name, values in losses.items():
        if values:
            ax.plot(values, label=name, lw=1, ls="-" if name == "gradstudent" else "--")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.legend()
    ax = fig.add_subplot(1, 2, 2)
    if losses["torch"]:
        diff = np.abs(np.subtract(losses["gradstudent"], losses["torch"]))
        ax.semilogy(np.maximum(diff, 1e-18))
        ax.set_title("|loss difference| per step")
    else:
        ax.text(0.5, 0.5, "PyTorch not installed", ha="center")
    ax.set_xlabel("step")
    fig.tight_layout()
    ctx.save_figure(fig, "frameworks.png")
