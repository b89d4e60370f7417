"""PyTorch's ``torch.nn.modules`` package layout, so that imports such as
``from gradstudent.nn.modules.linear import Linear`` or ``nn.modules.loss._Loss`` work.

Each file re-exports classes defined elsewhere in ``gradstudent.nn``; the layers
themselves are written once, where the table in the README says.
"""

from __future__ import annotations

from . import activation, batchnorm, distance, container, conv, dropout, flatten, fold, linear, loss, module, normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer, upsampling  # noqa: F401
from ..module import Module  # noqa: F401

