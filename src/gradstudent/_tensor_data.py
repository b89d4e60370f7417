"""Checking what ``gs.tensor(data)`` is given, so bad data gets a clear error (as torch).

Accepted: numbers, bools, nested lists/tuples of them with a regular (non-ragged) shape,
and NumPy arrays of bool, integer or floating dtype. Refused with a ``TypeError``: strings,
complex numbers (gradstudent has no complex dtype), ``None``, dicts and other objects, and
object/string/complex arrays; with a ``ValueError``: ragged nested lists (``[[1, 2], [3]]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_KINDS = {"b": "bool", "i": "integer", "u": "unsigned integer", "f": "floating point"}


def _refuse_kind(kind: str, what: str) -> None:
    if kind in _KINDS:
        return
    if kind == "c":
        raise TypeError(f"tensor(): complex numbers are not supported (got {what}); gradstudent has no complex dtype")
    if kind in "US":
        raise TypeError(f"tensor(): invalid data type 'str' (got {what}); tensors hold numbers")
    raise TypeError(f"tensor(): cannot make a tensor from {what} (only numbers, bools, nested lists of them and numeric arrays)")


def check_tensor_data(data: Any) -> None:
    """Raise a clear error unless ``data`` can become a numeric tensor."""
    if isinstance(data, np.ndarray | np.generic):
        _refuse_kind(data.dtype.kind, f"a NumPy array of dtype {data.dtype}")
        return
    if hasattr(data, "__cuda_array_interface__") or isinstance(data, bool | int | float):
        return
    try:
        array = np.asarray(data)
    except ValueError as err:  # NumPy: "inhomogeneous shape after 1 dimensions"
        raise ValueError(f"tensor(): the nested sequence is ragged (rows of different lengths): {err}") from None
    except (TypeError, OverflowError) as err:
        raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__}: {err}") from None
    _refuse_kind(array.dtype.kind, f"{type(data).__name__} data of dtype {array.dtype}")
