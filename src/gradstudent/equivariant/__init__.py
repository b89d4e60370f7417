"""Equivariant learning: symmetry groups and their actions, EGNN, C4/D4 group convolutions, and
``check_equivariance`` to measure how exactly a model respects a symmetry."""

from .groups import C, D, E, O2, SO2, Group, OrthogonalGroup, PermutationGroup, PlanarGroup, check_equivariance
from .layers import EGNNLayer, GroupConv, LiftingConv, group_max_pool2d, group_pool

__all__ = ["C", "D", "E", "O2", "SO2", "Group", "OrthogonalGroup", "PermutationGroup", "PlanarGroup", "check_equivariance",
           "EGNNLayer", "GroupConv", "LiftingConv", "group_max_pool2d", "group_pool"]
