"""``torch.nn.modules.activation``'s import path: the classes live in ``gradstudent.nn.activation``."""

from __future__ import annotations

from ..activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from ..attention import MultiheadAttention
from ..activation_extra import CELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, Mish, ReLU6, Softmin, Softsign, Threshold

__all__ = ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus", "Tanh", "MultiheadAttention", "CELU", "GLU", "SELU", "Hardsigmoid", "Hardswish", "Hardtanh", "Mish", "ReLU6", "Softmin", "Softsign", "Threshold"]
