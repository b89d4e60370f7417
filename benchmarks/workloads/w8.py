"""W8: tiny MLP 2-16-16-1, tanh, MSE, batch 32, SGD lr 0.05 (measures per-op overhead)."""

NAME = "W8"
DESCRIPTION = "tiny MLP 2-16-16-1, tanh, MSE, batch 32, SGD (per-op overhead)"


def make_gradstudent():
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.standard_normal((32, 2), dtype=np.float32))
    y = gs.from_numpy(rng.standard_normal((32, 1), dtype=np.float32))

    def step():
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    return step


def make_torch():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(32, 2), torch.randn(32, 1)

    def step():
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    return step
