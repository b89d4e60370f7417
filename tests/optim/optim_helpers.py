"""Shared setup for the optimizer tests: a tiny MLP built from raw tensors in both frameworks.

(Not a test module: imported by ``test_optim_*.py``, found on ``sys.path`` via the rootdir
``tests/optim`` that pytest's default ``rootdir``-relative import mode inserts.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import gradstudent as gs

SHAPES = {"W1": (8, 5), "b1": (8,), "W2": (3, 8), "b2": (3,)}


def initial_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {name: rng.standard_normal(shape) * 0.5 for name, shape in SHAPES.items()}
    arrays["x"] = rng.standard_normal((16, 5))
    arrays["y"] = rng.standard_normal((16, 3))
    return arrays


def make_params(arrays: dict[str, np.ndarray], dtype: Any, framework: str) -> list[Any]:
    """``[W1, b1, W2, b2]`` as leaf tensors requiring grad, in gradstudent or torch."""
    if framework == "torch":
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        return [torch.tensor(arrays[n], dtype=tdtype, requires_grad=True) for n in SHAPES]
    return [gs.tensor(arrays[n].astype(dtype), requires_grad=True) for n in SHAPES]


def mlp_loss(params: list[Any], x: Any, y: Any) -> Any:
    """``mean((tanh(x W1^T + b1) W2^T + b2 - y)^2)``: the same expression in both frameworks."""
    W1, b1, W2, b2 = params
    h = (x @ W1.T + b1).tanh()
    return ((h @ W2.T + b2 - y) ** 2).mean()


def data(arrays: dict[str, np.ndarray], dtype: Any, framework: str) -> tuple[Any, Any]:
    if framework == "torch":
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        return torch.tensor(arrays["x"], dtype=tdtype), torch.tensor(arrays["y"], dtype=tdtype)
    return gs.tensor(arrays["x"].astype(dtype)), gs.tensor(arrays["y"].astype(dtype))


def tolerances(dtype: Any) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-10} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-6}


def to_numpy(t: Any) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._data)


def torch_state_to_gs(sd: dict[str, Any]) -> dict[str, Any]:
    """A torch optimizer state_dict with its tensors turned into gradstudent tensors."""
    convert = lambda v: gs.tensor(v.detach().numpy()) if isinstance(v, torch.Tensor) else v  # noqa: E731
    return {
        "state": {k: {n: convert(v) for n, v in s.items()} for k, s in sd["state"].items()},
        "param_groups": [dict(g) for g in sd["param_groups"]],
    }
