"""Grad mode: whether new operations are recorded for backward.

This is a per-thread *switch*, not a graph: the graph itself lives only in the
tensors (each result points to the Function that made it).
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from ..amp import autocast
    from ..profiler import profile

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    grad_enabled: bool = True
    anomaly: bool = False
    #: the recording ``gs.profiler.profile`` (None: not profiling); ``Function.apply`` and ``engine.vjp`` check it
    profiler: profile | None = None
    #: the active ``gs.autocast`` region (None: off); ``Function.apply`` casts listed ops' inputs through it
    autocast: autocast | None = None


state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return state.grad_enabled


class set_grad_enabled:
    """Context manager (and decorator) that turns recording on or off."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = state.grad_enabled
        state.grad_enabled = self.mode  # like torch: also works as a plain function call

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self.prev

    def __call__(self, fn: F) -> F:
        """``@set_grad_enabled(False)``: building the decorator must not change the mode."""
        state.grad_enabled = self.prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool = True

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        if fn is not None:  # used bare, as ``@no_grad`` without parentheses
            return cls()(fn)
        return super().__new__(cls)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        pass

    def __enter__(self) -> None:
        self.prev = state.grad_enabled
        state.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self.prev

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """``with no_grad():`` runs without recording a graph (evaluation, optimizer updates)."""

    mode = False


class enable_grad(_GradModeContext):
    """``with enable_grad():`` records again inside a ``no_grad`` block."""

    mode = True


class inference_mode(no_grad):
    """Alias of :class:`no_grad` (PyTorch's faster variant has the same effect here)."""


class detect_anomaly:
    """Check every forward result and every gradient for NaN/inf.

    The first op that produces a non-finite value raises an error naming the
    op and, for backward, where in your code that op was created.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.prev = state.anomaly
        state.anomaly = self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self.prev


def is_anomaly_enabled() -> bool:
    return state.anomaly
