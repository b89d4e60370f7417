"""The network shared by flow matching and diffusion: an MLP on (x, embedding of t).

    emb(t) = [sin(2π f_k t), cos(2π f_k t)]_k,   f_k = 2^k (k = 0 … K-1)   for t ∈ [0, 1]
    net(x, t) = MLP([x, emb(t)])                    x: (N, D), t: (N,) or a scalar -> (N, D)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import nn
from ..creation import arange
from ..ops.shape import cat
from ..tensor import Tensor

__all__ = ["TimeMLP", "time_embedding"]


def time_embedding(t: Tensor, n: int, frequencies: int) -> Tensor:
    """Sinusoidal features of t ∈ [0, 1]: (N, 2·frequencies); a 0-d or 1-element t is broadcast to N rows."""
    t = t.reshape(-1, 1)
    if t.shape[0] == 1 and n != 1:
        t = t.expand(n, 1)
    f = (arange(frequencies, dtype=t.dtype) * math.log(2.0)).exp() * (2 * math.pi)   # 2π · 2^k
    a = t * f.reshape(1, -1)
    return cat([a.sin(), a.cos()], 1)


class TimeMLP(nn.Module):
    """v(x, t) or ε(x, t): MLP [x, emb(t)] -> hidden... -> D with SiLU activations."""

    def __init__(self, features: int, hidden: Sequence[int] = (128, 128, 128), frequencies: int = 8) -> None:
        super().__init__()
        self.features, self.frequencies = features, frequencies
        sizes = [features + 2 * frequencies, *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.SiLU()]
        layers.append(nn.Linear(sizes[-1], features))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(f"TimeMLP: expected x of shape (N, {self.features}), got {tuple(x.shape)}")
        return self.net(cat([x, time_embedding(t.to(x.dtype), x.shape[0], self.frequencies)], 1))
