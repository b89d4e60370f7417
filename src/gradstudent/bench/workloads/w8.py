"""W8: tiny MLP 2-16-16-1, tanh, MSE, batch 32, SGD lr 0.05 (measures per-op overhead)."""

from . import Step

NAME = "W8"
DESCRIPTION = "tiny MLP 2-16-16-1, tanh, MSE, batch 32, SGD (per-op overhead)"


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.standard_normal((32, 2), dtype=np.float32)).to(device)
    y = gs.from_numpy(rng.standard_normal((32, 1), dtype=np.float32)).to(device)

    def step():
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(32, 2).to(device), torch.randn(32, 1).to(device)

    def step():
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    return step
