"""Unary math ops: exp, log, sqrt, trigonometric functions and activations.

Each gradient comment reads ``x.grad[i] += z.grad[i] * dz[i]/dx[i]``.
"""

from __future__ import annotations

from .. import dtypes
from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import mask_like as _mask


# ---------------------------------------------------------------- unary math
@register("neg")
class Neg(Function):
    """z = -x"""

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, grad: Tensor) -> Tensor:
        return -grad  # x.grad[i] -= z.grad[i]

    def backward_arrays(self, g: Array) -> Array:
        return -g


@register("exp")
class Exp(Function):
    """z = e^x"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        return get_array_module(x).exp(x)

    def backward(self, grad: Tensor) -> Tensor:
        return grad * self.saved_output()  # x.grad[i] += z.grad[i] * e^x[i]

    def backward_arrays(self, g: Array) -> Array:
        return g * self.saved_output()._data


@register("log")
class Log(Function):
    """z = ln x"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).log(x)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return grad / x  # x.grad[i] += z.grad[i] / x[i]


@register("log1p")
class Log1p(Function):
    """z = ln(1 + x), accurate for small x"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).log1p(x)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return grad / (x + 1.0)  # x.grad[i] += z.grad[i] / (1 + x[i])


@register("expm1")
class Expm1(Function):
    """z = e^x - 1, accurate for small x"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        return get_array_module(x).expm1(x)

    def backward(self, grad: Tensor) -> Tensor:
        return grad * (self.saved_output() + 1.0)  # x.grad[i] += z.grad[i] * e^x[i]


@register("sqrt")
class Sqrt(Function):
    """z = sqrt(x)"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        return get_array_module(x).sqrt(x)

    def backward(self, grad: Tensor) -> Tensor:
        return grad / (2.0 * self.saved_output())  # x.grad[i] += z.grad[i] / (2 sqrt x[i])


@register("rsqrt")
class Rsqrt(Function):
    """z = 1 / sqrt(x)"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        return 1.0 / get_array_module(x).sqrt(x)

    def backward(self, grad: Tensor) -> Tensor:
        z = self.saved_output()
        return grad * (-0.5) * z * z * z  # x.grad[i] += z.grad[i] * (-1/2) x[i]^(-3/2)


@register("sin")
class Sin(Function):
    """z = sin x"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).sin(x)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return grad * x.cos()  # x.grad[i] += z.grad[i] * cos x[i]


@register("cos")
class Cos(Function):
    """z = cos x"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).cos(x)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return -grad * x.sin()  # x.grad[i] -= z.grad[i] * sin x[i]


@register("tanh")
class Tanh(Function):
    """z = tanh x (NumPy's tanh saturates to ±1 without overflow)"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        return get_array_module(x).tanh(x)

    def backward(self, grad: Tensor) -> Tensor:
        z = self.saved_output()
        return grad * (1.0 - z * z)  # x.grad[i] += z.grad[i] * (1 - z[i]^2)

    def backward_arrays(self, g: Array) -> Array:
        z = self.saved_output()._data
        return g * (1.0 - z * z)


@register("sigmoid")
class Sigmoid(Function):
    """z = 1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so it never overflows"""

    saves_output = True

    def forward(self, x: Array) -> Array:
        xp = get_array_module(x)
        return xp.tanh(x * 0.5) * 0.5 + 0.5

    def backward(self, grad: Tensor) -> Tensor:
        z = self.saved_output()
        return grad * z * (1.0 - z)  # x.grad[i] += z.grad[i] * z[i] (1 - z[i])

    def backward_arrays(self, g: Array) -> Array:
        z = self.saved_output()._data
        return g * z * (1.0 - z)


@register("relu")
class Relu(Function):
    """z = max(x, 0)"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).maximum(x, 0)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return grad * _mask(x._data > 0, grad)  # x.grad[i] += z.grad[i] * [x[i] > 0]

    def backward_arrays(self, g: Array) -> Array:
        (x,) = self.saved_arrays()
        return g * (x > 0)


@register("abs")
class Abs(Function):
    """z = |x|"""

    def forward(self, x: Array) -> Array:
        return get_array_module(x).abs(x)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        return grad * x.sign()  # x.grad[i] += z.grad[i] * sign x[i]   (0 at x = 0, as torch)


def _unary(cls: type[Function]):
    def fn(x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"{cls.op_name}: expected a Tensor, got {type(x).__name__}")
        if x._data.dtype.kind != "f" and cls.op_name not in ("neg", "abs", "relu"):
            x = x.type(dtypes.get_default_dtype())
        return cls.apply(x)

    fn.__name__ = cls.op_name
    fn.__doc__ = cls.__doc__
    return tensor_method(cls.op_name)(fn)  # also Tensor.<name> (x.exp())


neg, exp, log, log1p, expm1 = _unary(Neg), _unary(Exp), _unary(Log), _unary(Log1p), _unary(Expm1)
sqrt, rsqrt, sin, cos, tanh = _unary(Sqrt), _unary(Rsqrt), _unary(Sin), _unary(Cos), _unary(Tanh)
sigmoid, relu, abs = _unary(Sigmoid), _unary(Relu), _unary(Abs)  # noqa: A001
