"""Property tests: broadcasting of binary ops and reductions over random axis subsets, against torch.

Hypothesis draws the shapes; :func:`oracle.check_op` compares forward values,
gradient values (whose shapes must equal the input shapes: the engine has to
undo broadcasting) and second derivatives with torch.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from oracle import check_op, positive

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "pow": lambda L, a, b: a**b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "where": lambda L, a, b: L.where(a > 1.0, a, b),
    "matmul-free chain": lambda L, a, b: (a * b + a).tanh() - b,
}
POSITIVE = {"div", "pow"}  # second operand (pow: both) kept in [0.5, 2)

broadcast_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3)


@pytest.mark.parametrize("op", sorted(BINARY))
@SETTINGS
@given(shapes=broadcast_pairs)
def test_binary_broadcasting(shapes, op: str) -> None:
    a_shape, b_shape = shapes.input_shapes
    a = positive(*a_shape) if op == "pow" else a_shape
    b = positive(*b_shape) if op in POSITIVE else b_shape
    fn = BINARY[op]
    check_op(lambda x, y: fn(_gs(), x, y), lambda x, y: fn(_torch(), x, y), [a, b], gradcheck=False, gradgradcheck=False)


REDUCTIONS = {
    "sum": lambda L, x, d, k: x.sum(d, keepdim=k),
    "mean": lambda L, x, d, k: x.mean(d, keepdim=k),
    "amax": lambda L, x, d, k: x.amax(d, keepdim=k),
    "amin": lambda L, x, d, k: x.amin(d, keepdim=k),
    "logsumexp": lambda L, x, d, k: x.logsumexp(d, keepdim=k),
    "var": lambda L, x, d, k: x.var(d, keepdim=k),
    "std": lambda L, x, d, k: x.std(d, keepdim=k, unbiased=False),
    "norm": lambda L, x, d, k: x.norm(2, d, keepdim=k),
    "norm3": lambda L, x, d, k: x.norm(3, d, keepdim=k),
}


@st.composite
def shape_and_axes(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=3))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
    dims = tuple(a - len(shape) if neg else a for a, neg in zip(axes, signs))  # mix in negative axes
    return shape, dims


@pytest.mark.parametrize("op", sorted(REDUCTIONS))
@SETTINGS
@given(sa=shape_and_axes(), keepdim=st.booleans())
def test_reduction_axes(sa, keepdim: bool, op: str) -> None:
    shape, dims = sa
    fn = REDUCTIONS[op]
    check_op(
        lambda x: fn(_gs(), x, dims, keepdim), lambda x: fn(_torch(), x, dims, keepdim), [shape],
        gradcheck=False, gradgradcheck=False,
    )


@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), keepdim=st.booleans())
def test_sum_all_axes_and_empty(shape, keepdim: bool) -> None:
    """Sum over all axes (``dim=None`` and the full tuple), including empty tensors and 0-d."""
    full = tuple(range(len(shape)))
    check_op(lambda x: x.sum(), lambda x: x.sum(), [shape], gradcheck=False, gradgradcheck=False)
    if full:
        check_op(lambda x: x.sum(full, keepdim=keepdim), lambda x: x.sum(full, keepdim=keepdim), [shape],
                 gradcheck=False, gradgradcheck=False)


def _gs():
    import gradstudent

    return gradstudent


def _torch():
    import torch

    return torch


def test_shapes_of_gradients_match_inputs_directly() -> None:
    """A plain (non-oracle) statement of the broadcasting rule, for readers."""
    import gradstudent as gs

    a = gs.tensor(np.ones((3, 1)), requires_grad=True)
    b = gs.tensor(np.ones((1, 4)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (1, 4)
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 1), 4.0))  # each a[i] met 4 columns
    np.testing.assert_array_equal(b.grad.numpy(), np.full((1, 4), 3.0))


@pytest.mark.slow
@pytest.mark.parametrize("op", sorted(BINARY))
@settings(max_examples=150, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4))
def test_binary_broadcasting_many_with_finite_differences(shapes, op: str) -> None:
    """The slow version: random seeds, more and larger shapes, and gradcheck/gradgradcheck too."""
    a_shape, b_shape = shapes.input_shapes
    a = positive(*a_shape) if op == "pow" else a_shape
    b = positive(*b_shape) if op in POSITIVE else b_shape
    fn = BINARY[op]
    check_op(lambda x, y: fn(_gs(), x, y), lambda x, y: fn(_torch(), x, y), [a, b])


@pytest.mark.slow
@pytest.mark.parametrize("op", sorted(REDUCTIONS))
@settings(max_examples=150, deadline=None)
@given(sa=shape_and_axes(), keepdim=st.booleans())
def test_reduction_axes_many_with_finite_differences(sa, keepdim: bool, op: str) -> None:
    shape, dims = sa
    fn = REDUCTIONS[op]
    check_op(lambda x: fn(_gs(), x, dims, keepdim), lambda x: fn(_torch(), x, dims, keepdim), [shape])
