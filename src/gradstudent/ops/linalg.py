"""Linear algebra: matmul, the fused linear layer, outer products and einsum.

For z = x @ y (with x: (..., n, k), y: (..., k, m))::

    x.grad[.., i, a] += sum_j z.grad[.., i, j] * y[.., a, j]     i.e.  z.grad @ y^T
    y.grad[.., a, j] += sum_i x[.., i, a] * z.grad[.., i, j]     i.e.  x^T @ z.grad
"""

from __future__ import annotations

import string
from typing import Any

from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import binary_operands, broadcast_shapes, sum_first_axis


@register("matmul")
class MatMul(Function):
    """z = x @ y for x, y with at least 2 dims (leading dims broadcast)"""

    def forward(self, x: Array, y: Array) -> Array:
        if x.shape[-1] != y.shape[-2]:
            raise ValueError(f"matmul: shapes {x.shape} and {y.shape} cannot be multiplied ({x.shape[-1]} != {y.shape[-2]})")
        broadcast_shapes("matmul (batch dims)", x.shape[:-2], y.shape[:-2])
        return x @ y

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved_inputs()
        need_x, need_y = self.needs_input_grad
        gx = grad @ y.mT if need_x else None  # z.grad @ y^T
        gy = x.mT @ grad if need_y else None  # x^T @ z.grad
        return gx, gy


@register("linear")
class Linear(Function):
    """z = x @ W^T + b, with x: (N, in), W: (out, in), b: (out,) — one fused op for speed"""

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        if x.shape[-1] != w.shape[1]:
            raise ValueError(f"linear: input has {x.shape[-1]} features (shape {x.shape}) but weight expects {w.shape[1]} (shape {w.shape})")
        z = x @ w.T
        if b is not None:
            z += b
        return z

    @staticmethod
    def reference(x: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
        """The same forward from the two ops it fuses."""
        z = x @ w.mT
        return z if b is None else z + b

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.saved_inputs()[:2]
        needs = self.needs_input_grad
        gx = grad @ w if needs[0] else None  # x.grad[n, i] += z.grad[n, o] * W[o, i]
        gw = grad.mT @ x if needs[1] else None  # W.grad[o, i] += z.grad[n, o] * x[n, i]
        if len(needs) == 2:
            return gx, gw
        gb = grad.sum(0) if needs[2] else None  # b.grad[o] += z.grad[n, o]
        return gx, gw, gb

    def backward_arrays(self, g: Array) -> tuple[Array | None, ...]:
        """The same three products on arrays (row sums as a matrix-vector product)."""
        x, w = self.saved_arrays()[:2]
        needs = self.needs_input_grad
        out = [g @ w if needs[0] else None, g.T @ x if needs[1] else None]
        if len(needs) == 3:
            out.append(sum_first_axis(g) if needs[2] else None)
        return tuple(out)


# ---------------------------------------------------------------- public functions
@tensor_method("matmul")
def matmul(x: Any, y: Any) -> Tensor:
    x, y = binary_operands(x, y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes {tuple(x.shape)} and {tuple(y.shape)}")
    k_y = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if x.shape[-1] != k_y:
        raise ValueError(f"matmul: shapes {tuple(x.shape)} and {tuple(y.shape)} cannot be multiplied ({x.shape[-1]} != {k_y})")
    if x.ndim > 2 and y.ndim > 2:
        broadcast_shapes(f"matmul of {tuple(x.shape)} and {tuple(y.shape)}: batch dims", x.shape[:-2], y.shape[:-2])
    # 1-D operands are treated as a row / column vector and the extra axis removed after
    if x.ndim == 1 and y.ndim == 1:
        return MatMul.apply(x.reshape(1, -1), y.reshape(-1, 1)).reshape(())
    if x.ndim == 1:
        return MatMul.apply(x.unsqueeze(0), y).squeeze(-2)
    if y.ndim == 1:
        return MatMul.apply(x, y.unsqueeze(-1)).squeeze(-1)
    return MatMul.apply(x, y)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b over the last axis of x (any number of leading axes)."""
    if x.ndim == 2:
        return Linear.apply(x, weight) if bias is None else Linear.apply(x, weight, bias)
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    out = Linear.apply(flat, weight) if bias is None else Linear.apply(flat, weight, bias)
    return out.reshape(lead + (weight.shape[0],))


@tensor_method("outer")
def outer(x: Tensor, y: Tensor) -> Tensor:
    """z[i, j] = x[i] * y[j]"""
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"outer: expects two 1-D tensors, got shapes {tuple(x.shape)} and {tuple(y.shape)}")
    return x.reshape(-1, 1) * y.reshape(1, -1)


@tensor_method("dot")
def dot(x: Tensor, y: Tensor) -> Tensor:
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"dot: expects two 1-D tensors of equal length, got {tuple(x.shape)} and {tuple(y.shape)}")
    return matmul(x, y)


# ---------------------------------------------------------------- einsum
@register("einsum")
class Einsum(Function):
    """z = einsum(equation, *operands); each operand's gradient is another einsum:
    contract z.grad with all the *other* operands back to that operand's subscripts."""

    def forward(self, *arrays: Array, inputs: list[str], output: str) -> Array:
        self.subs, self.out_sub = inputs, output
        self.shapes = [a.shape for a in arrays]
        eq = ",".join(inputs) + "->" + output
        return get_array_module(*arrays).einsum(eq, *arrays, optimize=True)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        operands = self.saved_inputs()
        grads: list[Tensor | None] = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [self.out_sub] + [s for k, s in enumerate(self.subs) if k != i]
            tensors = [grad] + [t for k, t in enumerate(operands) if k != i]
            available = set("".join(others))
            target = "".join(c for c in self.subs[i] if c in available)
            g = einsum(",".join(others) + "->" + target, *tensors)
            if target != self.subs[i]:  # letters summed away in forward: broadcast back
                shape = tuple(n if c in available else 1 for c, n in zip(self.subs[i], self.shapes[i]))
                g = g.reshape(shape).expand(self.shapes[i])
            grads.append(g)
        return tuple(grads)


def _parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} names {len(subs)} operands but {len(shapes)} were given")
    free = [c for c in string.ascii_letters if c not in eq]
    ell_len = max((len(s) - (len(sub) - 3) for sub, s in zip(subs, shapes) if "..." in sub), default=0)
    ell = "".join(free[:ell_len])
    expanded = []
    for sub, shape in zip(subs, shapes):
        if "..." in sub:
            n = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[ell_len - n :] if n else "")
        if len(sub) != len(shape):
            raise ValueError(f"einsum: subscripts {sub!r} have {len(sub)} letters but the operand has shape {shape}")
        if len(set(sub)) != len(sub):
            raise ValueError(f"einsum: repeated subscript within one operand ({sub!r}, a diagonal) is not supported")
        expanded.append(sub)
    if "->" in eq:
        out = rhs.replace("...", ell)
    else:  # implicit mode: letters that appear once, in alphabetical order
        letters = "".join(expanded)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return expanded, out


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, differentiable in every operand (``optimize=True`` inside)."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in operands]
    inputs, output = _parse_einsum(equation, [t.shape for t in tensors])
    return Einsum.apply(*tensors, inputs=inputs, output=output)
