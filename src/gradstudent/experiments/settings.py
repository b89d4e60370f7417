"""Checking an experiment's settings before anything runs: one clear line per mistake.

An experiment's defaults (the keyword arguments of ``@experiment``) are its schema:

* a key that is not among them (plus ``seed``) is refused, with the closest names
  (``--set hiddne=[8]`` -> "did you mean hidden?"), never silently ignored;
* a value must have its default's type: an int setting takes an int (``epochs=2.5``
  and ``epochs=True`` are refused), a float setting takes an int or a float (made a
  float), a list/tuple setting a list or tuple of the same kind of elements, a bool
  ``True``/``False``, a str a str; a ``None`` default takes anything;
* ranges: floats must be finite (``--lr inf``, ``nan`` are refused); numbers whose
  default is >= 0 must stay >= 0, and counts (ints) whose default is >= 1 must stay >= 1
  (``--epochs -1``, ``hidden=[0]``); dropout-like probabilities lie in [0, 1) and
  ``beta``-like averaging factors in [0, 1); ``seed`` is an int in [0, 2**63).

:func:`check_settings` returns the normalized config or raises :class:`ConfigError`
(a ``ValueError``), which the command prints as one line and exit code 2.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from .registry import ConfigError

_PROBABILITY = ("dropout", "label_noise")


def _is_probability(key: str) -> bool:
    return key in _PROBABILITY or key.endswith("_dropout") or "beta" in key


def _check_number(key: str, value: Any, default: Any) -> int | float:
    if isinstance(default, int):  # an int setting (bool was handled before)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"setting {key!r} must be an integer, got {value!r}")
        floor = 1 if default >= 1 else 0
        if value < floor:
            raise ConfigError(f"setting {key!r} must be >= {floor}, got {value}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"setting {key!r} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"setting {key!r} must be a finite number, got {value}")
    if default >= 0 and value < 0:
        raise ConfigError(f"setting {key!r} must be >= 0, got {value}")
    if _is_probability(key) and not 0 <= value < 1:
        raise ConfigError(f"setting {key!r} must be in [0, 1), got {value}")
    return value


def check_value(key: str, value: Any, default: Any) -> Any:
    """``value`` converted to the kind of ``default``, or :class:`ConfigError`."""
    if default is None:
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"setting {key!r} must be True or False, got {value!r}")
        return value
    if isinstance(default, int | float):
        return _check_number(key, value, default)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"setting {key!r} must be a string, got {value!r}")
        return value
    if isinstance(default, list | tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"setting {key!r} must be a list like {list(default)!r}, got {value!r}")
        if default and not value:
            raise ConfigError(f"setting {key!r} must not be empty")
        if default:
            value = [check_value(f"{key}[{i}]", v, default[0]) for i, v in enumerate(value)]
        return type(default)(value)
    return value


def check_settings(name: str, config: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The validated copy of ``config`` for experiment ``name`` (keys checked against ``defaults``)."""
    schema = {"seed": 0, **defaults}
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"experiment {name!r} has no setting {key!r}.{hint} Its settings: {', '.join(schema)}")
        out[key] = check_value(key, value, schema[key])
    if "seed" in out and out["seed"] >= 2**63:
        raise ConfigError(f"setting 'seed' must be < 2**63, got {out['seed']}")
    return out
