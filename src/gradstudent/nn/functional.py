"""``nn.functional``: layers and losses as plain functions (``import gradstudent.nn.functional as F``).

Losses take ``reduction`` in {"mean", "sum", "none"} as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops import nn_ops
from ..ops.elementwise import where
from ..ops.linalg import linear  # noqa: F401  (re-exported: F.linear)
from ..random import Generator, dropout_mask
from ..tensor import Tensor

# ---------------------------------------------------------------- activations


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return nn_ops.LeakyRelu.apply(x, slope=negative_slope)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return nn_ops.Elu.apply(x, alpha=alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return nn_ops.Gelu.apply(x, approximate=approximate)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    return nn_ops.Silu.apply(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: F811 (PyTorch names the argument threshold)
    return nn_ops.Softplus.apply(x, beta=beta, threshold=threshold)


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def logsigmoid(x: Tensor) -> Tensor:
    """log sigmoid(x) = -softplus(-x), stable for large |x|."""
    return -softplus(-x)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return x.log_softmax(dim)


def erf(x: Tensor) -> Tensor:
    return nn_ops.Erf.apply(x)


def normalize(x: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    return x / x.norm(p, dim, keepdim=True).clamp(min=eps)


def one_hot(index: Tensor, num_classes: int = -1) -> Tensor:
    from ..ops.index import one_hot as _one_hot

    return _one_hot(index, num_classes)


# ---------------------------------------------------------------- dropout


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator: Generator | None = None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (inverted dropout).

    In evaluation (``training=False``) it is the identity, so no rescaling is needed at test time.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return x * Tensor._make(dropout_mask(x.shape, p, x.dtype, x._data, generator))


# ---------------------------------------------------------------- losses


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(op: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} differ "
            f"(broadcasting them is almost always a bug; reshape one of them)"
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """mean (input - target)^2"""
    _same_shape("mse_loss", input, target)
    if reduction == "mean" and input.numel() and input.dtype == target.dtype:
        return nn_ops.MSEMean.apply(input, target)  # fused: 1 op instead of 4
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """mean |input - target|"""
    _same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction, "l1_loss")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta): quadratic near 0, linear in the tails."""
    _same_shape("huber_loss", input, target)
    d = input - target
    ad = d.abs()
    loss = where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Huber loss divided by ``beta`` (PyTorch's smooth L1)."""
    _same_shape("smooth_l1_loss", input, target)
    if beta == 0:
        return l1_loss(input, target, reduction)
    d = input - target
    ad = d.abs()
    loss = where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """-log p[target] from log-probabilities ``input`` of shape (N, C) or (N, C, d1, ...)."""
    logp, tgt = _classes_last(input, target, "nll_loss")
    return _nll(logp, tgt, weight, ignore_index, reduction, 0.0, input.shape, target.shape)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy from logits: -log softmax(input)[target].

    ``input``: (N, C) or (N, C, d1, ...) logits; ``target``: class indices (N) / (N, d1, ...)
    or class probabilities of the same shape as ``input``. Computed through a
    fused, overflow-free ``log_softmax``.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if target.dtype.kind == "f":  # soft targets: -sum_c q_c log p_c
        _same_shape("cross_entropy (probability targets)", input, target)
        logp = input.log_softmax(1 if input.ndim > 1 else 0)
        c = input.shape[1] if input.ndim > 1 else input.shape[0]
        q = target * (1 - label_smoothing) + label_smoothing / c
        w = 1.0 if weight is None else weight.reshape((c,) + (1,) * (input.ndim - 2))
        loss = -(logp * q * w).sum(1 if input.ndim > 1 else 0)
        return _reduce(loss, reduction, "cross_entropy")
    logits, tgt = _classes_last(input, target, "cross_entropy")
    return _nll(logits.log_softmax(-1), tgt, weight, ignore_index, reduction, label_smoothing, input.shape, target.shape)


def _classes_last(input: Tensor, target: Tensor, op: str) -> tuple[Tensor, Tensor]:
    """Reshape (N, C, d1..) scores to (M, C) rows and targets to (M,)."""
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold class indices (int64), got {target.dtype}")
    if input.ndim == 1:
        input, target = input.unsqueeze(0), target.reshape(1)
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} needs a target of shape {expected}, got {tuple(target.shape)}")
    c = input.shape[1]
    if input.ndim > 2:
        input = input.movedim(1, -1).reshape(-1, c)
        target = target.reshape(-1)
    return input, target


