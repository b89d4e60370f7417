"""Equivariant layers: EGNN (E(n) on point clouds) and group convolutions over C4/D4 on the plane.

EGNN (Satorras, Hoogeboom & Welling 2021), per edge j -> i with invariant features h and coordinates x::

    m_ij  = phi_e(h_i, h_j, |x_i - x_j|^2, a_ij)
    x_i'  = x_i + C sum_j (x_i - x_j) phi_x(m_ij)          (C = 1 / (number of neighbours))
    h_i'  = h_i + phi_h(h_i, sum_j m_ij)

Distances are invariant and differences x_i - x_j rotate with the input and ignore translations,
so h' is invariant and x' equivariant under E(n).

Group convolution (Cohen & Welling 2016) on images over a group G of grid symmetries (C4: 4 rotations,
D4: + reflections). The lifting layer correlates the image with every transformed filter g . psi,
giving a feature map per group element, (N, C, |G|, H, W). The group layer correlates such maps with
filters that are transformed on the grid AND permuted on the group axis: W_g[h] = g . psi[g^-1 h].
Transforming the input by u then transforms the output by u (grid rotated, group axis permuted);
pooling over the group axis (``group_pool``) gives maps that simply rotate with the input.
"""

from __future__ import annotations

import math

from .. import nn
from ..creation import from_numpy, zeros
from ..nn import init
from ..nn.parameter import Parameter
from ..ops.conv import conv2d
from ..ops.shape import cat, stack
from ..tensor import Tensor
from ..graph.scatter import gather, scatter
from .groups import PlanarGroup


class EGNNLayer(nn.Module):
    """One E(n)-equivariant message-passing layer; ``forward(h, x, edge_index, edge_attr=None) -> (h', x')``."""

    def __init__(self, in_features: int, out_features: int, hidden: int = 32, edge_features: int = 0, residual: bool = True, update_coords: bool = True) -> None:
        super().__init__()
        self.residual, self.update_coords = residual and in_features == out_features, update_coords
        self.phi_e = nn.Sequential(nn.Linear(2 * in_features + 1 + edge_features, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())
        self.phi_h = nn.Sequential(nn.Linear(in_features + hidden, hidden), nn.SiLU(), nn.Linear(hidden, out_features))
        if update_coords:
            self.phi_x = nn.Sequential(nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 1))

    def forward(self, h: Tensor, x: Tensor, edge_index: Tensor, edge_attr: Tensor | None = None) -> tuple[Tensor, Tensor]:
        ei = edge_index.numpy()
        src, dst = ei[0], ei[1]
        diff = gather(x, dst) - gather(x, src)  # x_i - x_j, (E, d)
        dist2 = (diff * diff).sum(-1, keepdim=True)
        parts = [gather(h, dst), gather(h, src), dist2] + ([edge_attr] if edge_attr is not None else [])
        m = self.phi_e(cat(parts, -1))  # (E, hidden)
        n = h.shape[0]
        if self.update_coords:
            x = x + scatter(diff * self.phi_x(m), dst, 0, n, "mean")
        out = self.phi_h(cat([h, scatter(m, dst, 0, n, "sum")], -1))
        return (h + out if self.residual else out), x


class LiftingConv(nn.Module):
    """Image (N, C_in, H, W) -> group feature maps (N, C_out, |G|, H, W): correlation with each g . psi."""

    def __init__(self, group: PlanarGroup, in_channels: int, out_channels: int, kernel_size: int = 3, bias: bool = True) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError("LiftingConv: kernel_size must be odd (the filter's centre is a pixel)")
        self.group, self.out_channels = group, out_channels
        self.weight = Parameter(zeros(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = Parameter(zeros(out_channels)) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x: Tensor) -> Tensor:
        g = self.group.elements()
        w = stack([self.group.transform_image(e, self.weight) for e in g], 1)  # (C_out, |G|, C_in, k, k)
        k = self.weight.shape[-1]
        out = conv2d(x, w.reshape(self.out_channels * len(g), -1, k, k), padding=k // 2)
        out = out.reshape(x.shape[0], self.out_channels, len(g), out.shape[-2], out.shape[-1])
        return out + self.bias.reshape(1, -1, 1, 1, 1) if self.bias is not None else out


class GroupConv(nn.Module):
    """Group feature maps (N, C_in, |G|, H, W) -> (N, C_out, |G|, H, W): filters W_g[h] = g . psi[g^-1 h]."""

    def __init__(self, group: PlanarGroup, in_channels: int, out_channels: int, kernel_size: int = 3, bias: bool = True) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError("GroupConv: kernel_size must be odd")
        self.group, self.in_channels, self.out_channels = group, in_channels, out_channels
        n = len(group.elements())
        self.weight = Parameter(zeros(out_channels, in_channels, n, kernel_size, kernel_size))
        self.bias = Parameter(zeros(out_channels)) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x: Tensor) -> Tensor:
        els = self.group.elements()
        n, k = len(els), self.weight.shape[-1]
        banks = []
        for a, g in enumerate(els):
            perm = self.group.table[self.group.inverse[a]]  # h -> g^-1 h
            banks.append(self.group.transform_image(g, self.weight.index_select(2, from_numpy(perm))))
        w = stack(banks, 1).reshape(self.out_channels * n, self.in_channels * n, k, k)
        out = conv2d(x.reshape(x.shape[0], self.in_channels * n, x.shape[-2], x.shape[-1]), w, padding=k // 2)
        out = out.reshape(x.shape[0], self.out_channels, n, out.shape[-2], out.shape[-1])
        return out + self.bias.reshape(1, -1, 1, 1, 1) if self.bias is not None else out


def group_pool(x: Tensor, reduce: str = "max") -> Tensor:
    """(N, C, |G|, H, W) -> (N, C, H, W): max or mean over the group axis (equivariant to the grid action)."""
    return x.amax(2) if reduce == "max" else x.mean(2)


def group_max_pool2d(x: Tensor, kernel: int = 2) -> Tensor:
    """Spatial max pooling of group feature maps, applied per group channel."""
    n, c, g, h, w = x.shape
    out = nn.functional.max_pool2d(x.reshape(n, c * g, h, w), kernel)
    return out.reshape(n, c, g, out.shape[-2], out.shape[-1])


__all__ = ["EGNNLayer", "LiftingConv", "GroupConv", "group_pool", "group_max_pool2d"]
