"""Embedding lookup: rows of a table selected by integer indices.

    z[k, :] = W[idx[k], :]                         (any shape of idx; z gets a trailing D axis)
    W.grad[v, :] += sum_{k : idx[k] = v} z.grad[k, :]   (0 for v = padding_idx)

The backward is a scatter-add of rows. ``np.add.at`` does it one row at a time
and is slow; :func:`gradstudent.ops.index.add_at` does it as one sparse
one-hot matrix product (``onehot[V, N] @ z.grad[N, D]``), about 10x faster.
The scatter is its own registered op so that it too has a gradient (a gather),
which makes second derivatives through embeddings work.
"""

from __future__ import annotations

from ..autograd.function import Function, register
from ..backend import Array, get_array_module
from ..tensor import Tensor
from .index import add_at


@register("embedding")
class Embedding(Function):
    """z[..., :] = W[idx[...], :]"""

    def forward(self, w: Array, idx: Array, padding_idx: int | None, scale_grad_by_freq: bool) -> Array:
        self.padding_idx, self.scale = padding_idx, scale_grad_by_freq
        return get_array_module(w).take(w, idx, axis=0)

    def backward(self, grad: Tensor) -> tuple[Tensor, None]:
        w, idx = self.saved_inputs()
        # W.grad[v, :] += sum_{k: idx[k] = v} z.grad[k, :]
        gw = EmbeddingScatter.apply(grad, idx, num_rows=w.shape[0], padding_idx=self.padding_idx, scale_grad_by_freq=self.scale)
        return gw, None


@register("embedding_scatter")
class EmbeddingScatter(Function):
    """z = zeros(V, D) with z[idx[k], :] += g[k, :] (row ``padding_idx`` kept at 0): the adjoint of ``embedding``"""

    def forward(self, g: Array, idx: Array, num_rows: int, padding_idx: int | None, scale_grad_by_freq: bool) -> Array:
        xp = get_array_module(g)
        self.padding_idx, self.scale = padding_idx, scale_grad_by_freq
        flat_idx = idx.reshape(-1)
        rows = g.reshape(flat_idx.size, -1)
        if scale_grad_by_freq:  # divide each row's gradient by how often its index occurs in the batch
            counts = xp.bincount(flat_idx, minlength=num_rows).astype(g.dtype)
            self.inv_freq = 1.0 / counts[flat_idx]
            rows = rows * self.inv_freq[:, None]
        out = xp.zeros((num_rows, rows.shape[1]), dtype=g.dtype)
        add_at(xp, out, flat_idx, rows)
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    def backward(self, grad: Tensor) -> tuple[Tensor, None]:
        g, idx = self.saved_inputs()
        # g.grad[k, :] = z.grad[idx[k], :] (times 1/count and 0 at padding, as in forward)
        gg = Embedding.apply(grad, idx, padding_idx=None, scale_grad_by_freq=False)
        xp = get_array_module(idx._data)
        factor = None
        if self.scale:
            factor = self.inv_freq.reshape(idx.shape)
        if self.padding_idx is not None:
            keep = (idx._data != self.padding_idx).astype(g._data.dtype)
            factor = keep if factor is None else factor * keep
        if factor is not None:
            gg = gg * Tensor._make(xp.asarray(factor, dtype=g._data.dtype)[..., None])
        return gg, None


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    scale_grad_by_freq: bool = False,
) -> Tensor:
    """``F.embedding``: look up rows of ``weight`` (V, D) at the integer ``input`` (any shape) -> (*input.shape, D)."""
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {input.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {tuple(weight.shape)}")
    v = weight.shape[0]
    if input.numel() and (int(input._data.max()) >= v or int(input._data.min()) < 0):
        raise IndexError(
            f"embedding: index out of range: indices span [{int(input._data.min())}, {int(input._data.max())}] "
            f"but the table has {v} rows"
        )
    if padding_idx is not None:
        if not -v <= padding_idx < v:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for {v} rows")
        padding_idx %= v
    return Embedding.apply(weight, input, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
