"""gradstudent: deep learning from first principles, on NumPy, with PyTorch's API.

    import gradstudent as gs
    x = gs.randn(4, 3, requires_grad=True)
    (x.tanh() ** 2).sum().backward()
    x.grad
"""

from __future__ import annotations

from . import backend, dtypes
from .autograd.function import FUNCTIONS as _FUNCTIONS
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, linspace, multinomial,
    normal, ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from .dtypes import (
    bool_ as bool, double, float, float16, float32, float64, get_default_dtype, half, int8, int16, int32, int64, long,
    set_default_dtype, short, uint8,
)
from .ops.elementwise import (
    abs, add, clamp, cos, div, exp, expm1, log, log1p, maximum, minimum, mul, neg, pow, relu, rsqrt, sigmoid, sign,
    sin, sqrt, square, sub, tanh, where,
)
from .ops.index import gather, index_select, masked_fill, masked_select, scatter_add
from .ops.linalg import dot, einsum, matmul, outer
from .ops.reduce import amax, amin, argmax, argmin, cumsum, logsumexp, max, mean, min, norm, prod, std, sum, var
from .ops.shape import cat, chunk, expand, flatten, flip, narrow, permute, reshape, split, squeeze, stack, transpose, unflatten, unsqueeze
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Tensor

clip = clamp
concat = concatenate = cat


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


from .tensor_api import mm  # noqa: E402


def is_tensor(x: object) -> bool:
    return isinstance(x, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def __getattr__(name: str) -> object:
    """Functions declared by an op's registration (``@register(name, function=...)``)."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    raise AttributeError(f"module 'gradstudent' has no attribute {name!r}")


from . import autograd, linalg  # noqa: E402
from . import nn, optim  # noqa: E402
from . import utils  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"

# Performance setting (speed only, never results): glibc keeps freed memory for reuse, ~20-25% off
# the GPT and LSTM benchmark steps. GRADSTUDENT_MALLOC_TUNING=0 switches it off; see backend.tune_allocator.
backend.tune_allocator()
