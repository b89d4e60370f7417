"""Optimizers: turn gradients into parameter updates (PyTorch's ``torch.optim`` API).

    opt = gs.optim.Adam(model.parameters(), lr=1e-3)
    for xb, yb in loader:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

``lr_scheduler`` changes the learning rate over training (``StepLR``, ``CosineAnnealingLR``,
``OneCycleLR``, ``ReduceLROnPlateau``, ...).
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adam_variants import Adamax, NAdam, RAdam
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "RMSprop", "Adam", "AdamW", "LBFGS", "lr_scheduler"]
