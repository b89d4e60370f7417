"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler`` API).

A scheduler rewrites ``group["lr"]`` of its optimizer's parameter groups each time its
``step()`` is called: call ``optimizer.step()`` first, then ``scheduler.step()`` (once per
epoch for epoch-based schedules, once per batch for ``OneCycleLR``)::

    opt = gs.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = gs.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for epoch in range(epochs):
        train_one_epoch(model, opt)
        sched.step()
"""

from .base import LRScheduler
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .schedules import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR
from .warmup import ConstantLR, LinearLR, MultiplicativeLR, PolynomialLR

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau",
    "OneCycleLR", "ConstantLR", "LinearLR", "MultiplicativeLR", "PolynomialLR",
]
