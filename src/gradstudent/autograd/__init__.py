"""Reverse-mode automatic differentiation: the engine, grad mode and checks."""

from .function import OPS, Function, register
from .functional import backward, grad
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from . import graph  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck
from . import custom_function  # noqa: E402,F401
from .custom_function import Function, FunctionCtx, once_differentiable  # noqa: E402,F811  (PyTorch's style; the array-level base stays in .function)
from . import function as _function_module  # noqa: E402
from . import functional  # noqa: E402,F401

# torch.autograd.function.FunctionCtx / once_differentiable are imported from there by PyTorch code
_function_module.FunctionCtx = FunctionCtx  # type: ignore[attr-defined]
_function_module.once_differentiable = once_differentiable  # type: ignore[attr-defined]


class set_detect_anomaly(detect_anomaly):  # noqa: N801 - PyTorch's name
    """``set_detect_anomaly(mode)``: anomaly detection on (True) or off (False), as a context manager
    or for the rest of the program (the state is set on construction, as in PyTorch)."""

    def __init__(self, mode: bool = True, check_nan: bool = True) -> None:
        from .grad_mode import state

        self._previous = state.anomaly
        self._mode = bool(mode)
        state.anomaly = self._mode

    def __enter__(self) -> "set_detect_anomaly":
        return self

    def __exit__(self, *exc: object) -> None:
        from .grad_mode import state

        state.anomaly = self._previous

__all__ = [
    "OPS", "Function", "FunctionCtx", "once_differentiable", "set_detect_anomaly", "functional", "register", "backward", "grad", "detect_anomaly", "enable_grad", "inference_mode",
    "is_anomaly_enabled", "is_grad_enabled", "no_grad", "set_grad_enabled", "gradcheck", "gradgradcheck",
]
