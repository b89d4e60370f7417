"""Devices, as PyTorch names them: ``gs.device("cpu")``, ``gs.set_default_device``.

A :class:`device` names where a tensor's array lives: ``"cpu"`` (a NumPy
array) or ``"cuda"`` / ``"cuda:0"`` (a CuPy array, when CuPy is installed).
It is accepted wherever a device is: ``x.to(device)``, ``model.to(device)``,
``gs.zeros(3, device=device)``.

The class is a ``str`` subclass whose text is the canonical name (``"cpu"``,
``"cuda:0"``), so code that passes or compares device strings keeps working;
it adds PyTorch's ``.type`` and ``.index`` and prints as ``device(type='cpu')``.
One deliberate difference: ``gs.device("cpu") == "cpu"`` is True here
(PyTorch says False); nothing computes differently because of it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["device", "set_default_device", "get_default_device"]

_KNOWN_TYPES = ("cpu", "cuda", "mps", "meta", "xpu")


class device(str):  # noqa: N801 - PyTorch's name
    """``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)`` or ``device(other_device)``."""

    type: str
    index: int | None  # type: ignore[assignment]  # PyTorch's attribute; shadows str.index on purpose

    def __new__(cls, type_or_name: Any, index: int | None = None) -> "device":
        if isinstance(type_or_name, int) and not isinstance(type_or_name, bool):  # torch.device(0) = cuda:0
            type_or_name, index = "cuda", type_or_name
        if not isinstance(type_or_name, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type(type_or_name).__name__}")
        name, _, suffix = str(type_or_name).partition(":")
        if suffix:
            if index is not None:
                raise RuntimeError(f"device(): type {type_or_name!r} already has an index; got index={index} too")
            if not suffix.isdigit():
                raise RuntimeError(f"device(): invalid device string {type_or_name!r} (the index must be a number)")
            index = int(suffix)
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"device(): expected one of {', '.join(_KNOWN_TYPES)} device type at start of device string: {type_or_name!r}"
            )
        if index is not None and index < 0:
            raise RuntimeError(f"device(): the device index must be non-negative, got {index}")
        self = super().__new__(cls, name if index is None else f"{name}:{index}")
        self.type = name
        self.index = index
        return self

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (device, (self.type, self.index))


_default_device = device("cpu")
_BY_NAME: dict[str, device] = {}


def device_named(name: str) -> device:
    """The (cached) device object for ``name``: ``Tensor.device`` is asked often."""
    found = _BY_NAME.get(name)
    if found is None:
        found = _BY_NAME[name] = device(name)
    return found


def set_default_device(new: Any) -> None:
    """Where creation functions put new tensors when ``device=`` is not given.

    ``"cpu"`` (the default) always works; ``"cuda"`` needs CuPy. ``None``
    resets to the CPU, as in PyTorch.
    """
    global _default_device
    chosen = device("cpu") if new is None else device(new)
    if chosen.type not in ("cpu", "cuda"):
        raise RuntimeError(f"set_default_device: gradstudent has no {chosen.type!r} backend (only 'cpu', and 'cuda' with CuPy)")
    if chosen.type == "cuda":
        from .cuda import is_available

        if not is_available():
            raise RuntimeError("set_default_device('cuda'): CuPy is not installed, so there is no GPU backend on this machine")
    _default_device = chosen


def get_default_device() -> device:
    """The device that creation functions use by default (``device('cpu')`` unless changed)."""
    return _default_device
