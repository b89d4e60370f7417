"""Optimizer checkpoints: PyTorch's state_dict layout, round trips, loading torch's numbers."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
import torch

import gradstudent as gs
from optim_helpers import data, initial_arrays, make_params, mlp_loss, to_numpy, torch_state_to_gs

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
]
IDS = [f"{n}-{'-'.join(map(str, k.values()))}" for n, k in CONFIGS]


def train(opt: Any, params: list[Any], xy: tuple[Any, Any], steps: int) -> None:
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(params, *xy).backward()
        opt.step()


def two_groups(params: list[Any]) -> list[dict[str, Any]]:
    return [{"params": [params[0], params[1]]}, {"params": [params[2], params[3]], "lr": 0.003}]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_layout_and_values_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    arrays = initial_arrays()
    gp, tp = make_params(arrays, np.float64, "gs"), make_params(arrays, np.float64, "torch")
    gopt = getattr(gs.optim, name)(two_groups(gp), **kwargs)
    topt = getattr(torch.optim, name)(two_groups(tp), **kwargs)
    train(gopt, gp, data(arrays, np.float64, "gs"), 3)
    train(topt, tp, data(arrays, np.float64, "torch"), 3)
    gsd, tsd = gopt.state_dict(), topt.state_dict()
    assert set(gsd) == {"state", "param_groups"}
    stateless = name == "SGD" and not kwargs.get("momentum")  # plain SGD keeps no state, in both
    assert sorted(gsd["state"]) == sorted(tsd["state"]) == ([] if stateless else [0, 1, 2, 3])
    for index, tstate in tsd["state"].items():
        gstate = gsd["state"][index]
        assert set(gstate) == set(tstate), f"state keys of parameter {index}"
        for key, tvalue in tstate.items():
            if key == "step":
                assert gstate[key] == int(tvalue.item()) == 3
            else:
                assert isinstance(gstate[key], gs.Tensor)
                np.testing.assert_allclose(to_numpy(gstate[key]), to_numpy(tvalue), rtol=1e-7, atol=1e-12)
    for ggroup, tgroup in zip(gsd["param_groups"], tsd["param_groups"]):
        assert ggroup["params"] == tgroup["params"]
        # our groups hold the meaningful hyper-parameters; torch's also have foreach/fused/... switches
        assert set(ggroup) <= set(tgroup), set(ggroup) - set(tgroup)
        assert set(tgroup) - set(ggroup) <= {"foreach", "fused", "differentiable", "capturable"}
        for key in ggroup:
            assert ggroup[key] == tgroup[key], key


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_round_trip_continues_like_uninterrupted(name: str, kwargs: dict[str, Any]) -> None:
    arrays = initial_arrays()
    xy = data(arrays, np.float32, "gs")
    params = make_params(arrays, np.float32, "gs")
    opt = getattr(gs.optim, name)(two_groups(params), **kwargs)
    train(opt, params, xy, 4)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))  # as if written to disk
    saved_params = [p.detach().clone() for p in params]

    train(opt, params, xy, 4)  # uninterrupted run; must not change the saved dict

    resumed = [gs.tensor(p._data, requires_grad=True) for p in saved_params]
    opt2 = getattr(gs.optim, name)(two_groups(resumed), lr=1.0)  # hyper-parameters come from the checkpoint
    opt2.load_state_dict(saved)
    train(opt2, resumed, xy, 4)
    for a, b in zip(params, resumed):
        np.testing.assert_array_equal(a._data, b._data)
    assert opt2.param_groups[1]["lr"] == 0.003


def test_state_dict_is_a_snapshot() -> None:
    p = gs.tensor([1.0, 2.0], requires_grad=True)
    opt = gs.optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"]._data.copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"]._data, before)
    assert sd["state"][0]["step"] == 1


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_load_torch_state_dict_and_continue(name: str, kwargs: dict[str, Any]) -> None:
    """A torch checkpoint (tensors converted) resumes in gradstudent with torch's numbers."""
    arrays = initial_arrays()
    tp = make_params(arrays, np.float64, "torch")
    topt = getattr(torch.optim, name)(tp, **kwargs)
    txy = data(arrays, np.float64, "torch")
    train(topt, tp, txy, 3)
    gp = [gs.tensor(t.detach().numpy(), requires_grad=True) for t in tp]
    gopt = getattr(gs.optim, name)(gp)
    gopt.load_state_dict(torch_state_to_gs(copy.deepcopy(topt.state_dict())))
    train(topt, tp, txy, 3)
    train(gopt, gp, data(arrays, np.float64, "gs"), 3)
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(to_numpy(g), to_numpy(t), rtol=1e-7, atol=1e-12)
    assert all(isinstance(s["step"], int) for s in gopt.state.values() if "step" in s)


def test_load_casts_state_to_the_parameter_dtype() -> None:
    p = gs.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = gs.optim.SGD([p], lr=0.1, momentum=0.9)
    opt.load_state_dict({"state": {0: {"momentum_buffer": np.ones(3)}}, "param_groups": opt.state_dict()["param_groups"]})
    assert opt.state[p]["momentum_buffer"].dtype == np.float32


def test_load_rejects_a_mismatched_state_dict() -> None:
    a, b = gs.tensor([1.0], requires_grad=True), gs.tensor([2.0], requires_grad=True)
    sd = gs.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="1 parameters in the state_dict but 2|2 parameters in the state_dict but 1"):
        gs.optim.SGD([a], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameter groups"):
        gs.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)


def test_named_parameters_are_accepted() -> None:
    w = gs.tensor([1.0, 2.0], requires_grad=True)
    opt = gs.optim.SGD([("weight", w)], lr=0.1)
    assert opt.param_groups[0]["params"][0] is w
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


def test_add_param_group_and_repr() -> None:
    a, b = gs.tensor([1.0], requires_grad=True), gs.tensor([2.0], requires_grad=True)
    opt = gs.optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.5})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)  # filled from defaults
    assert "Parameter Group 1" in repr(opt) and "lr: 0.5" in repr(opt)
