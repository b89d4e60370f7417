"""Gradient clipping and flattening parameters to one vector (PyTorch's ``torch.nn.utils``).

    loss.backward()
    gs.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)   # tame exploding gradients
    optimizer.step()
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from ..backend import Array, get_array_module
from ..ops.shape import cat
from ..tensor import Tensor

TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(parameters: TensorOrTensors) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _grads(parameters: TensorOrTensors) -> list[Array]:
    """The gradient arrays of the parameters that have one, each array once.

    A gradient shared by two parameters must be scaled once, not twice.
    """
    seen: set[int] = set()
    grads = []
    for p in _as_list(parameters):
        if p.grad is not None and id(p.grad._data) not in seen:
            seen.add(id(p.grad._data))
            grads.append(p.grad._data)
    return grads


def _vector_norm(a: Array, norm_type: float) -> Array:
    """``||a||_p`` of all elements of ``a``, a 0-d array of ``a``'s dtype."""
    xp = get_array_module(a)
    flat = a.reshape(-1)
    if norm_type == math.inf:
        return xp.max(xp.abs(flat)) if flat.size else xp.zeros((), a.dtype)
    if norm_type == 2:
        return xp.sqrt(xp.dot(flat, flat))
    if norm_type == 1:
        return xp.sum(xp.abs(flat))
    return xp.sum(xp.abs(flat) ** norm_type) ** (1.0 / norm_type)


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    r"""Rescale the gradients in place so that their joint norm is at most ``max_norm``.

    The total norm treats all gradients as one long vector::

        total = || (||g_1||_p, ||g_2||_p, ...) ||_p        (p = norm_type; ``inf`` for the max-norm)
        g_i  ← g_i · min(1, max_norm / (total + 1e-6))

    The direction of the update is unchanged; only its length is capped. Returns ``total``
    (before clipping) as a tensor, handy to log. ``foreach`` is accepted for PyTorch
    compatibility and ignored.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor(0.0)
    xp = get_array_module(grads[0])
    norms = xp.stack([_vector_norm(g, norm_type) for g in grads])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is non-finite ({float(total)}), "
            "so they cannot be clipped. To scale the gradients by the non-finite norm anyway, set "
            "error_if_nonfinite=False"
        )
    coef = xp.minimum(max_norm / (total + 1e-6), 1.0)  # a 0-d array of the gradients' dtype
    for g in grads:
        g *= coef.astype(g.dtype, copy=False)
    return Tensor._make(xp.asarray(total))


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        get_array_module(g).clip(g, -clip_value, clip_value, out=g)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable)."""
    params = _as_list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got an empty list of parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in order (the inverse of the above).

    Unlike PyTorch, which makes each parameter a *view* of ``vec``, the values are copied into
    the parameters' own arrays, so optimizers holding those arrays keep working.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got {type(vec).__name__}")
    params = _as_list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(
            f"vector_to_parameters: vec has shape {tuple(vec.shape)} but the parameters have {total} elements "
            f"in all; expected a vector of shape ({total},)"
        )
    start = 0
    for p in params:
        n = p.numel()
        p._data[...] = vec._data[start : start + n].reshape(p.shape)
        start += n
