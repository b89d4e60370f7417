"""``LRScheduler``: the base class of the epoch-indexed learning-rate schedules."""

from __future__ import annotations

import copy
import warnings
from typing import Any

from ..optimizer import Optimizer


class LRScheduler:
    """Sets each parameter group's ``lr`` from a schedule indexed by ``last_epoch``.

    ``base_lrs`` are the groups' learning rates when the scheduler was created (saved in
    each group as ``initial_lr``). Creating a scheduler already performs step 0, so the
    optimizer starts with the schedule's first value. Subclasses implement ``get_lr()``:
    the learning rates for the new ``last_epoch``, often computed *recursively* from the
    current ``group["lr"]`` (which lets schedulers be chained), and optionally
    ``_get_closed_form_lr()``, used when ``step(epoch)`` jumps to a given epoch.

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        last_epoch: the index of the last epoch seen; -1 starts a new schedule. Resuming
            with ``last_epoch >= 0`` needs ``initial_lr`` in the groups (from a loaded
            optimizer state_dict).
    """

    _is_initial: bool = False  # True while the constructor performs step 0

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', needed to resume a schedule "
                        f"at last_epoch={last_epoch}; load the optimizer's state_dict first (or use last_epoch=-1)"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch`` (one per parameter group)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the most recent ``step()``."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one epoch (or jump to ``epoch``) and set the groups' ``lr``."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`: call them in the order "
                "optimizer.step(), then lr_scheduler.step(), or the first value of the schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (save the optimizer's state_dict separately)."""
        return {key: copy.copy(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={getattr(self, '_last_lr', None)})"
