"""Data types and the default floating-point type.

gradstudent's dtypes *are* NumPy dtypes, so ``x.dtype == gradstudent.float32``
and ``x.numpy().dtype`` agree. Inference follows PyTorch:

* a Python float (or a list of them) takes the default dtype (float32);
* a Python int takes int64, a Python bool takes bool;
* a NumPy array keeps its dtype (a float64 array stays float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
uint8 = np.dtype(np.uint8)

half, float, double = float16, float32, float64  # noqa: A001 - PyTorch aliases
long, int, short = int64, int32, int16  # noqa: A001

_default_dtype = float32


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype that Python floats and ``randn``/``zeros`` produce (float32 or float64)."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dtype}")
    _default_dtype = dtype


def get_default_dtype() -> np.dtype:
    """The current default floating dtype (float32 unless changed)."""
    return _default_dtype


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def infer_dtype(data: Any) -> np.dtype:
    """The dtype PyTorch's ``torch.tensor(data)`` would choose."""
    if isinstance(data, np.ndarray | np.generic):
        return data.dtype
    if hasattr(data, "dtype") and hasattr(data, "shape"):  # a CuPy array
        return np.dtype(data.dtype)
    kinds = {np.asarray(data).dtype.kind}
    if kinds & {"f", "c"}:
        return _default_dtype
    if kinds == {"b"}:
        return bool_
    if kinds & {"i", "u"}:
        return int64
    raise TypeError(f"tensor(): cannot infer a dtype for data of type {type(data).__name__}")


def result_type(a: np.dtype, b: np.dtype) -> np.dtype:
    """Type promotion for a binary op between two tensors, as PyTorch does it.

    Unlike NumPy, int64 with float32 gives float32 (not float64).
    """
    if a == b:
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


class _BFloat16:
    """``gs.bfloat16``: named so PyTorch code imports, but NumPy cannot hold it.

    bfloat16 (1 sign, 8 exponent, 7 mantissa bits) has no NumPy dtype, so a
    tensor cannot be made of it: every use as a dtype (``x.to(gs.bfloat16)``,
    ``gs.zeros(3, dtype=gs.bfloat16)``, ``np.dtype(gs.bfloat16)``) raises a
    TypeError that says so. bfloat16 *files* load fine: ``gs.load`` upcasts
    them to float32 (exactly: every bfloat16 is a float32).
    """

    itemsize = 2
    is_floating_point = True

    @property
    def dtype(self) -> np.dtype:  # NumPy asks for this when the object is used as a dtype
        raise TypeError(
            "gradstudent.bfloat16 cannot be used for tensors or arithmetic: NumPy has no bfloat16 type. "
            "Use gs.float32 (bfloat16 checkpoints load upcast to float32) or gs.float16 for a 2-byte float."
        )

    def __repr__(self) -> str:
        return "gradstudent.bfloat16"


bfloat16 = _BFloat16()
