"""``gradstudent.nn.utils``: gradient clipping and parameter vectors against torch.nn.utils."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent.nn import utils

SHAPES = [(4, 3), (3,), (2, 2, 2)]


def params_with_grads(dtype: Any, scale: float = 1.0) -> tuple[list[Any], list[Any]]:
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(dtype) * scale for s in SHAPES]
    gp = [gs.tensor(v, requires_grad=True) for v in values]
    tp = [torch.tensor(v, requires_grad=True) for v in values]
    for g, t, grad in zip(gp, tp, grads):
        g.grad, t.grad = gs.tensor(grad), torch.tensor(grad)
    return gp, tp


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])  # clips / leaves alone
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float, dtype: Any) -> None:
    gp, tp = params_with_grads(dtype)
    total = utils.clip_grad_norm_(gp, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=norm_type)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert isinstance(total, gs.Tensor) and total.dtype == dtype and total.shape == ()
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=rtol)
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(g.grad._data, t.grad.numpy(), rtol=rtol, atol=1e-7)
        assert g.grad.dtype == dtype


def test_clip_grad_norm_single_tensor_missing_grads_and_nonfinite() -> None:
    p = gs.tensor([3.0, 4.0], requires_grad=True)
    p.grad = gs.tensor([3.0, 4.0])
    assert utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad._data, [0.6, 0.8], rtol=1e-5)
    assert utils.clip_grad_norm_([gs.tensor([1.0], requires_grad=True)], 1.0).item() == 0.0  # no grads
    p.grad = gs.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_scales_a_shared_gradient_once() -> None:
    a, b = gs.tensor([1.0], requires_grad=True), gs.tensor([1.0], requires_grad=True)
    shared = gs.tensor([4.0])
    a.grad = b.grad = shared
    utils.clip_grad_norm_([a, b], 1.0)
    assert shared._data[0] == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_value_matches_torch() -> None:
    gp, tp = params_with_grads(np.float32, scale=2.0)
    assert utils.clip_grad_value_(gp, 0.7) is None
    torch.nn.utils.clip_grad_value_(tp, 0.7)
    for g, t in zip(gp, tp):
        np.testing.assert_array_equal(g.grad._data, t.grad.numpy())


def test_parameters_to_vector_and_back() -> None:
    gp, tp = params_with_grads(np.float64)
    vec = utils.parameters_to_vector(gp)
    np.testing.assert_array_equal(vec._data, torch.nn.utils.parameters_to_vector(tp).detach().numpy())
    assert vec.requires_grad  # differentiable, like torch.cat
    arrays = [p._data for p in gp]
    utils.vector_to_parameters(gs.arange(vec.numel(), dtype=gs.float64), gp)
    torch.nn.utils.vector_to_parameters(torch.arange(vec.numel(), dtype=torch.float64), tp)
    for g, t, a in zip(gp, tp, arrays):
        np.testing.assert_array_equal(g._data, t.detach().numpy())
        assert g._data is a  # copied into the parameter's own array
    with pytest.raises(ValueError, match="expected a vector of shape \\(23,\\)"):
        utils.vector_to_parameters(gs.zeros(5), gp)
    with pytest.raises(TypeError, match="expected a Tensor"):
        utils.vector_to_parameters(np.zeros(23), gp)  # type: ignore[arg-type]
