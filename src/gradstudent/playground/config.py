"""The playground's settings: one validated record that is also the page's URL.

Every control of the page is a field here; ``to_query``/``from_query`` turn it
into the URL's query string and back, so a configuration is a link.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import parse_qsl, urlencode

DATASETS = ("circle", "xor", "gaussians", "spiral", "moons", "upload")
FEATURES = ("x", "y", "x2", "y2", "xy", "sinx", "siny")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "adam")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it and says what is allowed."""


@dataclass
class PlaygroundConfig:
    dataset: str = "circle"
    features: list[str] = field(default_factory=lambda: ["x", "y"])
    hidden: list[int] = field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    optimizer: str = "sgd"
    lr: float = 0.03
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    noise: float = 0.0
    train_fraction: float = 0.5
    seed: int = 0

    def validate(self) -> PlaygroundConfig:
        """Raise ConfigError for the first bad setting; return self when all are usable."""
        _choice("dataset", self.dataset, DATASETS)
        _choice("activation", self.activation, ACTIVATIONS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        if not self.features:
            raise ConfigError("features: choose at least one input feature")
        for f in self.features:
            _choice("features", f, FEATURES)
        if len(self.hidden) > 6 or any(not 1 <= h <= 8 for h in self.hidden):
            raise ConfigError(f"hidden: up to 6 layers of 1 to 8 neurons each, got {self.hidden}")
        _range("lr", self.lr, 1e-5, 10.0)
        _range("batch_size", self.batch_size, 1, 500)
        _range("l1", self.l1, 0.0, 1.0)
        _range("l2", self.l2, 0.0, 1.0)
        _range("dropout", self.dropout, 0.0, 0.9)
        _range("noise", self.noise, 0.0, 0.5)
        _range("train_fraction", self.train_fraction, 0.1, 0.9)
        return self

    def to_query(self) -> str:
        flat = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in asdict(self).items()}
        return urlencode(flat)

    @classmethod
    def from_query(cls, query: str) -> PlaygroundConfig:
        return cls.from_dict(dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PlaygroundConfig:
        """Build from strings or values (the URL or the page's JSON); unknown keys are refused."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ConfigError(f"unknown setting(s) {sorted(unknown)}; settings: {', '.join(known)}")
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            default = getattr(cls(), name)
            try:
                kwargs[name] = _convert(value, default)
            except (TypeError, ValueError):
                raise ConfigError(f"{name}: cannot use {value!r} (expected {type(default).__name__})") from None
        return cls(**kwargs).validate()


def _convert(value: Any, default: Any) -> Any:
    if isinstance(default, list):
        items = value.split(",") if isinstance(value, str) else list(value)
        items = [i for i in (str(v).strip() for v in items) if i != ""]
        return [int(i) for i in items] if isinstance(default[0], int) else items
    if isinstance(default, bool):
        return str(value).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return int(value)
    if isinstance(default, float):
        return float(value)
    return str(value)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def _range(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):  # also false for NaN
        raise ConfigError(f"{name}: {value} is outside [{low}, {high}]")
