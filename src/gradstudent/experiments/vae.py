"""vae: variational autoencoders on the 8×8 digits.

- A VAE with a 2-D latent space (Gaussian encoder, Bernoulli decoder on grey levels in
  [0, 1]): test ELBO (reconstruction and KL) and the IWAE bound with K = 100 samples,
  the latent means of the test digits coloured by class, and the decoded latent grid.
- A β sweep with an 8-D latent space: ELBO, reconstruction, KL, IWAE, active units
  (latent dimensions whose mean KL over the test set exceeds 0.01 nats), and latent
  traversals (one dimension varied from -3 to 3, the others at 0).
- A conditional VAE (one-hot class as context): samples of each class.

Log-likelihoods are in nats per image; the Bernoulli density on grey levels is the usual
relaxation, so the numbers compare models with each other, not with a discrete likelihood.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import from_numpy
from ..generative.vae import VAE, ConditionalVAE
from ..nn.functional import one_hot
from ._gen_common import Job, batched, digits, fit_all, image_grid
from .registry import RunContext, experiment


def _scores(model: VAE, X: np.ndarray, k: int) -> dict[str, float]:
    terms = [model.elbo(from_numpy(X[i : i + 512])) for i in range(0, len(X), 512)]
    rec = float(np.concatenate([t.reconstruction.detach().numpy() for t in terms]).mean())
    kl = float(np.concatenate([t.kl.detach().numpy() for t in terms]).mean())
    iwae = float(batched(lambda x: model.iwae_log_likelihood(x, k=k), X, 128).mean())
    return {"elbo": rec - kl, "reconstruction": rec, "kl": kl, f"iwae_k{k}": iwae}


def _active_units(model: VAE, X: np.ndarray) -> int:
    mu = batched(lambda x: model.encode(x)[0], X)
    logvar = batched(lambda x: model.encode(x)[1], X)
    kl_per_dim = (0.5 * (mu**2 + np.exp(logvar) - 1 - logvar)).mean(0)
    return int((kl_per_dim > 0.01).sum())


def _figures(ctx: RunContext, model2: VAE, traversal_model: VAE, cvae: ConditionalVAE, Xte: np.ndarray, yte: np.ndarray) -> None:
    from matplotlib.figure import Figure

    mu = batched(lambda x: model2.encode(x)[0], Xte)
    fig = Figure(figsize=(11, 5))
    ax = fig.add_subplot(1, 2, 1)
    points = ax.scatter(mu[:, 0], mu[:, 1], c=yte, cmap="tab10", s=8)
    fig.colorbar(points, ax=ax, label="digit")
    ax.set(title="2-D latent means of the test digits", xlabel="z₁", ylabel="z₂")
    grid = np.stack(np.meshgrid(np.linspace(-2.5, 2.5, 12), np.linspace(2.5, -2.5, 12)), -1).reshape(-1, 2).astype(np.float32)
    decoded = batched(lambda z: model2.decode(z).sigmoid(), grid)
    image_grid(fig.add_subplot(1, 2, 2), decoded, 12, 12, "decoder means on a grid z ∈ [-2.5, 2.5]²")
    ctx.save_figure(fig, "latent_map.png")

    k = traversal_model.latent
    steps = np.linspace(-3, 3, 9, dtype=np.float32)
    z = np.zeros((k, len(steps), k), dtype=np.float32)
    for d in range(k):
        z[d, :, d] = steps
    decoded = batched(lambda t: traversal_model.decode(t).sigmoid(), z.reshape(-1, k))
    fig = Figure(figsize=(5, 0.6 * k + 0.6))
    image_grid(fig.add_subplot(1, 1, 1), decoded, k, len(steps), "latent traversals (row: dimension, z_d from -3 to 3)")
    ctx.save_figure(fig, "latent_traversals.png")

    labels = np.repeat(np.arange(10), 8)
    ctx_onehot = one_hot(from_numpy(labels), 10).float()
    samples = cvae.sample(len(labels), ctx_onehot).numpy()
    fig = Figure(figsize=(4, 5))
    image_grid(fig.add_subplot(1, 1, 1), samples.reshape(10, 8, 64).transpose(1, 0, 2).reshape(-1, 64), 8, 10, "conditional VAE: one column per class")
    ctx.save_figure(fig, "cvae_samples.png")


@experiment("vae", "VAE on digits: test ELBO and IWAE (K=100), 2-D latent map, traversals, β sweep, conditional VAE",
            epochs=150, lr=2e-3, batch_size=128, hidden=256, iwae_k=100, betas=(0.5, 1.0, 2.0, 4.0), sweep_latent=8, max_train=None)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xtr, ytr, Xte, yte = digits(cfg["max_train"])
    lr, bs, hidden, k = float(cfg["lr"]), int(cfg["batch_size"]), (int(cfg["hidden"]),), int(cfg["iwae_k"])

    onehot = one_hot(from_numpy(ytr), 10).numpy().astype(np.float32)
    model2, cvae = VAE(64, latent=2, hidden=hidden), ConditionalVAE(64, 10, latent=2, hidden=hidden)
    sweep_models = {float(beta): VAE(64, latent=int(cfg["sweep_latent"]), hidden=hidden) for beta in cfg["betas"]}
    jobs: dict[str, Job] = {"latent2": (model2, Xtr, lambda m, x: m.loss(x)),
                            "cvae": (cvae, np.concatenate([Xtr, onehot], axis=1), lambda m, xc: m.loss(xc[:, :64], xc[:, 64:]))}
    for i, (beta, model) in enumerate(sweep_models.items()):
        jobs[f"beta{i}"] = (model, Xtr, lambda m, x, b=beta: m.loss(x, beta=b))
    curves, seconds_by_model = fit_all(ctx, jobs, lr, bs)       # one epoch loop for all models: --resume works
    curve, seconds = curves["latent2"], seconds_by_model["latent2"]
    main = _scores(model2, Xte, k)
    ctx.log(f"latent 2: test ELBO {main['elbo']:.2f}, IWAE K={k} {main[f'iwae_k{k}']:.2f} nats ({seconds:.1f} s)")

    rows = [{"beta": beta, **_scores(model, Xte, k), "active_units": _active_units(model, Xte)} for beta, model in sweep_models.items()]
    ctx.save_table(rows, "beta_sweep")
    cond = float(cvae.elbo(from_numpy(Xte), one_hot(from_numpy(yte), 10).float()).elbo.detach().numpy().mean())

    traversal = sweep_models.get(1.0, next(iter(sweep_models.values())))
    _figures(ctx, model2, traversal, cvae, Xte, yte)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(curve)
    ax.set(xlabel="epoch", ylabel="-ELBO (train, nats)", title="VAE (latent 2) training")
    ctx.save_figure(fig, "elbo_curve.png")
    return {
        "test_elbo_latent2": main["elbo"], f"test_iwae_k{k}_latent2": main[f"iwae_k{k}"],
        "test_reconstruction_latent2": main["reconstruction"], "test_kl_latent2": main["kl"],
        "train_seconds_latent2": seconds, "cvae_test_elbo": cond,
        "beta_sweep": {str(r["beta"]): {key: v for key, v in r.items() if key != "beta"} for r in rows},
    }
