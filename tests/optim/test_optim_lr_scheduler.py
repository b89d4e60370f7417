"""Learning-rate schedules: the lr (and momentum) sequences equal torch's over 30+ steps."""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import pytest
import torch

import gradstudent as gs

Sched = gs.optim.lr_scheduler
TSched = torch.optim.lr_scheduler


def optimizers(name: str = "SGD", **kwargs: Any) -> tuple[Any, Any]:
    """The same two-group optimizer (lrs 0.1 and 0.02) in both frameworks."""
    g = [gs.zeros(2, requires_grad=True), gs.zeros(3, requires_grad=True)]
    t = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    make = lambda lib, p: getattr(lib.optim, name)([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.02}], lr=0.1, **kwargs)  # noqa: E731
    return make(gs, g), make(torch, t)


def hyper(opt: Any) -> list[float]:
    """Every group's lr and momentum (or beta1), flattened."""
    values = [(g["lr"], g.get("momentum"), g.get("betas", (None,))[0]) for g in opt.param_groups]
    return [v for group in values for v in group if v is not None]


def assert_same_sequence(make_g: Callable[[Any], Any], make_t: Callable[[Any], Any], steps: int = 30,
                         opt: str = "SGD", **opt_kwargs: Any) -> list[float]:
    gopt, topt = optimizers(opt, **opt_kwargs)
    gs_sched, torch_sched = make_g(gopt), make_t(topt)
    lrs = []
    for step in range(steps + 1):
        assert gs_sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-12, abs=1e-15), step
        assert hyper(gopt) == pytest.approx(hyper(topt), rel=1e-12, abs=1e-15), step
        assert gs_sched.last_epoch == torch_sched.last_epoch
        lrs.append(gs_sched.get_last_lr()[0])
        gopt.step()
        topt.step()
        gs_sched.step()
        torch_sched.step()
    return lrs


