"""Finite-difference checks of gradients: the way to *verify* a chain rule.

For f: R^n -> R^m the Jacobian column j is approximated by central differences

    J[:, j] ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)

and compared with the rows that backward produces (one vector-Jacobian
product per output element). Use float64 inputs: float32 has too few digits.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from ..tensor import Tensor
from .functional import grad
from .grad_mode import enable_grad, no_grad


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, list | tuple) else (x,)


def _numerical_jacobian(fn: Callable[..., Any], inputs: tuple[Any, ...], i: int, eps: float) -> np.ndarray:
    x = inputs[i]
    with no_grad():
        outs = [o._data.copy() for o in _tuple(fn(*inputs))]
        n_out = sum(o.size for o in outs)
        jac = np.zeros((x._data.size, n_out))
        flat = x._data.reshape(-1)  # a view: we perturb x in place and restore it
        for j in range(flat.size):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = np.concatenate([o._data.reshape(-1) for o in _tuple(fn(*inputs))])
            flat[j] = orig - eps
            minus = np.concatenate([o._data.reshape(-1) for o in _tuple(fn(*inputs))])
            flat[j] = orig
            jac[j] = (plus - minus) / (2 * eps)
    return jac


def _analytical_jacobian(fn: Callable[..., Any], inputs: tuple[Any, ...], wrt: list[int]) -> list[np.ndarray]:
    outs = _tuple(fn(*inputs))
    n_out = sum(o.numel() for o in outs)
    jacs = [np.zeros((inputs[i].numel(), n_out)) for i in wrt]
    col = 0
    for o in outs:
        for k in range(o.numel()):
            seed = np.zeros(o.shape, dtype=o.dtype)
            seed.reshape(-1)[k] = 1.0
            gs = grad([o], [inputs[i] for i in wrt], [Tensor._make(seed)], retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    jacs[j][:, col] = g._data.reshape(-1)
            col += 1
    return jacs


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any] | Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare backward's gradients of ``fn(*inputs)`` with central differences.

    Every input that requires grad is checked; they should be float64.
    """
    inputs = _tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    for i in wrt:
        if inputs[i].dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}; use float64 for a meaningful check", stacklevel=2)
    analytical = _analytical_jacobian(fn, inputs, wrt)
    for j, i in enumerate(wrt):
        numerical = _numerical_jacobian(fn, inputs, i, eps)
        if not np.allclose(analytical[j], numerical, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(analytical[j] - numerical)), numerical.shape)
            msg = (
                f"gradcheck: Jacobian mismatch for input {i} (shape {tuple(inputs[i].shape)}): at "
                f"(input element, output element) {tuple(int(w) for w in worst)} backward gives "
                f"{analytical[j][worst]:.6g}, finite differences give {numerical[worst]:.6g}"
            )
            if raise_exception:
                raise AssertionError(msg)
            return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any] | Any,
    grad_outputs: Sequence[Any] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: gradcheck applied to the gradient function itself.

    ``g(x, v) = d/dx <fn(x), v>`` computed with ``create_graph=True`` must itself
    have correct gradients with respect to x and v.
    """
    inputs = _tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    outs = _tuple(fn(*inputs))
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = [Tensor._make(rng.standard_normal(o.shape)).requires_grad_() for o in outs]
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        xs, vs = args[:n], args[n:]
        with enable_grad():  # the finite differences call this under no_grad(), but it needs a graph
            ys = _tuple(fn(*xs))
            gs = grad(list(ys), [xs[i] for i in wrt], list(vs), create_graph=True, allow_unused=True)
        return tuple(g if g is not None else xs[i] * 0.0 for g, i in zip(gs, wrt))

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps, atol, rtol, raise_exception)
