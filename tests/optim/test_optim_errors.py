"""Clear errors for bad hyper-parameters and bad parameter lists."""

from __future__ import annotations

from typing import Any

import pytest

import gradstudent as gs

ALL = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


def param() -> Any:
    return gs.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("name", ALL)
def test_negative_learning_rate(name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: invalid learning rate -0\.1 \(must be >= 0\)"):
        getattr(gs.optim, name)([param()], lr=-0.1)


@pytest.mark.parametrize("name", ALL)
def test_negative_learning_rate_in_a_group(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name}: invalid learning rate -1"):
        getattr(gs.optim, name)([{"params": [param()], "lr": -1}])


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("betas,index,value", [((1.0, 0.999), 0, "1.0"), ((0.9, -0.1), 1, "-0.1"), ((0.9, 1.5), 1, "1.5")])
def test_betas_outside_unit_interval(name: str, betas: tuple[float, float], index: int, value: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}: invalid beta parameter at index {index}: {value} \(must be in \[0, 1\)\)"):
        getattr(gs.optim, name)([param()], betas=betas)


@pytest.mark.parametrize(
    "name,kwargs,what",
    [
        ("SGD", {"momentum": -0.5}, "momentum"),
        ("SGD", {"weight_decay": -1e-4}, "weight_decay"),
        ("Adam", {"eps": -1e-8}, "epsilon"),
        ("Adagrad", {"lr_decay": -1.0}, "lr_decay"),
        ("Adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        ("RMSprop", {"alpha": -0.9}, "alpha"),
        ("RMSprop", {"momentum": -0.9}, "momentum"),
    ],
)
def test_other_bad_hyperparameters(name: str, kwargs: dict[str, Any], what: str) -> None:
    with pytest.raises(ValueError, match=f"{name}: invalid {what} "):
        getattr(gs.optim, name)([param()], **kwargs)


def test_nesterov_needs_momentum_and_no_dampening() -> None:
    with pytest.raises(ValueError, match="Nesterov momentum requires momentum > 0"):
        gs.optim.SGD([param()], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="dampening=0.1"):
        gs.optim.SGD([param()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


@pytest.mark.parametrize("name", ALL)
def test_empty_parameter_list(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name}: optimizer got an empty parameter list"):
        getattr(gs.optim, name)([])
    with pytest.raises(ValueError, match="empty parameter list"):
        getattr(gs.optim, name)(iter([]))  # e.g. model.parameters() of a model without parameters


def test_bad_parameter_lists() -> None:
    p = param()
    with pytest.raises(TypeError, match="single Tensor"):
        gs.optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="only optimize Tensors, but one of the params is ndarray"):
        gs.optim.SGD([p._data], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf Tensor"):
        gs.optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        gs.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="same parameter twice"):
        gs.optim.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        gs.optim.SGD({p}, lr=0.1)
