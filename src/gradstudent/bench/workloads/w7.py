"""W7: VAE 784-400-(20,20)-400-784, BCE-with-logits + KL, batch 128, Adam lr 1e-3."""

from . import Step

NAME = "W7"
DESCRIPTION = "VAE 784-400-(20,20)-400-784, BCE-logits + KL, batch 128, Adam"


def _make(nn, F, exp_fn, randn_like):
    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Linear(784, 400)
            self.mu = nn.Linear(400, 20)
            self.logvar = nn.Linear(400, 20)
            self.dec1 = nn.Linear(20, 400)
            self.dec2 = nn.Linear(400, 784)

        def forward(self, x):
            h = F.relu(self.enc(x))
            mu, logvar = self.mu(h), self.logvar(h)
            z = mu + exp_fn(0.5 * logvar) * randn_like(mu)  # reparameterization
            return self.dec2(F.relu(self.dec1(z))), mu, logvar

    def loss_fn(model, x):
        logits, mu, logvar = model(x)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * (1 + logvar - mu * mu - exp_fn(logvar)).sum()
        return (rec + kl) / x.shape[0]

    return VAE(), loss_fn


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    model, loss_fn = _make(nn, nn.functional, gs.exp, gs.randn_like)
    model.to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = gs.from_numpy(np.random.default_rng(0).random((128, 784), dtype=np.float32)).to(device)

    def step():
        opt.zero_grad()
        loss_fn(model, x).backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    torch.manual_seed(0)
    model, loss_fn = _make(torch.nn, torch.nn.functional, torch.exp, torch.randn_like)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(128, 784).to(device)

    def step():
        opt.zero_grad()
        loss_fn(model, x).backward()
        opt.step()

    return step
