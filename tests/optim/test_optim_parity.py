"""Every optimizer and option combination against torch.optim, step by step, on a small MLP."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import gradstudent as gs
from optim_helpers import data, initial_arrays, make_params, mlp_loss, to_numpy, tolerances

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05, maximize=True)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.0)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, maximize=True, eps=1e-4)),
    ("RMSprop", dict(lr=0.0, centered=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.0)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True, betas=(0.5, 0.9))),
]


def _ids(config: tuple[str, dict[str, Any]]) -> str:
    name, kwargs = config
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


def run_both(name: str, kwargs: dict[str, Any], dtype: Any, steps: int = 10, groups: Any = None) -> None:
    """Train in both frameworks, comparing parameters after every step."""
    arrays = initial_arrays()
    gp, tp = make_params(arrays, dtype, "gs"), make_params(arrays, dtype, "torch")
    gx, gy = data(arrays, dtype, "gs")
    tx, ty = data(arrays, dtype, "torch")
    if groups is None:
        gopt, topt = getattr(gs.optim, name)(gp, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    else:
        gopt, topt = getattr(gs.optim, name)(groups(gp), **kwargs), getattr(torch.optim, name)(groups(tp), **kwargs)
    for step in range(steps):
        for opt, params, x, y in ((gopt, gp, gx, gy), (topt, tp, tx, ty)):
            opt.zero_grad()
            mlp_loss(params, x, y).backward()
            opt.step()
        for i, (g, t) in enumerate(zip(gp, tp)):
            np.testing.assert_allclose(
                to_numpy(g), to_numpy(t), **tolerances(dtype), err_msg=f"{name} {kwargs}: param {i} after step {step + 1}"
            )
            assert to_numpy(g).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_matches_torch(config: tuple[str, dict[str, Any]], dtype: Any) -> None:
    run_both(*config, dtype=dtype)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_with_their_own_hyperparameters(name: str) -> None:
    extra = {"SGD": {"momentum": 0.5}, "Adam": {"betas": (0.5, 0.9)}, "RMSprop": {"alpha": 0.5}, "Adagrad": {"lr_decay": 0.5}}

    def groups(p: list[Any]) -> list[dict[str, Any]]:  # weights at lr 0.05, biases at 0.01 with their own option
        return [{"params": [p[0], p[2]], "lr": 0.05}, {"params": [p[1], p[3]], **extra[name]}]

    run_both(name, {"lr": 0.01}, np.float64, steps=6, groups=groups)


def test_closure_is_called_and_its_loss_returned() -> None:
    arrays = initial_arrays()
    gp, tp = make_params(arrays, np.float64, "gs"), make_params(arrays, np.float64, "torch")
    (gx, gy), (tx, ty) = data(arrays, np.float64, "gs"), data(arrays, np.float64, "torch")
    gopt, topt = gs.optim.SGD(gp, lr=0.1, momentum=0.9), torch.optim.SGD(tp, lr=0.1, momentum=0.9)

    def closure(opt: Any, params: Any, x: Any, y: Any) -> Any:
        def run() -> Any:
            opt.zero_grad()
            loss = mlp_loss(params, x, y)
            loss.backward()
            return loss

        return run

    for _ in range(3):
        gl = gopt.step(closure(gopt, gp, gx, gy))
        tl = topt.step(closure(topt, tp, tx, ty))
        assert float(gl.item()) == pytest.approx(float(tl.item()), rel=1e-10)
    np.testing.assert_allclose(to_numpy(gp[0]), to_numpy(tp[0]), rtol=1e-10)


def test_parameters_without_grad_are_skipped() -> None:
    used, unused = gs.tensor([1.0, 2.0], requires_grad=True), gs.tensor([3.0], requires_grad=True)
    opt = gs.optim.Adam([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused._data.tolist() == [3.0]
    assert unused not in opt.state or not opt.state[unused]
    assert opt.state[used]["step"] == 1


def test_shared_gradient_is_not_aliased() -> None:
    """``a + b`` hands both leaves the same upstream gradient; updating one must not touch the other."""
    a = gs.tensor([1.0, 2.0], requires_grad=True)
    b = gs.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    opt = gs.optim.SGD([a, b], lr=0.5, weight_decay=0.1, momentum=0.9)
    opt.step()
    ta, tb = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    (ta + tb).sum().backward()
    torch.optim.SGD([ta, tb], lr=0.5, weight_decay=0.1, momentum=0.9).step()
    np.testing.assert_allclose(a._data, ta.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(b._data, tb.detach().numpy(), rtol=1e-6)
    assert a.grad._data.tolist() == [1.0, 1.0]  # step() never modifies .grad


def test_zero_grad() -> None:
    p = gs.tensor([1.0, 2.0], requires_grad=True)
    opt = gs.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    grad_array = p.grad._data
    opt.zero_grad(set_to_none=False)
    assert p.grad._data is grad_array and p.grad._data.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_large_parameters_updated_blockwise_match_torch() -> None:
    """Arrays larger than one cache block (and a non-contiguous one) go through ``blocks``."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal((300, 301)).astype(np.float32)
    grads = [rng.standard_normal(w.shape).astype(np.float32) for _ in range(3)]
    gp, tp = gs.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    gopt = gs.optim.Adam([gp], lr=0.01, weight_decay=0.1, amsgrad=True)
    topt = torch.optim.Adam([tp], lr=0.01, weight_decay=0.1, amsgrad=True)
    for i, g in enumerate(grads):
        # the last gradient is Fortran-ordered: the whole-array fallback path
        gp.grad = gs.tensor(np.asfortranarray(g) if i == 2 else g)
        tp.grad = torch.tensor(g)
        gopt.step()
        topt.step()
        np.testing.assert_allclose(gp._data, tp.detach().numpy(), rtol=1e-4, atol=1e-6)
