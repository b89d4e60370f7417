"""gradstudent: deep learning from first principles, on NumPy, with PyTorch's API.

    import gradstudent as gs
    x = gs.randn(4, 3, requires_grad=True)
    (x.tanh() ** 2).sum().backward()
    x.grad
"""

from __future__ import annotations

import builtins

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
from .dtypes import bfloat16  # noqa: E402
from .devices import device, get_default_device, set_default_device  # noqa: E402
from .tensor import Tensor  # noqa: E402
from . import ops  # noqa: E402,F401  (the one place that loads the ops: they register Tensor's methods)
from .ops.triangular import tril, triu  # noqa: E402
from .ops.elementwise import (
    abs, add, clamp, cos, div, exp, expm1, log, log1p, maximum, minimum, mul, neg, pow, relu, rsqrt, sigmoid, sign,
    sin, sqrt, square, sub, tanh, where,
)
from .ops.index import gather, index_select, masked_fill, masked_select, scatter_add
from .ops.linalg import dot, einsum, matmul, outer
from .ops.reduce import amax, amin, argmax, argmin, cumsum, logsumexp, max, mean, min, norm, prod, std, sum, var
from .ops.shape import cat, chunk, expand, flatten, flip, narrow, permute, reshape, split, squeeze, stack, transpose, unflatten, unsqueeze
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

clip = clamp
concat = concatenate = cat


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


from .tensor_api import mm  # noqa: E402


def is_tensor(x: object) -> builtins.bool:  # (``bool`` here is gradstudent.bool, the dtype)
    return isinstance(x, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def __getattr__(name: str) -> object:
    """Functions declared by an op's registration (``@register(name, function=...)``)."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    raise AttributeError(f"module 'gradstudent' has no attribute {name!r}")


from . import autograd, linalg  # noqa: E402
autograd._load_api()  # the autograd API (grad, gradcheck, Function...): built on tensors and ops, so loaded after them
from . import nn, optim  # noqa: E402
from . import utils  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import accelerator, backends, cuda, distributed, onnx  # noqa: E402  (PyTorch's device and stub modules)
from . import profiler  # noqa: E402  (gs.profiler.profile: per-op forward/backward time and memory)
from . import amp  # noqa: E402  (mixed precision: gs.amp.GradScaler)
from .amp import autocast  # noqa: E402
from .functions import (  # noqa: E402  (more of torch.*, composed from the ops above)
    addmm, all, allclose, any, argsort, atleast_2d, bincount, bmm, broadcast_tensors, broadcast_to, bucketize, ceil,
    clone, cosh, count_nonzero, diag, diff, eq, equal, erf, finfo, floor, frac, ge, gt, hstack, iinfo, is_floating_point,
    isclose, isfinite, isinf, isnan, le, lerp, log2, log10, logical_and, logical_not, logical_or, logical_xor, logspace,
    lt, meshgrid, movedim, nan_to_num, ne, nonzero, randint_like, reciprocal, repeat_interleave, roll, round,
    searchsorted, select, sinh, sort, std_mean, swapaxes, t, take_along_dim, tan, tile, topk, trace, tril_indices,
    triu_indices, trunc, unbind, unique, var_mean, vstack,
)
from .legacy import (  # noqa: E402
    BoolTensor, ByteTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
)

__version__ = "0.1.0"

# Performance setting (speed only, never results): glibc keeps freed memory for reuse, ~20-25% off
# the GPT and LSTM benchmark steps. GRADSTUDENT_MALLOC_TUNING=0 switches it off; see backend.tune_allocator.
backend.tune_allocator()
