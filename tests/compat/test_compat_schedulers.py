"""ConstantLR, LinearLR, MultiplicativeLR and PolynomialLR against torch, step by step."""

from __future__ import annotations

import pytest
import torch

import gradstudent as gs

SCHEDULES = {
    "ConstantLR": ({"factor": 0.25, "total_iters": 4}, {}),
    "ConstantLR-default": ({}, {}),
    "LinearLR": ({"start_factor": 0.1, "end_factor": 0.9, "total_iters": 6}, {}),
    "LinearLR-default": ({}, {}),
    "MultiplicativeLR": ({"lr_lambda": lambda epoch: 0.9 if epoch % 2 else 0.95}, {}),
    "PolynomialLR": ({"total_iters": 7, "power": 2.0}, {}),
    "PolynomialLR-default": ({}, {}),
}


def _lrs(L, name: str, kwargs: dict) -> list[list[float]]:
    w1, w2 = L.zeros(2, requires_grad=True), L.zeros(3, requires_grad=True)
    opt = L.optim.SGD([{"params": [w1]}, {"params": [w2], "lr": 0.5}], lr=0.1)
    sched = getattr(L.optim.lr_scheduler, name.split("-")[0])(opt, **kwargs)
    out = []
    for _ in range(12):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name: str) -> None:
    kwargs, _ = SCHEDULES[name]
    ours, theirs = _lrs(gs, name, kwargs), _lrs(torch, name, kwargs)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)


def test_bad_factors_are_refused_like_torch() -> None:
    opt = gs.optim.SGD([gs.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        gs.optim.lr_scheduler.ConstantLR(opt, factor=2.0)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        gs.optim.lr_scheduler.LinearLR(opt, start_factor=0.0)