CASES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "StepLR": (lambda o: Sched.StepLR(o, step_size=7, gamma=0.5), lambda o: TSched.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (
        lambda o: Sched.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
        lambda o: TSched.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    ),
    "ExponentialLR": (lambda o: Sched.ExponentialLR(o, gamma=0.9), lambda o: TSched.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR": (  # T_max < steps: goes past the bottom (the special branch) and back up
        lambda o: Sched.CosineAnnealingLR(o, T_max=12, eta_min=0.001),
        lambda o: TSched.CosineAnnealingLR(o, T_max=12, eta_min=0.001),
    ),
    "LambdaLR": (
        lambda o: Sched.LambdaLR(o, [lambda t: min(1.0, (t + 1) / 5), lambda t: 0.95**t]),
        lambda o: TSched.LambdaLR(o, [lambda t: min(1.0, (t + 1) / 5), lambda t: 0.95**t]),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_schedule_matches_torch(case: str) -> None:
    assert_same_sequence(*CASES[case])


ONE_CYCLE = [
    dict(max_lr=1.0, total_steps=30),
    dict(max_lr=[1.0, 0.5], epochs=6, steps_per_epoch=5, anneal_strategy="linear"),
    dict(max_lr=0.3, total_steps=30, three_phase=True, div_factor=10.0, final_div_factor=100.0, pct_start=0.25),
    dict(max_lr=0.3, total_steps=30, base_momentum=[0.8, 0.7], max_momentum=0.9, three_phase=True, anneal_strategy="linear"),
    dict(max_lr=0.3, total_steps=30, cycle_momentum=False),
]


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("kwargs", ONE_CYCLE, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
def test_one_cycle_matches_torch(kwargs: dict[str, Any], opt: str) -> None:
    """lr and SGD momentum / Adam beta1 over the whole cycle (30 steps: the last one is step 29)."""
    opt_kwargs = {"momentum": 0.9} if opt == "SGD" else {}
    assert_same_sequence(lambda o: Sched.OneCycleLR(o, **kwargs), lambda o: TSched.OneCycleLR(o, **kwargs),
                         steps=29, opt=opt, **opt_kwargs)


def test_one_cycle_errors() -> None:
    gopt, _ = optimizers()
    sched = Sched.OneCycleLR(gopt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        gopt.step()
        sched.step()
    with pytest.raises(ValueError, match="total_steps is 3"):
        sched.step()
    with pytest.raises(ValueError, match="total_steps"):
        Sched.OneCycleLR(optimizers()[0], max_lr=1.0)
    with pytest.raises(ValueError, match="momentum"):
        Sched.OneCycleLR(optimizers("Adagrad")[0], max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="3 values but the optimizer has 2"):
        Sched.OneCycleLR(optimizers()[0], max_lr=[1.0, 2.0, 3.0], total_steps=10)


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs", cooldown=3, min_lr=[0.01, 0.001]),
    dict(mode="min", factor=0.2, patience=0, cooldown=1, min_lr=0.005, threshold_mode="rel"),
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "defaults")
def test_reduce_on_plateau_matches_torch(kwargs: dict[str, Any]) -> None:
    metrics = [1.0, 0.9, 0.95, 0.95, 0.9, 0.89999, 0.91, 0.92, 0.8, 0.8, 0.8, 0.8] * 4
    gopt, topt = optimizers()
    gsched, tsched = Sched.ReduceLROnPlateau(gopt, **kwargs), TSched.ReduceLROnPlateau(topt, **kwargs)
    for m in metrics:
        gsched.step(m)
        tsched.step(m)
        assert hyper(gopt) == pytest.approx(hyper(topt), rel=1e-12)
        assert (gsched.num_bad_epochs, gsched.cooldown_counter, gsched.best) == (
            tsched.num_bad_epochs, tsched.cooldown_counter, tsched.best)
        assert gsched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
    assert gopt.param_groups[0]["lr"] < 0.1  # it did reduce


def test_reduce_on_plateau_state_dict_and_errors() -> None:
    gopt, _ = optimizers()
    sched = Sched.ReduceLROnPlateau(gopt, mode="max", patience=1)
    for m in [1.0, 0.5, 0.5]:
        sched.step(m)
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["mode"] == "max"
    other = Sched.ReduceLROnPlateau(optimizers()[0])
    other.load_state_dict(sd)
    assert (other.mode, other.best, other.mode_worse) == ("max", 1.0, -math.inf)
    with pytest.raises(ValueError, match="factor"):
        Sched.ReduceLROnPlateau(gopt, factor=1.5)
    with pytest.raises(ValueError, match="mode"):
        Sched.ReduceLROnPlateau(gopt, mode="lowest")


@pytest.mark.parametrize("case", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_closed_form_step_epoch_matches_torch(case: str) -> None:
    """``step(epoch)`` jumps with the closed form (deprecated in torch, but still part of the API)."""
    gopt, topt = optimizers()
    gsched, tsched = CASES[case][0](gopt), CASES[case][1](topt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [5, 6, 20, 13, 30]:
            gsched.step(epoch)
            tsched.step(epoch)
            assert gsched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_scheduler_state_dict_round_trip(case: str) -> None:
    """Save optimizer + scheduler at epoch 10, restore into fresh ones, continue: same lrs."""
    gopt, _ = optimizers()
    sched = CASES[case][0](gopt)
    for _ in range(10):
        gopt.step()
        sched.step()
    opt_sd, sched_sd = gopt.state_dict(), sched.state_dict()
    assert "optimizer" not in sched_sd and sched_sd["last_epoch"] == 10
    expected = []
    for _ in range(10):
        gopt.step()
        sched.step()
        expected.append(sched.get_last_lr())

    opt2, _ = optimizers()
    sched2 = CASES[case][0](opt2)  # create the scheduler first, then load: as PyTorch recommends
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    got = []
    for _ in range(10):
        opt2.step()
        sched2.step()
        got.append(sched2.get_last_lr())
    assert got == expected


def test_resume_with_last_epoch_matches_torch() -> None:
    gopt, topt = optimizers()
    for opt in (gopt, topt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
    gsched = Sched.CosineAnnealingLR(gopt, T_max=10, last_epoch=4)
    tsched = TSched.CosineAnnealingLR(topt, T_max=10, last_epoch=4)
    for _ in range(8):
        assert gsched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
        gopt.step(), topt.step(), gsched.step(), tsched.step()
    with pytest.raises(KeyError, match="initial_lr"):
        Sched.StepLR(optimizers()[0], step_size=2, last_epoch=3)


def test_warns_when_scheduler_steps_before_optimizer() -> None:
    gopt, _ = optimizers()
    sched = Sched.StepLR(gopt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    gopt2, _ = optimizers()
    sched2 = Sched.StepLR(gopt2, step_size=2)
    gopt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_scheduler_requires_an_optimizer() -> None:
    with pytest.raises(TypeError, match="not an Optimizer"):
        Sched.StepLR(object(), step_size=1)  # type: ignore[arg-type]
