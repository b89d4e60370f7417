"""PyTorch's typed constructors: ``gs.FloatTensor``, ``gs.LongTensor``, ...

Old tutorials write ``torch.LongTensor([1, 2])`` (a copy of the data, as
int64) or ``torch.FloatTensor(2, 3)`` (an uninitialised 2×3 tensor; here
zero-filled, so nothing depends on garbage). ``isinstance(x, gs.LongTensor)``
asks about the dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .creation import tensor, zeros
from .tensor import Tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "ByteTensor", "BoolTensor"]


class _TypedTensorMeta(type):
    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        if len(args) == 1 and isinstance(args[0], Tensor) and args[0].dtype != cls.dtype:
            raise TypeError(
                f"{cls.__name__}(): expected a tensor of dtype {cls.dtype}, got {args[0].dtype} "
                f"(convert explicitly: x.to({cls.dtype}))"
            )
        if len(args) == 1 and not isinstance(args[0], int | np.integer):
            return tensor(args[0], dtype=cls.dtype, device=device)  # data: a list, an array or a tensor
        if all(isinstance(a, int | np.integer) for a in args):
            return zeros(*args, dtype=cls.dtype, device=device)  # sizes
        if len(args) == 1 and isinstance(args[0], tuple):
            return zeros(*args[0], dtype=cls.dtype, device=device)
        raise TypeError(f"{cls.__name__}(): expected data (a list, array or tensor) or sizes (ints), got {args!r}")


def _typed(name: str, dtype: Any) -> type:
    doc = f"``{name}(data)`` copies data as {np.dtype(dtype)}; ``{name}(*sizes)`` is zeros of {np.dtype(dtype)}."
    return _TypedTensorMeta(name, (), {"dtype": np.dtype(dtype), "__doc__": doc, "__module__": __name__})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)
