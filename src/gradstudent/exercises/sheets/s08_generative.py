"""Sheet 8 checks: the VAE loss against library losses, the coupling layer's inverse and log-determinant."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

import gradstudent as gs
from gradstudent import nn

from ..checking import CheckFailed, assert_close, rng
from . import Sheet, Task


def check_vae_loss(m: ModuleType) -> None:
    r = rng(0)
    for scale in (1.0, 50.0):
        x = (r.random(size=(4, 6)) > 0.5).astype(np.float64)
        logits, mu, logvar = r.normal(size=(4, 6)) * scale, r.normal(size=(4, 2)), r.normal(size=(4, 2))
        tl, tm, tv = (gs.tensor(v, requires_grad=True) for v in (logits, mu, logvar))
        recon, kl = m.vae_loss(gs.tensor(x), tl, tm, tv)
        ref_recon = nn.functional.binary_cross_entropy_with_logits(gs.tensor(logits), gs.tensor(x), reduction="sum") / 4
        ref_kl = float((-0.5 * (1 + logvar - mu**2 - np.exp(logvar)).sum(1)).mean())
        assert_close(f"reconstruction term (logits of size ~{scale:g})", recon, ref_recon, hint="sum over features, mean over the batch; use the stable form")
        assert_close("KL term", kl, ref_kl, hint="-1/2 sum(1 + logvar - mu^2 - exp(logvar)), mean over the batch")
        (recon + kl).backward()
        assert_close("gradient of mu", tm.grad, mu / 4, hint="dKL/dmu = mu (then the batch mean)")


def _coupling(m: ModuleType) -> tuple[Any, nn.Module, nn.Module]:
    gs.manual_seed(0)
    s_net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 4)).double()
    t_net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 4)).double()
    return m.AffineCoupling(gs.tensor([1.0, 0.0, 1.0, 0.0], dtype=gs.float64), s_net, t_net), s_net, t_net


def check_coupling_inverse(m: ModuleType) -> None:
    layer, _, _ = _coupling(m)
    x = gs.tensor(rng(1).normal(size=(5, 4)))
    y, _ = layer.forward(x)
    if np.allclose(y.detach().numpy(), x.numpy()):
        raise CheckFailed("coupling forward returned its input unchanged")
    assert_close("inverse(forward(x))", layer.inverse(y), x, hint="undo t, then divide by e^s; s and t see only the masked part")
    assert_close("masked features pass unchanged", y.detach().numpy()[:, [0, 2]], x.numpy()[:, [0, 2]])


def check_coupling_logdet(m: ModuleType) -> None:
    layer, _, _ = _coupling(m)
    xs = rng(2).normal(size=(3, 4))
    _, logdet = layer.forward(gs.tensor(xs))
    for n in range(3):
        x = gs.tensor(xs[n : n + 1], requires_grad=True)
        y, _ = layer.forward(x)
        rows = [gs.autograd.grad(y[0, i], [x], retain_graph=True)[0] for i in range(4)]
        jac = np.stack([r.numpy()[0] for r in rows if r is not None])
        assert_close(f"log|det J| of sample {n} (against the autograd Jacobian)", logdet.detach().numpy()[n], np.linalg.slogdet(jac)[1],
                     hint="the Jacobian is triangular: log|det| = sum of s over the transformed features")


SHEET = Sheet(8, "generative", "Generative models: the VAE loss and a coupling layer", "sheet08_generative.py", [
    Task("vae_loss", 4, check_vae_loss, "negative ELBO: reconstruction and KL"),
    Task("coupling_inverse", 3, check_coupling_inverse, "an affine coupling layer and its inverse", "AffineCoupling"),
    Task("coupling_logdet", 3, check_coupling_logdet, "the coupling layer's log-determinant", "AffineCoupling"),
])
