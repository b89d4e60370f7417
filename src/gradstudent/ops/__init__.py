"""Differentiable operations, grouped by kind. Each op is a Function subclass
(forward on arrays, backward on tensors) plus a small public function."""

from . import elementwise, index, linalg, nn_ops, reduce, shape, unary  # noqa: F401
from . import attention, embedding, layernorm, lstm, rnn  # noqa: F401  (sequence models)
from . import conv, norm_batch, pool, resample, window  # noqa: F401,E402  (convolutional networks)
