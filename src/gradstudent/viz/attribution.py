"""Which input pixels matter for a prediction?

* **Saliency** (Simonyan et al., 2013): the gradient of the class score with
  respect to the input pixels, ``|d score_c / d x|`` (max over colour channels).
  Large where a small change of the pixel would change the score most.
* **SmoothGrad** (Smilkov et al., 2017): the saliency averaged over noisy copies
  of the input; much less speckled.
* **Grad-CAM** (Selvaraju et al., 2017): for a convolutional layer with feature
  maps A_k (k = channel), weight each map by its average gradient,
  ``alpha_k = mean_{i,j} d score_c / d A_k[i, j]``, and keep the positive part of
  ``sum_k alpha_k A_k``: a coarse map of *where* the evidence for class c is,
  upsampled to the image size.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from .. import autograd, nn
from ..autograd.grad_mode import no_grad
from ..ops.resample import interpolate
from ..tensor import Tensor


@contextlib.contextmanager
def capture(module: nn.Module) -> Iterator[list[Tensor]]:
    """Record the outputs of ``module`` while the block runs (a minimal forward hook)::

        with capture(model.layer3) as outs:
            logits = model(x)
        activations = outs[-1]
    """
    outputs: list[Tensor] = []
    original = module.forward

    def recording_forward(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        outputs.append(out)
        return out

    module.forward = recording_forward  # an instance attribute shadows the class's method
    try:
        yield outputs
    finally:
        del module.forward


def _class_scores(logits: Tensor, target: Any) -> tuple[Tensor, np.ndarray]:
    """Sum over the batch of each sample's logit for its target class (predicted class if None)."""
    target_idx = logits._data.argmax(1) if target is None else np.broadcast_to(np.asarray(target), (logits.shape[0],))
    picked = logits[np.arange(logits.shape[0]), target_idx]
    return picked.sum(), target_idx


def _was_training(model: nn.Module) -> bool:
    training = model.training
    model.eval()  # batch norm must use its running statistics, dropout must be off
    return training


def saliency_map(model: nn.Module, x: Tensor, target: Any = None) -> np.ndarray:
    """|d score / d x| maxed over channels: (N, H, W). ``target`` = class per sample (default: predicted)."""
    training = _was_training(model)
    try:
        x = Tensor._make(np.array(x._data, copy=True)).requires_grad_()
        score, _ = _class_scores(model(x), target)
        (g,) = autograd.grad([score], [x])
    finally:
        model.train(training)
    return np.abs(g._data).max(axis=1)


def smoothgrad(model: nn.Module, x: Tensor, target: Any = None, samples: int = 16, noise: float = 0.15, seed: int = 0) -> np.ndarray:
    """Saliency averaged over ``samples`` copies of x with Gaussian noise (std ``noise`` * the value range)."""
    rng = np.random.default_rng(seed)
    scale = noise * float(x._data.max() - x._data.min())
    if target is None:
        with no_grad():
            training = _was_training(model)
            target = model(x)._data.argmax(1)
            model.train(training)
    total = np.zeros((x.shape[0],) + tuple(x.shape[2:]), dtype=np.float64)
    for _ in range(samples):  # a loop over noise samples, each a full batch
        noisy = Tensor._make((x._data + rng.standard_normal(x.shape).astype(x.dtype) * scale).astype(x.dtype))
        total += saliency_map(model, noisy, target)
    return (total / samples).astype(np.float32)


def grad_cam(model: nn.Module, x: Tensor, layer: nn.Module, target: Any = None) -> np.ndarray:
    """Grad-CAM heat maps (N, H, W) in [0, 1] for the feature maps produced by ``layer``."""
    training = _was_training(model)
    try:
        with capture(layer) as outs:
            logits = model(x)
        if not outs:
            raise ValueError("grad_cam: the given layer was not used in the model's forward pass")
        acts = outs[-1]  # (N, K, h, w)
        score, _ = _class_scores(logits, target)
        (g,) = autograd.grad([score], [acts])
    finally:
        model.train(training)
    alpha = g._data.mean(axis=(2, 3), keepdims=True)  # alpha_k: average gradient per channel
    cam = np.maximum((alpha * acts._data).sum(axis=1, keepdims=True), 0.0)
    cam = interpolate(Tensor._make(cam.astype(np.float32)), size=tuple(x.shape[2:]), mode="bilinear", align_corners=False)._data[:, 0]
    peak = cam.reshape(len(cam), -1).max(axis=1).reshape(-1, 1, 1)
    return cam / np.where(peak > 0, peak, 1.0)
