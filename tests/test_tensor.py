"""Tensor basics: conversion to and from NumPy, attributes, in-place ops and assignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs


def test_numpy_item_tolist_array() -> None:
    x = gs.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = x.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    a[0, 0] = 9.0
    assert x[0, 0].item() == 9.0, "numpy() shares memory, as in torch"
    assert x.tolist() == [[9.0, 2.0], [3.0, 4.0]]
    assert isinstance(x.sum().item(), float)
    assert gs.tensor([3]).item() == 3 and isinstance(gs.tensor([3]).item(), int)
    assert np.asarray(x).shape == (2, 2)
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="one-element"):
        x.item()
    with pytest.raises(RuntimeError, match="detach"):
        gs.ones(2, requires_grad=True).numpy()
    assert float(gs.tensor(2.5)) == 2.5 and int(gs.tensor(7)) == 7
    assert [1, 2, 3][gs.tensor(1)] == 2  # __index__


def test_from_numpy_and_as_tensor_share_memory() -> None:
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = gs.from_numpy(a)
    a[0, 0] = 100.0
    assert t[0, 0].item() == 100.0 and t.dtype == gs.float64
    u = gs.as_tensor(a)
    a[1, 1] = -1.0
    assert u[1, 1].item() == -1.0
    v = gs.as_tensor(a, dtype=gs.float32)  # a conversion must copy
    a[1, 2] = 55.0
    assert v[1, 2].item() != 55.0 and v.dtype == gs.float32
    w = gs.tensor(a)  # tensor() always copies
    a[0, 1] = 77.0
    assert w[0, 1].item() != 77.0
    with pytest.raises(TypeError):
        gs.from_numpy([1, 2])


def test_to_and_type() -> None:
    x = gs.tensor([1.5, -2.5])
    assert x.to(gs.float64).dtype == gs.float64
    assert x.to(gs.float32) is x
    assert x.to("cpu") is x
    assert x.to(gs.ones(1, dtype=gs.float64)).dtype == gs.float64
    assert x.to(gs.float32, copy=True) is not x
    assert x.long().tolist() == [1, -2]  # truncation toward zero, as torch
    assert x.int().dtype == gs.int32 and x.bool().dtype == gs.bool
    assert x.double().dtype == gs.float64 and x.half().dtype == gs.float16
    assert x.type(gs.float32) is x


def test_attributes() -> None:
    x = gs.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24 and len(x) == 2
    assert x.device == "cpu" and x.is_leaf and x.grad_fn is None
    assert x.is_floating_point() and not gs.tensor([1]).is_floating_point()
    assert len(list(gs.zeros(3, 2))) == 3
    with pytest.raises(TypeError):
        len(gs.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(gs.zeros(2))
    assert bool(gs.tensor([1.0]))
    assert "grad_fn" in repr(gs.ones(2, requires_grad=True) * 2)
    assert "requires_grad=True" in repr(gs.ones(2, requires_grad=True))


def test_comparisons_are_constant_bool_tensors() -> None:
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == gs.bool and not m.requires_grad
    assert m.tolist() == [False, True, True]
    assert ((x >= 2) & (x < 3)).tolist() == [False, True, False]
    assert (~m).tolist() == [True, False, False]
    assert (x == x).all().item() and not (x != x).any().item()


def test_inplace_ops_and_versions() -> None:
    x = gs.zeros(3)
    v = x._version
    x.add_(1.0).mul_(3.0).sub_(gs.ones(3)).div_(2.0)
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0, 1.0])
    x.clamp_(max=0.5)
    x.fill_(2.0)
    x.copy_(gs.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert x._version > v
    with pytest.raises(ValueError, match="copy_"):
        x.copy_(gs.ones(4))
    x.zero_()
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_setitem_on_plain_tensors() -> None:
    x = gs.zeros(3, 4)
    x[0] = 1.0
    x[1, 1:3] = gs.tensor([5.0, 6.0])
    x[x > 5.5] = -1.0
    x[:, gs.tensor([3])] = 7.0
    t = torch.zeros(3, 4)
    t[0] = 1.0
    t[1, 1:3] = torch.tensor([5.0, 6.0])
    t[t > 5.5] = -1.0
    t[:, torch.tensor([3])] = 7.0
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_setitem_on_a_leaf_requiring_grad_is_refused() -> None:
    w = gs.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w[0] = 1.0
    with gs.no_grad():
        w[0] = 1.0  # initialisation under no_grad is fine
    assert w.tolist() == [1.0, 0.0, 0.0]


def test_setitem_with_a_value_requiring_grad_is_recorded() -> None:
    x = gs.zeros(3)
    w = gs.ones(1, requires_grad=True)
    x[0:1] = w * 2  # as in torch, x becomes part of the graph
    assert x.requires_grad and not x.is_leaf
    (x * gs.tensor([3.0, 1.0, 1.0])).sum().backward()
    assert w.grad.tolist() == [6.0]
    assert x.tolist() == [2.0, 0.0, 0.0]


def test_setitem_after_use_invalidates_backward() -> None:
    a = gs.ones(3, dtype=gs.float64)
    w = gs.ones(3, dtype=gs.float64, requires_grad=True)
    y = (a * w).sum()
    a[0] = 5.0
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()
