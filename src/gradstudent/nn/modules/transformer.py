"""``torch.nn.modules.transformer``'s import path: the classes live in ``gradstudent.nn.transformer``."""

from __future__ import annotations

from ..transformer import Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer", "TransformerDecoderLayer"]
