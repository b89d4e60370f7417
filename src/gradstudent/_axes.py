"""Axis arguments (``dim=``) as array axes: shared by the Tensor class and the ops.

This module sits at the bottom with the backend (it imports nothing of gradstudent), so
that both the ``Tensor`` methods and the op modules above them can use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """One ``dim`` (negatives count from the end) as a non-negative axis, or torch's IndexError.

    A 0-d tensor accepts dims 0 and -1, as in torch.
    """
    n = max(ndim, 1)
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n if ndim else 0


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``dim`` (None, an int or a sequence, negatives allowed) as sorted non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    return tuple(sorted({normalize_dim(d, ndim, op) for d in dims}))


def along_axis_index(xp: Any, index: Any, dim: int) -> tuple[Any, ...]:
    """The full index tuple that ``take_along_axis`` would use: aranges on every axis but ``dim``."""
    grids = list(xp.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)
