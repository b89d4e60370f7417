"""Elementwise ops: arithmetic, activations and their chain rules.

Each gradient comment reads ``x.grad[i] += z.grad[i] * dz[i]/dx[i]`` with ``i``
a (broadcast) element index; the engine sums broadcast axes afterwards.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..autograd.function import Function, register, tensor_method
from ..backend import Array, device_of, get_array_module, move_to
from ..tensor import Tensor
from ._util import binary_operands, broadcast_shapes, mask_like as _mask, scalar_like


def _shape_check(op: str, x: Array, y: Array) -> None:
    if x.shape != y.shape and x.ndim and y.ndim:  # a 0-d operand always broadcasts
        broadcast_shapes(op, x.shape, y.shape)


# ---------------------------------------------------------------- binary arithmetic
@register("add")
class Add(Function):
    """z = x + y"""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("add", x, y)
        return x + y

    def backward(self, grad: Tensor) -> tuple[Tensor, Tensor]:
        # x.grad[i] += z.grad[i];  y.grad[i] += z.grad[i]
        return grad, grad

    def backward_arrays(self, g: Array) -> tuple[Array, Array]:
        return g, g


@register("sub")
class Sub(Function):
    """z = x - y"""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("sub", x, y)
        return x - y

    def backward(self, grad: Tensor) -> tuple[Tensor, Tensor | None]:
        # x.grad[i] += z.grad[i];  y.grad[i] -= z.grad[i]
        return grad, (-grad if self.needs_input_grad[1] else None)

    def backward_arrays(self, g: Array) -> tuple[Array, Array | None]:
        return g, (-g if self.needs_input_grad[1] else None)


@register("mul")
class Mul(Function):
    """z = x * y"""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("mul", x, y)
        return x * y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved_inputs()
        need_x, need_y = self.needs_input_grad
        # x.grad[i] += z.grad[i] * y[i];  y.grad[i] += z.grad[i] * x[i]
        return (grad * y if need_x else None), (grad * x if need_y else None)

    def backward_arrays(self, g: Array) -> tuple[Array | None, Array | None]:
        x, y = self.saved_arrays()
        need_x, need_y = self.needs_input_grad
        return (g * y if need_x else None), (g * x if need_y else None)


@register("div")
class Div(Function):
    """z = x / y"""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("div", x, y)
        return x / y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved_inputs()
        need_x, need_y = self.needs_input_grad
        # x.grad[i] += z.grad[i] / y[i];  y.grad[i] -= z.grad[i] * x[i] / y[i]^2
        gx = grad / y if need_x else None
        gy = -grad * x / (y * y) if need_y else None
        return gx, gy

    def backward_arrays(self, g: Array) -> tuple[Array | None, Array | None]:
        x, y = self.saved_arrays()
        need_x, need_y = self.needs_input_grad
        return (g / y if need_x else None), (-g * x / (y * y) if need_y else None)


@register("pow")
class Pow(Function):
    """z = x ** y (both tensors)"""

    saves_output = True

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("pow", x, y)
        return x**y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved_inputs()
        need_x, need_y = self.needs_input_grad
        # x.grad[i] += z.grad[i] * y[i] * x[i]^(y[i]-1);  y.grad[i] += z.grad[i] * z[i] * log x[i]
        gx = grad * y * x ** (y - 1) if need_x else None
        gy = None
        if need_y:
            safe_log = where(x > 0, x, 1.0).log()  # d/dy x^y = x^y log x; 0 where x <= 0 (as torch)
            gy = grad * self.saved_output() * safe_log
        return gx, gy


@register("pow_scalar")
class PowScalar(Function):
    """z = x ** p for a Python number p"""

    def forward(self, x: Array, p: float) -> Array:
        self.p = p
        return x**p

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        p = self.p
        if p == 0:
            return grad * 0.0
        # x.grad[i] += z.grad[i] * p * x[i]^(p-1)
        return grad * (p * x ** (p - 1) if p != 2 else 2.0 * x)


@register("rpow_scalar")
class RPowScalar(Function):
    """z = c ** x for a Python number c"""

    saves_output = True

    def forward(self, x: Array, c: float) -> Array:
        self.c = c
        return get_array_module(x).asarray(c, dtype=x.dtype) ** x

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[i] += z.grad[i] * z[i] * log c
        return grad * self.saved_output() * math.log(self.c)


@register("maximum")
class Maximum(Function):
    """z = max(x, y) elementwise; ties send half the gradient to each side (as torch)."""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("maximum", x, y)
        return get_array_module(x).maximum(x, y)

    def backward(self, grad: Tensor) -> tuple[Tensor, Tensor]:
        x, y = self.saved_inputs()
        share_x = _mask(x._data > y._data, grad) + 0.5 * _mask(x._data == y._data, grad)
        # x.grad[i] += z.grad[i] * [x[i] > y[i]];  y.grad[i] += z.grad[i] * [y[i] > x[i]]
        return grad * share_x, grad * (1.0 - share_x)


@register("minimum")
class Minimum(Function):
    """z = min(x, y) elementwise"""

    def forward(self, x: Array, y: Array) -> Array:
        _shape_check("minimum", x, y)
        return get_array_module(x).minimum(x, y)

    def backward(self, grad: Tensor) -> tuple[Tensor, Tensor]:
        x, y = self.saved_inputs()
        share_x = _mask(x._data < y._data, grad) + 0.5 * _mask(x._data == y._data, grad)
        return grad * share_x, grad * (1.0 - share_x)


@register("clamp")
class Clamp(Function):
    """z = min(max(x, low), high); gradient passes where low <= x <= high"""

    def forward(self, x: Array, low: float | None, high: float | None) -> Array:
        if low is None and high is None:
            raise ValueError("clamp: at least one of min and max must be given")
        self.low, self.high = low, high
        return get_array_module(x).clip(x, low, high)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        inside = x._data == x._data  # all True
        if self.low is not None:
            inside = inside & (x._data >= self.low)
        if self.high is not None:
            inside = inside & (x._data <= self.high)
        return grad * _mask(inside, grad)  # x.grad[i] += z.grad[i] * [low <= x[i] <= high]


@register("where")
class Where(Function):
    """z = x where cond else y (cond is a constant mask)"""

    def forward(self, cond: Array, x: Array, y: Array) -> Array:
        return get_array_module(x).where(cond, x, y)

    def backward(self, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        cond = self.inputs[0]
        zero = scalar_like(0.0, grad)
        # x.grad[i] += z.grad[i] * [cond[i]];  y.grad[i] += z.grad[i] * [not cond[i]]
        gx = where(cond, grad, zero) if self.needs_input_grad[1] else None
        gy = where(cond, zero, grad) if self.needs_input_grad[2] else None
        return None, gx, gy


@register("cast", method="_cast")
class Cast(Function):
    """z = x converted to another dtype; the gradient converts back."""

    def forward(self, x: Array, dtype: Any) -> Array:
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad: Tensor) -> Tensor:
        return grad.type(self.in_dtype)


@register("to_device", method="_to_device")
class ToDevice(Function):
    """z = x copied to another device ("cpu"/"cuda"); the gradient copies back."""

    def forward(self, x: Array, device: str) -> Array:
        self.in_device = device_of(x)
        return move_to(x, device)

    def backward(self, grad: Tensor) -> Tensor:
        return ToDevice.apply(grad, device=self.in_device)


# ---------------------------------------------------------------- public functions
@tensor_method("add")
def add(x: Any, y: Any) -> Tensor:
    return Add.apply(*binary_operands(x, y))


@tensor_method("sub")
def sub(x: Any, y: Any) -> Tensor:
    return Sub.apply(*binary_operands(x, y))


@tensor_method("mul")
def mul(x: Any, y: Any) -> Tensor:
    return Mul.apply(*binary_operands(x, y))


@tensor_method("div")
def div(x: Any, y: Any) -> Tensor:
    x, y = binary_operands(x, y)
    if x._data.dtype.kind != "f":  # true division of integers gives floats, as in torch
        x, y = x.type(dtypes.get_default_dtype()), y.type(dtypes.get_default_dtype())
    return Div.apply(x, y)


@tensor_method("pow")
def pow(x: Any, y: Any) -> Tensor:  # noqa: A001 - torch name
    if isinstance(x, Tensor) and isinstance(y, int | float) and not isinstance(y, bool):
        return PowScalar.apply(x, p=y)
    if isinstance(y, Tensor) and isinstance(x, int | float) and not isinstance(x, bool) and x > 0:
        return RPowScalar.apply(y, c=x)
    return Pow.apply(*binary_operands(x, y))


@tensor_method("maximum")
def maximum(x: Any, y: Any) -> Tensor:
    return Maximum.apply(*binary_operands(x, y))


@tensor_method("minimum")
def minimum(x: Any, y: Any) -> Tensor:
    return Minimum.apply(*binary_operands(x, y))


@tensor_method("where")
def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` holds, else ``y`` (all three broadcast together)."""
    x, y = binary_operands(x, y)
    cond = condition if isinstance(condition, Tensor) else Tensor(condition)
    if cond._data.dtype.kind != "b":
        cond = Tensor._make(cond._data.astype(bool))
    broadcast_shapes("where", cond.shape, x.shape, y.shape)
    return Where.apply(cond, x, y)


