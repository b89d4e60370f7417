"""Autoregressive flows: MADE (Germain et al. 2015) and the masked autoregressive flow MAF (Papamakarios et al. 2017).

MADE is an MLP whose weights are multiplied by binary masks so that output i depends only on x_{<i}
(and on the context c, which every hidden unit of the first layer sees). Degrees: input i has degree
i (1..D), hidden unit k a degree m(k) ∈ {1, …, D-1}; a hidden weight (k ← j) is kept when m(k) ≥ m(j),
an output weight (i ← k) when i > m(k). So ∂ output_i / ∂ x_j = 0 for j ≥ i, and the Jacobian of

    MAF layer (data → noise):  z_i = (x_i - μ_i(x_{<i}, c)) · exp(-α_i(x_{<i}, c)),   α = B tanh(α̂ / B)

is triangular: log|det ∂z/∂x| = -Σ_i α_i — one network pass for the density. Sampling inverts it one
coordinate at a time, x_i = z_i exp(α_i) + μ_i, D passes (the price of a fast density).
``MAF(features, context=0, transforms=5, hidden=(64, 64))`` stacks layers with order reversals between them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import nn
from ..creation import tensor
from ..nn import functional as F
from ..ops.shape import cat
from ..tensor import Tensor
from .flows import Flow, FlowTransform, Permutation

__all__ = ["MaskedLinear", "MADE", "MAFLayer", "MAF"]


class MaskedLinear(nn.Linear):
    """y = x (W ⊙ M)ᵀ + b with a fixed binary mask M of W's shape (out, in)."""

    def __init__(self, in_features: int, out_features: int, mask: np.ndarray) -> None:
        super().__init__(in_features, out_features)
        if mask.shape != (out_features, in_features):
            raise ValueError(f"MaskedLinear: mask shape {mask.shape} != weight shape {(out_features, in_features)}")
        self.register_buffer("mask", tensor(mask.astype(np.float32)))

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.mask.to(self.weight.dtype), self.bias)


def made_degrees(features: int, hidden: Sequence[int]) -> list[np.ndarray]:
    """Degrees of the input (1..D) and of each hidden layer (cycling through 1..D-1; 0 when D = 1)."""
    degrees = [np.arange(1, features + 1)]
    low, span = min(1, features - 1), max(1, features - 1)
    for h in hidden:
        degrees.append(np.arange(h) % span + low)
    return degrees


class MADE(nn.Module):
    """Masked autoencoder: ``forward(x, context) -> (N, outputs_per_feature, D)``; output i sees x_{<i} and c."""

    def __init__(self, features: int, hidden: Sequence[int] = (64, 64), context: int = 0, outputs_per_feature: int = 2) -> None:
        super().__init__()
        if not hidden:
            raise ValueError("MADE: needs at least one hidden layer")
        self.features, self.context_features, self.k = features, context, outputs_per_feature
        deg = made_degrees(features, hidden)
        layers: list[nn.Module] = []
        for i, h in enumerate(hidden):
            mask = (deg[i + 1][:, None] >= deg[i][None, :]).astype(np.float32)
            layers.append(MaskedLinear(deg[i].size, h, mask))
        self.hidden_layers = nn.ModuleList(layers)
        self.context_layer = nn.Linear(context, hidden[0], bias=False) if context else None
        out_deg = np.tile(np.arange(1, features + 1), outputs_per_feature)   # output (j, i) at row j·D + i
        self.output = MaskedLinear(hidden[-1], outputs_per_feature * features, (out_deg[:, None] > deg[-1][None, :]).astype(np.float32))
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(self, x: Tensor, context: Tensor | None = None) -> Tensor:
        h = self.hidden_layers[0](x)
        if self.context_layer is not None and context is not None:
            h = h + self.context_layer(context.to(x.dtype))
        h = h.relu()
        for layer in list(self.hidden_layers)[1:]:
            h = layer(h).relu()
        return self.output(h).reshape(x.shape[0], self.k, self.features)


class MAFLayer(FlowTransform):
    """z = (x - μ(x_{<i}, c)) exp(-α(x_{<i}, c)), α = B tanh(α̂/B); log|det| = -Σ α."""

    def __init__(self, features: int, hidden: Sequence[int] = (64, 64), context: int = 0, scale_bound: float = 3.0) -> None:
        super().__init__()
        self.made = MADE(features, hidden, context, 2)
        self.features, self.scale_bound = features, float(scale_bound)

    def _params(self, x: Tensor, context: Tensor | None) -> tuple[Tensor, Tensor]:
        out = self.made(x, context)
        mu, raw = out[:, 0, :], out[:, 1, :]
        return mu, (raw * (1.0 / self.scale_bound)).tanh() * self.scale_bound

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mu, alpha = self._params(x, context)
        return (x - mu) * (-alpha).exp(), -alpha.sum(1)

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        # x_i depends on x_{<i} only: D passes, each fixing one more coordinate.
        x = z * 0.0
        for i in range(self.features):
            mu, alpha = self._params(x, context)
            xi = z[:, i : i + 1] * alpha[:, i : i + 1].exp() + mu[:, i : i + 1]
            x = cat([x[:, :i], xi, x[:, i + 1 :]], 1)
        return x


class MAF(Flow):
    """Masked autoregressive flow: ``transforms`` MAF layers with the feature order reversed between them."""

    def __init__(self, features: int, context: int = 0, transforms: int = 5, hidden: Sequence[int] = (64, 64),
                 scale_bound: float = 3.0) -> None:
        if features < 1:
            raise ValueError(f"MAF: features must be >= 1, got {features}")
        layers: list[FlowTransform] = []
        for k in range(transforms):
            if k > 0:
                layers.append(Permutation(features))
            layers.append(MAFLayer(features, hidden, context, scale_bound))
        super().__init__(layers, features, context)
