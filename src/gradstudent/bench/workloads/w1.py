"""W1: MLP 784-512-512-10, ReLU, cross-entropy, batch 128, Adam lr 1e-3."""

from . import Step

NAME = "W1"
DESCRIPTION = "MLP 784-512-512-10, ReLU, CE, batch 128, Adam"
SIZES = [784, 512, 512, 10]
BATCH = 128


def matmul_flops() -> float:
    """FLOPs of the step's matrix products: forward 2·B·in·out per layer, backward twice that
    (input gradient skipped for the first layer, whose input needs none)."""
    total = 0
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        total += 2 * BATCH * a * b * (2 if i == 0 else 3)
    return float(total)


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)).to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.standard_normal((BATCH, 784), dtype=np.float32)).to(device)
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
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(BATCH, 784).to(device), torch.randint(0, 10, (BATCH,)).to(device)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step