def _nll(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str, smoothing: float, in_shape: Any, t_shape: Any) -> Tensor:
    n, c = logp.shape
    valid = target._data != ignore_index
    safe = Tensor._make(target._data * valid)  # ignored rows read class 0, then get zero weight
    if valid.any() and (int(safe._data.max()) >= c or int(safe._data.min()) < 0):
        bad = target._data[valid]
        raise IndexError(f"cross_entropy/nll_loss: target values must be in [0, {c}), got [{int(bad.min())}, {int(bad.max())}]")
    # per-row weight w_n = weight[target_n] (1 without class weights), 0 for ignored rows
    row_w = valid.astype(logp.dtype)
    if weight is not None:
        if weight.shape != (c,):
            raise ValueError(f"cross_entropy: weight must have shape ({c},), got {tuple(weight.shape)}")
        row_w = row_w * weight._data[safe._data]
    w = Tensor._make(row_w)
    picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1)  # log p[n, target_n]
    loss = -picked * w
    if smoothing > 0:
        # spread eps over all classes: -(eps/C) sum_c w_c log p[n, c]
        cls_w = logp if weight is None else logp * weight
        smooth = -cls_w.sum(1) * Tensor._make(valid.astype(logp.dtype))
        loss = loss * (1 - smoothing) + smooth * (smoothing / c)
    if reduction == "mean":
        return loss.sum() / float(row_w.sum())
    if reduction == "none":
        return loss.reshape(t_shape) if len(t_shape) else loss.reshape(())
    return _reduce(loss, reduction, "cross_entropy")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) for probabilities p; logs are clamped at -100 as in PyTorch."""
    _same_shape("binary_cross_entropy", input, target)
    if input.numel() and (float(input._data.min()) < 0 or float(input._data.max()) > 1):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1]; for logits use binary_cross_entropy_with_logits")
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean", pos_weight: Tensor | None = None
) -> Tensor:
    """BCE on logits x, stable for any |x|, using log sigmoid(x) = -softplus(-x):

        loss = -[pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]
             = pos_weight * y * softplus(-x) + (1 - y) * softplus(x)
    """
    _same_shape("binary_cross_entropy_with_logits", input, target)
    # softplus(x) = softplus(-x) + x, so one softplus suffices:
    #   loss = (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)
    if pos_weight is None and input.dtype == target.dtype:
        if weight is None and reduction in ("none", "sum", "mean"):
            return nn_ops.BCEWithLogits.apply(input, target, reduction=reduction)  # formula and sum in one op
        loss = nn_ops.BCEWithLogits.apply(input, target)
    else:
        scale = 1 + (pos_weight - 1) * target if pos_weight is not None else 1.0
        loss = (1 - target) * input + scale * softplus(-input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || p) pointwise with ``input = log p``: target * (log target - input).

    Use ``reduction='batchmean'`` for the mathematically correct mean over the batch.
    """
    _same_shape("kl_div", input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        safe_log = where(target > 0, target, 1.0).log()
        loss = target * (safe_log - input)
    if reduction == "batchmean":
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction, "kl_div")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi if full)."""
    v = var.clamp(min=eps)
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")
from .functional_seq import embedding, layer_norm, scaled_dot_product_attention  # noqa: E402,F401  (sequence models)
from .functional_cnn import *  # noqa: E402,F401,F403  (convolutional networks)
from .pixelshuffle import pixel_shuffle, pixel_unshuffle  # noqa: E402,F401  (sub-pixel convolution)
from .activation_extra import (  # noqa: E402,F401  (more activations, composed)
    celu, cosine_similarity, glu, hardsigmoid, hardswish, hardtanh, mish, pairwise_distance, relu6, selu, softmin,
    softsign, threshold,
)
from .loss_extra import (  # noqa: E402,F401  (more losses, composed)
    cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, multi_margin_loss, multilabel_soft_margin_loss,
    poisson_nll_loss, triplet_margin_loss,
)
from .layers_extra import bilinear, instance_norm, prelu, rms_norm  # noqa: E402,F401
