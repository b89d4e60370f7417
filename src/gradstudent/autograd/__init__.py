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
from . import custom_function  # noqa: E402
from .custom_function import Function, FunctionCtx, once_differentiable  # noqa: E402,F811  (PyTorch's style; the array-level base stays in .function)

__all__ = [
    "OPS", "Function", "FunctionCtx", "once_differentiable", "register", "backward", "grad", "detect_anomaly", "enable_grad", "inference_mode",
    "is_anomaly_enabled", "is_grad_enabled", "no_grad", "set_grad_enabled", "gradcheck", "gradgradcheck",
]
