"""``Tensor.data`` is a Tensor, as in PyTorch: the same memory, cut from the graph."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn


def test_data_is_a_detached_tensor_sharing_memory() -> None:
    for lib in (gs, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        d = y.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.is_leaf and d.grad_fn is None
        d.add_(1)  # changes y: the same memory
        assert y.tolist() == [3.0, 5.0]
        assert y._version == 0 and d._version == 1  # but autograd does not see it (PyTorch's .data)
        assert d.tolist() == [3.0, 5.0]


def test_parameter_update_through_data() -> None:
    for lib in (gs, torch):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        (p * p).sum().backward()
        p.data.add_(p.grad, alpha=-0.25)  # the pre-optimizer idiom of many tutorials
        assert p.tolist() == [0.5, -1.0] and p.is_leaf and p.requires_grad
        p.data.mul_(2)
        assert p.tolist() == [1.0, -2.0]


def test_data_setter_replaces_the_memory() -> None:
    for lib in (gs, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        p.data = lib.ones(3, dtype=lib.float64)
        assert p.shape == (3,) and p.dtype == lib.float64 and p.requires_grad and p.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError):
        gs.zeros(2).data = np.ones(2)


def test_data_of_module_parameters_and_tolist() -> None:
    gs.manual_seed(0)
    lin = nn.Linear(3, 2)
    w = lin.weight.data
    assert isinstance(w, gs.Tensor) and w.shape == (2, 3)
    assert lin.weight.data.tolist() == lin.weight.tolist()
    np.testing.assert_array_equal(np.asarray(lin.weight.data), lin.weight.detach().numpy())
    with gs.no_grad():
        lin.weight.data.zero_()
    assert not lin.weight.detach().numpy().any()
