"""End to end with nn.Modules: AdamW + OneCycleLR + clip_grad_norm_ train exactly like torch."""

from __future__ import annotations

import numpy as np
import torch

import gradstudent as gs
import gradstudent.nn.utils  # noqa: F401  (until nn/__init__ imports it)


def test_module_training_loop_matches_torch() -> None:
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    model = gs.nn.Sequential(gs.nn.Linear(6, 16), gs.nn.Tanh(), gs.nn.Linear(16, 2))
    model.load_state_dict({k: gs.tensor(v.numpy()) for k, v in tmodel.state_dict().items()})
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 6)).astype(np.float32), rng.standard_normal((32, 2)).astype(np.float32)

    opt = gs.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    topt = torch.optim.AdamW(tmodel.parameters(), lr=1e-2, weight_decay=0.05)
    sched = gs.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=12)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.05, total_steps=12)
    for _ in range(12):
        for o, m, s, lib in ((opt, model, sched, gs), (topt, tmodel, tsched, torch)):
            o.zero_grad()
            xb, yb = lib.tensor(x), lib.tensor(y)
            loss = ((m(xb) - yb) ** 2).mean()
            loss.backward()
            lib.nn.utils.clip_grad_norm_(m.parameters(), max_norm=0.5)
            o.step()
            s.step()
    for (name, p), (tname, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
