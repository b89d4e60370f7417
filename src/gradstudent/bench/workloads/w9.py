"""W9: RealNVP step on 2-D data: 8 affine couplings (conditioner MLP 1-128-128-2, ReLU; tanh-bounded
log-scale), exact NLL, batch 512, Adam lr 1e-3."""

from . import Step

NAME = "W9"
DESCRIPTION = "RealNVP 8 couplings (MLP 1-128-128-2), NLL, batch 512, Adam"


def _data():
    import numpy as np

    from gradstudent.datasets import sample_2d

    return sample_2d("two-moons", 512, seed=0).astype(np.float32)


def make_gradstudent(device: str = "cpu") -> Step:
    import gradstudent as gs
    from gradstudent import optim
    from gradstudent.generative import RealNVP

    gs.manual_seed(0)
    flow = RealNVP(2, transforms=8, hidden=(128, 128)).to(device)
    opt = optim.Adam(flow.parameters(), lr=1e-3)
    x = gs.from_numpy(_data()).to(device)

    def step():
        opt.zero_grad()
        (-flow.log_prob(x).mean()).backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import math

    import torch

    torch.manual_seed(0)

    class Coupling(torch.nn.Module):  # the same computation as gradstudent.generative.flows.AffineCoupling
        def __init__(self, kept, changed, bound=3.0):
            super().__init__()
            self.bound = bound
            self.register_buffer("kept", torch.tensor(kept))  # buffers: they move with .to(device)
            self.register_buffer("changed", torch.tensor(changed))
            self.register_buffer("unsort", torch.argsort(torch.tensor(kept + changed)))
            self.net = torch.nn.Sequential(torch.nn.Linear(1, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
                                           torch.nn.ReLU(), torch.nn.Linear(128, 2))
            torch.nn.init.zeros_(self.net[-1].weight)
            torch.nn.init.zeros_(self.net[-1].bias)

        def forward(self, x):
            xa, xb = x.index_select(1, self.kept), x.index_select(1, self.changed)
            raw, t = self.net(xa).chunk(2, 1)
            s = torch.tanh(raw / self.bound) * self.bound
            return torch.cat([xa, xb * s.exp() + t], 1).index_select(1, self.unsort), s.sum(1)

    layers = torch.nn.ModuleList([Coupling([k % 2], [1 - k % 2]) for k in range(8)]).to(device)
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    x = torch.from_numpy(_data()).to(device)

    def step():
        opt.zero_grad()
        z, logdet = x, 0.0
        for layer in layers:
            z, ld = layer(z)
            logdet = logdet + ld
        log_prob = -0.5 * (z * z).sum(1) - math.log(2 * math.pi) + logdet
        (-log_prob.mean()).backward()
        opt.step()

    return step
