"""Differentiable operations, grouped by kind. Each op is a Function subclass
(forward on arrays, backward on tensors) plus a small public function.

Importing this package loads every op module; each registers its ops (``OPS``) and the
``Tensor`` methods it provides (``TENSOR_METHODS``) as it loads. ``import gradstudent``
does this once, right after the Tensor class (docs/engine.md, "Layers")."""

from . import elementwise, index, inplace, linalg, nn_ops, reduce, shape, triangular, unary  # noqa: F401
from . import attention, embedding, layernorm, lstm, rnn  # noqa: F401  (sequence models)
from . import conv, norm_batch, pool, resample, window  # noqa: F401,E402  (convolutional networks)