@tensor_method("clamp")
def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    return Clamp.apply(x, low=min, high=max)


from .unary import (  # noqa: E402,F401  (unary ops live in their own module; re-exported here)
    Abs, Cos, Exp, Expm1, Log, Log1p, Neg, Relu, Rsqrt, Sigmoid, Sin, Sqrt, Tanh, abs, cos, exp, expm1, log, log1p,
    neg, relu, rsqrt, sigmoid, sin, sqrt, tanh,
)


@tensor_method("_compare")
def compare(x: Any, other: Any, ufunc: str) -> Tensor:
    """``x == other``, ``x < other``, ``x & other``... with the array function ``ufunc``: a constant (no gradient)."""
    a, b = binary_operands(x, other)
    xp = get_array_module(a._data)
    return Tensor._make(getattr(xp, ufunc)(a._data, b._data))


@tensor_method("sign")
def sign(x: Tensor) -> Tensor:
    """-1, 0 or +1 per element.

    Its derivative is zero everywhere, so the result is returned as a constant that
    does not require grad. (torch returns a tensor that requires grad with a zero
    gradient; gradients flowing through ``sign`` are the same: zero.)
    """
    return Tensor._make(get_array_module(x._data).sign(x._data))


@tensor_method("square")
def square(x: Tensor) -> Tensor:
    return PowScalar.apply(x, p=2)


@register("clone", method="clone")
class Clone(Function):
    """z = a copy of x (own memory); the gradient passes through unchanged"""

    def forward(self, x: Array) -> Array:
        return x.copy()

    def backward(self, grad: Tensor) -> Tensor:
        return grad
