"""The course as software: every topic is an experiment, registered by name.

An experiment is a function ``run(ctx) -> dict`` decorated with
:func:`experiment`; the decorator's keyword arguments are its default config
(``epochs``, ``lr``, ``batch_size``...), which command-line options override.
``gradstudent run NAME`` calls it with a :class:`RunContext` that owns the run
directory, the progress bar, metrics, figures and checkpoints.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from .context import ConfigError, RunContext

__all__ = ["ConfigError", "Experiment", "RunContext", "UnknownExperiment", "experiment", "get", "all_experiments"]


class UnknownExperiment(ConfigError, KeyError):
    """No experiment has this name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass
class Experiment:
    name: str
    summary: str
    run: Callable[[RunContext], dict[str, Any]]
    defaults: dict[str, Any] = field(default_factory=dict)
    module: str = ""


_REGISTRY: dict[str, Experiment] = {}
_NOT_EXPERIMENTS = {"registry", "context", "runner", "common", "settings"}


def experiment(name: str, summary: str, **defaults: Any) -> Callable[[Callable[[RunContext], dict[str, Any]]], Callable[[RunContext], dict[str, Any]]]:
    """Register ``run`` as the experiment ``name`` with a one-line ``summary`` and default config."""

    def deco(fn: Callable[[RunContext], dict[str, Any]]) -> Callable[[RunContext], dict[str, Any]]:
        if name in _REGISTRY and _REGISTRY[name].module != fn.__module__:
            raise ValueError(f"experiment {name!r} is defined twice ({_REGISTRY[name].module} and {fn.__module__})")
        _REGISTRY[name] = Experiment(name, summary, fn, dict(defaults), fn.__module__)
        return fn

    return deco


def _discover() -> None:
    """Import every module of this package once, so their decorators register them."""
    from .. import experiments as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name in _NOT_EXPERIMENTS or info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as err:  # one broken experiment must not hide the others
            warnings.warn(f"experiment module {info.name!r} failed to import: {err!r}", stacklevel=2)


def all_experiments() -> dict[str, Experiment]:
    _discover()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Experiment:
    exps = all_experiments()
    if name not in exps:
        import difflib

        close = difflib.get_close_matches(name, exps, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownExperiment(f"no experiment named {name!r}.{hint} Run `gradstudent list` to see them all.")
    return exps[name]
