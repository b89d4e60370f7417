"""Running an experiment: config, seed, run directory, summary, metrics.json and curves."""

from __future__ import annotations

import json
import math
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..random import manual_seed
from ..serialization import atomic_write_text, load, remove_stale_temporaries
from .context import CHECKPOINT, RunContext
from .registry import ConfigError, get
from .settings import check_settings

DEFAULT_EXPERIMENT = "digits-mlp"


def _new_run_dir(root: Path, name: str) -> Path:
    """A fresh ``root/NAME-STAMP[-k]`` folder; ``mkdir`` without ``exist_ok`` claims it, so two
    runs started in the same second take different folders instead of colliding."""
    if root.exists() and not root.is_dir():
        raise ConfigError(f"--out {root}: a file is there, not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"--out {root}: cannot create the folder ({err.strerror or err})") from None
    if not root.is_dir():
        raise ConfigError(f"--out {root}: not a folder")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for k in range(1, 10_000):
        out = root / (f"{name}-{stamp}" if k == 1 else f"{name}-{stamp}-{k}")
        try:
            out.mkdir()
        except FileExistsError:
            continue
        except OSError as err:
            raise ConfigError(f"--out {root}: cannot create a run folder there ({err.strerror or err})") from None
        if not os.access(out, os.W_OK):
            raise ConfigError(f"--out {root}: the run folder {out.name} is not writable")
        return out
    raise ConfigError(f"--out {root}: too many runs of {name} started at {stamp}")


def _read_run_config(out: Path) -> tuple[str, dict[str, Any]]:
    """(experiment name, config) from ``out/config.json``, or one clear error."""
    cfg_path = out / "config.json"
    if not out.is_dir() or not cfg_path.is_file():
        raise ConfigError(f"--resume: {out} is not a run directory (no config.json)")
    try:
        saved = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ConfigError(f"--resume: {cfg_path} is unreadable or corrupted ({type(err).__name__}: {err})") from None
    if not (isinstance(saved, dict) and isinstance(saved.get("experiment"), str) and isinstance(saved.get("config"), dict)):
        raise ConfigError(f"--resume: {cfg_path} is corrupted (expected {{\"experiment\": NAME, \"config\": {{...}}}})")
    return saved["experiment"], saved["config"]


def _resume_config(out: Path, name: str | None, overrides: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """Validate a resume: the saved config, with ``epochs`` the only setting that may change.

    Any other changed setting (``--seed``, ``--lr``, ``--set hidden=...``) is refused: the
    checkpoint holds the data split, the optimizer's learning rate and the weights' shapes of
    the first run, so continuing "with a new lr" or "a new seed" would not do what the record
    says. Start a new run to change them.
    """
    saved_name, saved_config = _read_run_config(out)
    if name is not None and name != saved_name:
        raise ConfigError(f"--resume: {out} is a run of {saved_name!r}, not {name!r}")
    exp = get(saved_name)
    try:
        config = check_settings(saved_name, {"seed": 0, **saved_config}, exp.defaults)
    except ConfigError as err:
        raise ConfigError(f"--resume: {out / 'config.json'} is corrupted: {err}") from None
    wanted = check_settings(saved_name, overrides, exp.defaults)
    changed = {k: (config.get(k), v) for k, v in wanted.items() if k != "epochs" and config.get(k) != v}
    if changed:
        what = ", ".join(f"{k} (saved {old!r}, asked {new!r})" for k, (old, new) in changed.items())
        raise ConfigError(f"--resume: a resumed run continues its saved settings; only --epochs may change. "
                          f"Refused: {what}. Start a new run to change them.")
    state = None
    if (out / CHECKPOINT).exists():
        try:
            state = load(out / CHECKPOINT)
        except ValueError as err:
            raise ConfigError(f"--resume: {err}") from None
        if not (isinstance(state, dict) and isinstance(state.get("epoch"), int) and state["epoch"] >= 0
                and isinstance(state.get("model"), dict) and isinstance(state.get("rng"), dict)):
            raise ConfigError(f"--resume: {out / CHECKPOINT} is not a run checkpoint (it needs epoch, model and rng)")
        done = state["epoch"]
        if wanted.get("epochs", config.get("epochs", done)) < done:
            raise ConfigError(f"--resume: the run already finished {done} epochs; --epochs must be >= {done}")
    config.update(wanted)
    return saved_name, config, state


def run_experiment(
    name: str | None = None,
    overrides: dict[str, Any] | None = None,
    out_root: str | Path = "runs",
    resume: str | Path | None = None,
    quiet: bool = False,
    distributed: bool = False,
) -> dict[str, Any]:
    """Run (or resume) an experiment; returns what it wrote to ``metrics.json``.

    Settings are validated first (:mod:`.settings`); a :class:`ConfigError` means nothing
    was written. On resume only ``epochs`` may change, and ``config.json`` is rewritten
    only once the checkpoint has been restored. ``distributed=True`` (every MPI rank calls
    it, after ``init_process_group``) trains data-parallel, rank 0 writing: see ``_distributed``.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    state = None
    if resume is not None:
        out = Path(resume)
        name, config, state = _resume_config(out, name, overrides)
        exp = get(name)
    else:
        name = name or DEFAULT_EXPERIMENT
        exp = get(name)
        config = check_settings(name, {"seed": 0, **exp.defaults, **overrides}, exp.defaults)
    if distributed:
        from ._distributed import check_supported

        check_supported(name)  # before anything talks to the other ranks
    writer = not distributed or _rank() == 0
    if resume is not None and writer:
        remove_stale_temporaries(out / CHECKPOINT)
    if distributed:
        from ._distributed import DistributedContext, shared_run_dir

        if resume is None:
            out = shared_run_dir(lambda: _new_run_dir(Path(out_root), str(name)))
    elif resume is None:
        out = _new_run_dir(Path(out_root), name)
    record = json.dumps({"experiment": name, "config": config}, indent=2)
    if state is None and writer:
        atomic_write_text(out / "config.json", record)

    ctx = DistributedContext(name, config, out, resume=state, quiet=quiet) if distributed else RunContext(name, config, out, resume=state, quiet=quiet)
    ctx.config_record = record if state is not None and writer else None  # written once the checkpoint is restored
    manual_seed(ctx.seed)
    ctx.log(f"gradstudent run {name}  ->  {out}")
    ctx.log("config: " + ", ".join(f"{k}={v}" for k, v in config.items()))
    start = time.perf_counter()
    final: dict[str, Any] = {}
    try:
        final = exp.run(ctx) or {}
        if ctx.status == "running":
            # a non-finite metric in the history (or, for experiments without one, in the result)
            if ctx.diverged_at is None and not ctx.history and _non_finite(final):
                ctx.diverged_at = _non_finite(final)
            ctx.status = "diverged" if ctx.diverged_at is not None else "completed"
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
    if distributed:
        result["world_size"] = getattr(ctx, "world_size", 1)
    if ctx.status == "diverged":
        result["diverged"] = ctx.diverged_at
        ctx.log(f"[{name}] diverged: {result['diverged']} is not finite. The last finite epoch's checkpoint is kept; "
                "try a smaller learning rate.")
    ctx.write_json("metrics.json", result)
    if ctx.history and writer:
        _plot_curves(ctx)
    if final:
        ctx.log(f"[{name}] {ctx.status} in {elapsed:.1f} s: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in final.items()))
    ctx.log(f"Results in {out}")
    return result


def _rank() -> int:
    from ..distributed import get_rank

    return get_rank()


def _non_finite(values: dict[str, Any]) -> str | None:
    """The first ``key = value`` in ``values`` that is a non-finite float, else None."""
    for k, v in values.items():
        if isinstance(v, float) and not math.isfinite(v):
            return f"{k} = {v}"
    return None


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
