"""W10: DDPM denoiser step: MLP (2 + 16 sinusoidal time features)-128-128-128-2, SiLU, noise-prediction
loss at random t of T = 1000 (linear schedule), batch 512, Adam lr 1e-3."""

from . import Step

NAME = "W10"
DESCRIPTION = "DDPM denoiser MLP 18-128-128-128-2 (time embedding), batch 512, Adam"


def _data():
    import numpy as np

    from gradstudent.datasets import sample_2d

    return sample_2d("two-moons", 512, seed=0).astype(np.float32)


def make_gradstudent(device: str = "cpu") -> Step:
    import gradstudent as gs
    from gradstudent import optim
    from gradstudent.generative import DDPM

    gs.manual_seed(0)
    ddpm = DDPM.mlp(2, (128, 128, 128), T=1000).to(device)
    opt = optim.Adam(ddpm.parameters(), lr=1e-3)
    x = gs.from_numpy(_data()).to(device)

    def step():
        opt.zero_grad()
        ddpm.loss(x).backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import math

    import numpy as np
    import torch

    torch.manual_seed(0)
    T, K = 1000, 8
    alpha_bars = torch.from_numpy(np.cumprod(1 - np.linspace(1e-4, 0.02, T))).float().to(device)
    sizes = [2 + 2 * K, 128, 128, 128]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.SiLU()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(128, 2)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x0 = torch.from_numpy(_data()).to(device)
    freqs = torch.exp(torch.arange(K, dtype=torch.float32) * math.log(2.0)) * (2 * math.pi)
    freqs = freqs.to(device)

    def step():  # the same computation as gradstudent.generative.DDPM.loss with TimeMLP
        opt.zero_grad()
        n = x0.shape[0]
        t = torch.randint(1, T + 1, (n,)).to(device)
        ab = alpha_bars.index_select(0, t - 1).reshape(n, 1)
        eps = torch.randn_like(x0)
        xt = x0 * ab.sqrt() + eps * (1 - ab).sqrt()
        a = (t.float() / T).reshape(-1, 1) * freqs.reshape(1, -1)
        pred = net(torch.cat([xt, torch.sin(a), torch.cos(a)], 1))
        ((eps - pred) ** 2).sum(1).mean().backward()
        opt.step()

    return step
