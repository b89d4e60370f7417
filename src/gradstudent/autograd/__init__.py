"""Reverse-mode automatic differentiation: the engine, grad mode and checks.

Two layers live in this package. The *core* (``grad_mode``, ``engine``, ``function``:
the graph's nodes and the backward loop) sits below the ``Tensor`` class and never
names it; this file imports only the core, so that ``tensor.py`` can import the
engine. The *API* built on tensors and ops (``functional``: ``grad``/``backward``,
``jacobians``, ``gradcheck``, ``custom_function``: PyTorch's ``autograd.Function``,
``graph``) sits above the ops and is loaded on first use by :func:`__getattr__`
(``import gradstudent`` loads it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .function import OPS, register
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    state,
)

if TYPE_CHECKING:
    from . import custom_function, functional, graph, jacobians  # noqa: F401
    from .custom_function import Function, FunctionCtx, once_differentiable
    from .functional import backward, grad
    from .gradcheck import gradcheck, gradgradcheck  # noqa: F811

_API_MODULES = ("functional", "jacobians", "gradcheck", "custom_function", "graph")
_API = _API_MODULES + ("backward", "grad", "gradgradcheck", "Function", "FunctionCtx", "once_differentiable")


def _load_api() -> None:
    """Import the API layer and bind its names here (``import gradstudent`` calls this once the ops are
    loaded; :func:`__getattr__` on first use otherwise)."""
    api = {name: importlib.import_module(f"{__name__}.{name}") for name in _API_MODULES}
    functional, gradcheck, custom = api["functional"], api["gradcheck"], api["custom_function"]
    globals().update(api)
    globals().update(  # (``gradcheck`` is the function, as in PyTorch, not the submodule of that name)
        backward=functional.backward, grad=functional.grad, gradcheck=gradcheck.gradcheck,
        gradgradcheck=gradcheck.gradgradcheck, Function=custom.Function, FunctionCtx=custom.FunctionCtx,
        once_differentiable=custom.once_differentiable,
    )
    # PyTorch code imports these from torch.autograd.function (an alias: the core never uses them)
    function_module = importlib.import_module(f"{__name__}.function")
    function_module.FunctionCtx = custom.FunctionCtx  # type: ignore[attr-defined]
    function_module.once_differentiable = custom.once_differentiable  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    """The API layer's names, on first use (see the module docstring)."""
    if name in _API:
        _load_api()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class set_detect_anomaly(detect_anomaly):  # noqa: N801 - PyTorch's name
    """``set_detect_anomaly(mode)``: anomaly detection on (True) or off (False), as a context manager
    or for the rest of the program (the state is set on construction, as in PyTorch)."""

    def __init__(self, mode: bool = True, check_nan: bool = True) -> None:
        self._previous = state.anomaly
        self._mode = bool(mode)
        state.anomaly = self._mode

    def __enter__(self) -> "set_detect_anomaly":  # type: ignore[override]  # (as PyTorch: ``as`` gives the object)
        return self

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self._previous

__all__ = [
    "OPS", "Function", "FunctionCtx", "once_differentiable", "set_detect_anomaly", "functional", "register", "backward", "grad", "detect_anomaly", "enable_grad", "inference_mode",
    "is_anomaly_enabled", "is_grad_enabled", "no_grad", "set_grad_enabled", "gradcheck", "gradgradcheck",
]
