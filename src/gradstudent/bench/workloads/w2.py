"""W2: small CNN on MNIST-sized inputs, batch 64, SGD with momentum."""

from . import Step

NAME = "W2"
DESCRIPTION = "CNN conv(1->32)-pool-conv(32->64)-pool-fc128-fc10, batch 64, SGD momentum"
BATCH = 64


def _model(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    model = _model(nn).to(device)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.standard_normal((BATCH, 1, 28, 28), dtype=np.float32)).to(device)
    y = gs.from_numpy(rng.integers(0, 10, BATCH)).to(device)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    torch.manual_seed(0)
    model = _model(torch.nn).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(BATCH, 1, 28, 28).to(device), torch.randint(0, 10, (BATCH,)).to(device)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step
