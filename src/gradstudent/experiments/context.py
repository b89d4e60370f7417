"""``RunContext``: what an experiment sees of its run.

It holds the config and seed, the run directory, and it does the chores:
progress bars, a metric history (``metrics.json`` and curve plots), figures
and tables, and per-epoch checkpoints from which ``--resume`` continues with
bit-identical results.
"""

from __future__ import annotations

import csv
import io
import json
import math
import signal
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..random import get_rng_state, set_rng_state
from ..serialization import (
    atomic_write_bytes,
    atomic_write_text,
    load,
    remove_stale_temporaries,
    save,
)

CHECKPOINT = "checkpoint.safetensors"
_HORIZONS = ("total_steps", "T_max", "epochs", "steps_per_epoch")  # scheduler settings fixed by the run's length


class ConfigError(ValueError):
    """A mistake in what the user asked for (a setting, a run folder): the command prints
    it as one line and exits with code 2. Any other exception is a bug and shows its traceback."""


class RunContext:
    """The handle an experiment's ``run(ctx)`` receives: one run's config, seed and output folder.

    ``ctx.config`` holds the experiment's defaults updated by the command line (``--set``),
    ``ctx.seed`` the seed, ``ctx.out`` the run directory. It logs (``log``, progress bars),
    records metrics per epoch (``metrics.json`` and curve plots), saves figures and tables
    (``save_figure``, ``save_table``) and checkpoints every epoch, atomically, so that
    ``--resume`` continues with bit-identical results; the first Ctrl-C finishes the epoch,
    saves and stops.
    """

    def __init__(self, name: str, config: dict[str, Any], out: Path, resume: dict[str, Any] | None = None, quiet: bool = False) -> None:
        self.name = name
        self.config = config
        self.seed: int = int(config.get("seed", 0))
        self.out = Path(out)
        self.quiet = quiet
        self.history: list[dict[str, Any]] = []
        self.status = "running"
        self._resume = resume
        self._stop_requested = False
        self.config_record: str | None = None  # config.json text to write once a resume has succeeded
        self.diverged_at: str | None = None  # "train_loss = nan at epoch 3" once a metric is not finite

    # ---- console and files ---------------------------------------------------------------
    def log(self, text: str) -> None:
        if not self.quiet:
            from tqdm import tqdm

            tqdm.write(str(text), file=sys.stdout)
        with open(self.out / "log.txt", "a", encoding="utf-8") as f:
            f.write(str(text) + "\n")

    def save_figure(self, fig: Any, filename: str) -> Path:
        """Save a matplotlib Figure as PNG (atomically) and close it."""
        buf = io.BytesIO()
        fig.savefig(buf, format=Path(filename).suffix.lstrip(".") or "png", dpi=110, bbox_inches="tight")
        try:
            import matplotlib.pyplot as plt

            plt.close(fig)
        except Exception:  # a Figure made without pyplot needs no closing
            pass
        path = self.out / filename
        atomic_write_bytes(path, buf.getvalue())
        return path

    def save_table(self, rows: list[dict[str, Any]], name: str) -> str:
        """Write ``rows`` as ``name.csv`` and ``name.md``; print and return the markdown."""
        if not rows:
            return ""
        keys = list(rows[0].keys())
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_text(self.out / f"{name}.csv", buf.getvalue())
        fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v)  # noqa: E731
        md = "| " + " | ".join(keys) + " |\n|" + "---|" * len(keys) + "\n"
        md += "".join("| " + " | ".join(fmt(r.get(k, "")) for k in keys) + " |\n" for r in rows)
        atomic_write_text(self.out / f"{name}.md", md)
        self.log(md)
        return md

    # ---- training loop helpers -----------------------------------------------------------
    def progress(self, iterable: Iterable[Any], desc: str = "", total: int | None = None) -> Iterable[Any]:
        """A tqdm progress bar over ``iterable`` (silent when quiet)."""
        if self.quiet:
            return iterable
        from tqdm import tqdm

        self._bar = tqdm(iterable, desc=desc, total=total, leave=False, dynamic_ncols=True, file=sys.stdout)
        return self._bar

    def set_postfix(self, **values: float) -> None:
        bar = getattr(self, "_bar", None)
        if bar is not None and not self.quiet:
            bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()}, refresh=False)

    def log_metrics(self, epoch: int, **metrics: float) -> None:
        """Record one row of the history (one per epoch) and print it."""
        row = {"epoch": epoch, **{k: float(v) for k, v in metrics.items()}}
        self.history.append(row)
        bad = [k for k, v in row.items() if k != "epoch" and not math.isfinite(v)]
        if bad and self.diverged_at is None:
            self.diverged_at = f"{bad[0]} = {row[bad[0]]} at epoch {epoch + 1}"
        bar = getattr(self, "_epoch_bar", None)
        if bar is not None:
            bar.set_postfix({k: f"{v:.4g}" for k, v in list(row.items())[1:4]}, refresh=False)
        self.log(f"[{self.name}] epoch {epoch + 1}/{self.config.get('epochs', '?')}  " + "  ".join(f"{k} {v:.4g}" for k, v in row.items() if k != "epoch"))

    def epochs(self, model: Any, optimizer: Any = None, scheduler: Any = None, extra: Any = None) -> Iterator[int]:
        """Yield epoch numbers; checkpoint after each one; resume from a checkpoint if asked.

        The checkpoint holds weights, optimizer and scheduler state, the random
        generator's state and the metric history, so a resumed run continues with
        exactly the numbers an uninterrupted run would have produced. The first
        Ctrl-C finishes the current epoch, saves, and stops; a second one aborts.
        """
        start = 0
        if self._resume is not None:
            start = self._restore(self._resume, model, optimizer, scheduler, extra)
            self._resume = None
        previous = signal.getsignal(signal.SIGINT)
        handler_installed = _install_sigint(self)
        total = int(self.config["epochs"])
        if not self.quiet:
            from tqdm import tqdm

            self._epoch_bar = tqdm(total=total, initial=start, desc=self.name, unit="epoch", dynamic_ncols=True, file=sys.stdout)
        try:
            for epoch in range(start, total):
                yield epoch
                if self.diverged_at is not None:  # keep the last finite checkpoint; stop
                    self.status = "diverged"
                    self.log(f"Stopped: training diverged ({self.diverged_at}).")
                    return
                self._checkpoint(epoch + 1, model, optimizer, scheduler, extra)
                if getattr(self, "_epoch_bar", None) is not None:
                    self._epoch_bar.update(1)
                if self._agree_to_stop():
                    self.status = "interrupted"
                    self.log(f"Stopped after epoch {epoch + 1}; the checkpoint is saved. Continue with: gradstudent run --resume {self.out}")
                    return
        finally:
            if handler_installed:
                signal.signal(signal.SIGINT, previous)
            if getattr(self, "_epoch_bar", None) is not None:
                self._epoch_bar.close()
                self._epoch_bar = None

    def _agree_to_stop(self) -> bool:
        """Whether to stop after this epoch (a data-parallel run's ranks agree on it: experiments/_distributed.py)."""
        return self._stop_requested

    def _checkpoint(self, epoch: int, model: Any, optimizer: Any, scheduler: Any, extra: Any) -> None:
        state: dict[str, Any] = {"epoch": epoch, "rng": get_rng_state(), "history": self.history, "model": model.state_dict()}
        if optimizer is not None:  # one optimizer or a list of them
            state["optimizer"] = [o.state_dict() for o in optimizer] if isinstance(optimizer, list | tuple) else optimizer.state_dict()
        if scheduler is not None:
            state["scheduler"] = scheduler.state_dict()
        if extra is not None:
            state["extra"] = extra.state_dict() if hasattr(extra, "state_dict") else extra
        save(state, self.out / CHECKPOINT)
        remove_stale_temporaries(self.out / CHECKPOINT)  # left by a run killed mid-write

    def _restore(self, state: dict[str, Any], model: Any, optimizer: Any, scheduler: Any, extra: Any) -> int:
        try:
            model.load_state_dict(state["model"])
            if optimizer is not None and "optimizer" in state:
                if isinstance(optimizer, list | tuple):
                    for o, s in zip(optimizer, state["optimizer"], strict=True):
                        o.load_state_dict(s)
                else:
                    optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, TypeError) as err:  # a checkpoint of another model or optimizer
            raise ConfigError(f"--resume: {self.out / CHECKPOINT} does not match this run's model/optimizer: "
                              + " ".join(str(err).split())) from None
        if scheduler is not None and "scheduler" in state:
            built = {k: v for k, v in scheduler.state_dict().items() if k in _HORIZONS}
            saved = {k: v for k, v in state["scheduler"].items() if k in _HORIZONS}
            if built != saved:
                raise ConfigError(
                    f"--resume: this experiment's learning-rate schedule is fixed by its length ({saved} in the checkpoint, "
                    f"{built} for epochs={self.config.get('epochs')}), so the run cannot be extended exactly. "
                    "Start a new run with the number of epochs you want.")
            scheduler.load_state_dict(state["scheduler"])
        if extra is not None and hasattr(extra, "load_state_dict") and "extra" in state:
            extra.load_state_dict(state["extra"])
        set_rng_state(state["rng"])
        self.history = list(state.get("history", []))
        if self.config_record is not None:  # only now: a failed resume leaves config.json as it was
            atomic_write_text(self.out / "config.json", self.config_record)
            self.config_record = None
        self.log(f"Resumed {self.name} from {self.out} at epoch {state['epoch']} (epochs={self.config.get('epochs')})")
        return int(state["epoch"])

    def load_checkpoint(self) -> dict[str, Any] | None:
        path = self.out / CHECKPOINT
        return load(path) if path.exists() else None

    def write_json(self, name: str, obj: Any) -> None:
        atomic_write_text(self.out / name, json.dumps(obj, indent=2, default=_json_default))


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def _install_sigint(ctx: RunContext) -> bool:
    """First Ctrl-C: ask the loop to stop after this epoch. Second: raise KeyboardInterrupt."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return False

    def handler(signum: int, frame: Any) -> None:
        if ctx._stop_requested:
            raise KeyboardInterrupt
        ctx._stop_requested = True
        print("\nCtrl-C: finishing this epoch and saving a checkpoint (press again to abort)", file=sys.stderr)

    signal.signal(signal.SIGINT, handler)
    return True


