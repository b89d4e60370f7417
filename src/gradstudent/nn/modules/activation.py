"""``torch.nn.modules.activation``'s import path: the classes live in ``gradstudent.nn.activation``."""

from __future__ import annotations

from ..activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from ..attention import MultiheadAttention

__all__ = ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus", "Tanh", "MultiheadAttention"]
