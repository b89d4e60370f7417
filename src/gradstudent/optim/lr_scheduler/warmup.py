"""More fixed schedules: ConstantLR, LinearLR, MultiplicativeLR, PolynomialLR.

Like the others, each ``get_lr`` uses PyTorch's recursive form (the new lr from the
current ``group["lr"]``), so the sequences match ``torch.optim.lr_scheduler`` float for
float; ``_get_closed_form_lr`` gives the value at an epoch directly.
"""

from __future__ import annotations

from typing import Callable

from ..optimizer import Optimizer
from .base import LRScheduler

__all__ = ["ConstantLR", "LinearLR", "MultiplicativeLR", "PolynomialLR"]


class ConstantLR(LRScheduler):
    """``lr_t = base_lr · factor`` for t < ``total_iters``, then ``base_lr`` (a constant warm-up)."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr * (1.0 / self.factor) for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        on = self.last_epoch >= self.total_iters
        return [base_lr * (self.factor + on * (1 - self.factor)) for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor goes linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` steps:
    ``lr_t = base_lr · (s + (e − s) · min(t, T) / T)`` (a linear warm-up when s < e)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self.last_epoch > self.total_iters:
            return lrs
        s, e = self.start_factor, self.end_factor
        ratio = 1.0 + (e - s) / (self.total_iters * s + (self.last_epoch - 1) * (e - s))  # f_t / f_{t-1}
        return [lr * ratio for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        s, e = self.start_factor, self.end_factor
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * (s + (e - s) * progress) for base_lr in self.base_lrs]


class MultiplicativeLR(LRScheduler):
    """``lr_t = lr_{t−1} · lr_lambda(t)`` (one function, or one per parameter group)."""

    def __init__(
        self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list[Callable[[int], float]], last_epoch: int = -1,
    ) -> None:
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"MultiplicativeLR: expected {groups} lr_lambdas (one per parameter group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = self._current_lrs()
        if self.last_epoch > 0:
            return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, lrs)]
        return lrs


class PolynomialLR(LRScheduler):
    """``lr_t = base_lr · (1 − min(t, T) / T)^power``: decays to 0 at ``total_iters``."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = self._current_lrs()
        if self.last_epoch == 0 or self.last_epoch > self.total_iters:
            return lrs
        t, total = self.last_epoch, self.total_iters
        decay = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        t = min(self.total_iters, self.last_epoch)
        return [base_lr * (1.0 - t / self.total_iters) ** self.power for base_lr in self.base_lrs]
