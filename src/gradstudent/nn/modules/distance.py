"""``torch.nn.modules.distance``'s import path."""

from __future__ import annotations

from ..activation_extra import CosineSimilarity, PairwiseDistance

__all__ = ["CosineSimilarity", "PairwiseDistance"]
