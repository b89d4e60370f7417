"""Normalization layers for CNNs: ``BatchNorm1d``, ``BatchNorm2d``, ``GroupNorm``.

Batch norm keeps, besides its learned scale ``weight`` (ones) and shift
``bias`` (zeros), three *buffers* (saved in the ``state_dict``, never trained):

* ``running_mean``, ``running_var``: moving averages of the batch statistics,
  used instead of them in ``eval()`` mode (so a prediction does not depend on
  which other samples share its batch);
* ``num_batches_tracked``: how many training batches were seen (used when
  ``momentum=None``, which makes the running averages plain cumulative means).
"""

from __future__ import annotations

from typing import Any

from ..autograd.grad_mode import no_grad
from ..creation import ones, tensor, zeros
from ..dtypes import int64
from ..ops.norm_batch import batch_norm, group_norm
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    _expected_dims: tuple[int, ...] = (2, 3, 4)

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
        track_running_stats: bool = True, dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype))
            self.bias = Parameter(zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}-D" for d in self._expected_dims)
            raise ValueError(f"{type(self).__name__}: expected a {dims} input, got shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels, got input of shape {tuple(x.shape)}")
        if self.training and x.numel() // x.shape[1] <= 1:  # checked before any state changes
            raise ValueError(f"{type(self).__name__}: expected more than 1 value per channel when training, got input shape {tuple(x.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # batch statistics when training, or when there are no running ones to use
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return batch_norm(
            x, self.running_mean if track else None, self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs (statistics per channel C)."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs: statistics per channel over N, H and W."""

    _expected_dims = (4,)


class GroupNorm(Module):
    """Normalize each sample over groups of ``num_channels / num_groups`` channels (and all positions).

    Independent of the batch (works with batch size 1, same in train and eval);
    ``num_groups=1`` normalizes over all of C, H, W; ``num_groups=C`` is instance norm.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, dtype: Any = None) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        if affine:
            self.weight = Parameter(ones(num_channels, dtype=dtype))
            self.bias = Parameter(zeros(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
