"""Running an experiment: config, seed, run directory, summary, metrics.json and curves."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..random import manual_seed
from ..serialization import atomic_write_text, load
from .context import CHECKPOINT, RunContext
from .registry import get

DEFAULT_EXPERIMENT = "digits-mlp"


def _new_run_dir(root: Path, name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = root / f"{name}-{stamp}"
    k = 1
    while out.exists():
        k += 1
        out = root / f"{name}-{stamp}-{k}"
    out.mkdir(parents=True)
    return out


def run_experiment(
    name: str | None = None,
    overrides: dict[str, Any] | None = None,
    out_root: str | Path = "runs",
    resume: str | Path | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run (or resume) an experiment; returns what it wrote to ``metrics.json``."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    state = None
    if resume is not None:
        out = Path(resume)
        cfg_path = out / "config.json"
        if not cfg_path.exists():
            raise FileNotFoundError(f"--resume: {out} is not a run directory (no config.json)")
        saved = json.loads(cfg_path.read_text())
        if name is not None and name != saved["experiment"]:
            raise ValueError(f"--resume: {out} is a run of {saved['experiment']!r}, not {name!r}")
        name, config = saved["experiment"], saved["config"]
        config.update(overrides)  # e.g. more --epochs than the first run asked for
        if (out / CHECKPOINT).exists():
            state = load(out / CHECKPOINT)
    else:
        name = name or DEFAULT_EXPERIMENT
        exp = get(name)
        config = {"seed": 0, **exp.defaults, **overrides}
        out = _new_run_dir(Path(out_root), name)
    exp = get(name)
    atomic_write_text(out / "config.json", json.dumps({"experiment": name, "config": config}, indent=2))

    ctx = RunContext(name, config, out, resume=state, quiet=quiet)
    manual_seed(ctx.seed)
    ctx.log(f"gradstudent run {name}  ->  {out}")
    ctx.log("config: " + ", ".join(f"{k}={v}" for k, v in config.items()))
    start = time.perf_counter()
    final: dict[str, Any] = {}
    try:
        final = exp.run(ctx) or {}
        if ctx.status == "running":
            ctx.status = "completed"
    except KeyboardInterrupt:
        ctx.status = "aborted"
        ctx.log(f"Aborted. The last finished epoch is saved; continue with: gradstudent run --resume {out}")
    elapsed = time.perf_counter() - start
    result = {
        "experiment": name,
        "status": ctx.status,
        "seed": ctx.seed,
        "config": config,
        "final": final,
        "wall_time_s": round(elapsed, 2),
        "history": ctx.history,
    }
    ctx.write_json("metrics.json", result)
    if ctx.history:
        _plot_curves(ctx)
    if final:
        ctx.log(f"[{name}] {ctx.status} in {elapsed:.1f} s: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in final.items()))
    ctx.log(f"Results in {out}")
    return result


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _plot_curves(ctx: RunContext) -> None:
    """One panel per metric family (``train_loss``/``test_loss`` share the ``loss`` panel)."""
    from matplotlib.figure import Figure

    families: dict[str, list[str]] = {}
    for row in ctx.history:
        for key in row:
            if key != "epoch":
                families.setdefault(key.split("_")[-1], [])
                if key not in families[key.split("_")[-1]]:
                    families[key.split("_")[-1]].append(key)
    fig = Figure(figsize=(4.5 * len(families), 3.5))
    for i, (family, keys) in enumerate(families.items()):
        ax = fig.add_subplot(1, len(families), i + 1)
        for key in keys:
            pts = [(r["epoch"] + 1, r[key]) for r in ctx.history if key in r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=key)
        ax.set_xlabel("epoch")
        ax.set_title(family)
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(ctx.name)
    ctx.save_figure(fig, "curves.png")
