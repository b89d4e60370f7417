"""What does a unit respond to?

* **Feature maps**: the activations of a layer for one image, one small
  image per channel.
* **Activation maximization** (Erhan et al., 2009): start from noise and do
  gradient *ascent on the input* to maximize one unit (a class logit or a
  channel's mean activation), with an L2 penalty, small random shifts
  ("jitter") and an occasional slight blur, so the image stays smooth instead
  of turning into high-frequency adversarial noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..random import Generator, default_generator
from ..tensor import Tensor
from .attribution import capture


def feature_maps(model: nn.Module, x: Tensor, layer: nn.Module) -> np.ndarray:
    """The output of ``layer`` when ``model`` runs on x (eval mode, no graph): (N, K, h, w)."""
    training = model.training
    model.eval()
    try:
        with no_grad(), capture(layer) as outs:
            model(x)
    finally:
        model.train(training)
    if not outs:
        raise ValueError("feature_maps: the given layer was not used in the model's forward pass")
    return np.asarray(outs[-1]._data)


def activation_maximization(
    model: nn.Module, shape: tuple[int, ...], unit: int, layer: nn.Module | None = None, steps: int = 200,
    lr: float = 0.05, l2: float = 1e-3, jitter: int = 2, blur_every: int = 4, generator: Generator | None = None,
    **unused: Any,
) -> np.ndarray:
    """An input of ``shape`` (C, H, W) that strongly activates ``unit``.

    ``layer=None``: the unit is the class logit ``unit``. Otherwise it is the
    mean activation of channel ``unit`` of ``layer``'s output. The model's
    parameters are not changed (only the image is optimized).
    """
    rng = (generator or default_generator()).rng
    image = nn.Parameter(Tensor._make((rng.standard_normal((1,) + tuple(shape)) * 0.1).astype(np.float32)))
    opt = optim.Adam([image], lr=lr)
    training = model.training
    model.eval()
    frozen = [p for p in model.parameters() if p.requires_grad]
    for p in frozen:  # no gradient work for the weights
        p.requires_grad_(False)
    try:
        for step in range(steps):
            dy, dx = rng.integers(-jitter, jitter + 1, 2) if jitter else (0, 0)
            shifted = _roll(image, int(dy), int(dx))
            if layer is None:
                objective = model(shifted)[0, unit]
            else:
                with capture(layer) as outs:
                    model(shifted)
                objective = outs[-1][0, unit].mean()
            loss = -objective + l2 * (image * image).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if blur_every and (step + 1) % blur_every == 0:
                image._data[...] = _blur(image._data)  # outside autograd: a projection step
    finally:
        for p in frozen:
            p.requires_grad_(True)
        model.train(training)
    return np.array(image._data[0])


def _blur(a: np.ndarray) -> np.ndarray:
    """Separable [1, 2, 1] / 4 smoothing over the last two axes (edges repeated)."""
    p = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    v = (p[..., :-2, :] + 2 * p[..., 1:-1, :] + p[..., 2:, :]) * 0.25
    return ((v[..., :-2] + 2 * v[..., 1:-1] + v[..., 2:]) * 0.25).astype(a.dtype)


def _roll(x: Tensor, dy: int, dx: int) -> Tensor:
    """Circular shift of the last two axes, built from slicing and cat (differentiable)."""
    from .. import cat

    if dy:
        x = cat([x[:, :, -dy:], x[:, :, :-dy]], dim=2)
    if dx:
        x = cat([x[:, :, :, -dx:], x[:, :, :, :-dx]], dim=3)
    return x
