"""The sequence-model part of ``nn.functional`` (re-exported there): embedding, layer norm, attention."""

from __future__ import annotations

from ..ops.attention import scaled_dot_product_attention
from ..ops.embedding import embedding
from ..ops.layernorm import layer_norm

__all__ = ["embedding", "layer_norm", "scaled_dot_product_attention"]
