"""``gradstudent.linalg``: PyTorch's ``torch.linalg`` subset."""

from __future__ import annotations

from typing import Any

from .ops.reduce import norm as _norm
from .tensor import Tensor


def norm(x: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Vector norm (2-norm by default) over ``dim``; over all elements when ``dim`` is None."""
    return _norm(x, 2 if ord is None else ord, dim, keepdim)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _norm(x, ord, dim, keepdim)
