"""Differentiable operations, grouped by kind. Each op is a Function subclass
(forward on arrays, backward on tensors) plus a small public function."""

from . import elementwise, index, linalg, nn_ops, reduce, shape  # noqa: F401
from . import attention, embedding, layernorm, lstm, rnn  # noqa: F401  (sequence models)
