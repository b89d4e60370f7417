"""``Embedding``: a learnable lookup table of vectors, one row per token id."""

from __future__ import annotations

from typing import Any

from ..autograd.grad_mode import no_grad
from ..backend import get_array_module
from ..creation import empty
from ..ops.embedding import embedding
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """z[..., :] = weight[input[...], :] with weight: (num_embeddings, embedding_dim) ~ N(0, 1).

    ``padding_idx``: that row starts at zero and never receives a gradient (a "blank" token).
    ``max_norm``: rows looked up are first rescaled in place to norm <= max_norm (as PyTorch).
    ``scale_grad_by_freq``: each row's gradient is divided by how often it occurs in the batch.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse gradients are not supported (the dense gradient is already a fast scatter-add)")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within num_embeddings ({num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected {(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        if self.max_norm is not None:
            self._renorm(input)
        return embedding(input, self.weight, self.padding_idx, self.scale_grad_by_freq)

    def _renorm(self, input: Tensor) -> None:
        """Rescale (in place, no gradient) the looked-up rows whose norm exceeds ``max_norm``."""
        xp = get_array_module(self.weight._data)
        rows = xp.unique(input._data.reshape(-1))
        norms = (xp.abs(self.weight._data[rows]) ** self.norm_type).sum(axis=1) ** (1.0 / self.norm_type)
        big = norms > self.max_norm
        scale = (self.max_norm / (norms[big] + 1e-7)).astype(self.weight.dtype)
        self.weight._data[rows[big]] *= scale[:, None]
        self.weight._bump_version()

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy-free view of ``embeddings`` (frozen by default)."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {tuple(embeddings.shape)}")
        n, d = embeddings.shape
        return cls(n, d, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
