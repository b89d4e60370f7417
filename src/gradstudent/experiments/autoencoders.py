"""autoencoders: AE vs PCA on the digits, denoising, sparse codes.

1. Reconstruction error (squared error per test image) against the latent size K
   for PCA, a *linear* autoencoder (it should match PCA: same subspace, principal
   angles ≈ 0), a nonlinear dense AE and a convolutional AE.
2. Denoising: an AE trained on x + σε to output x, against a plain AE, on noisy test digits.
3. Sparse codes: an overcomplete (K = 64) AE with sigmoid codes and a KL sparsity
   penalty, and one with ReLU codes and an L1 penalty: fraction of active units and error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn
from ..classical import PCA
from ..generative import autoencoder as ae
from ..tensor import Tensor
from ._gen_common import Job, batched, digits, fit_all, image_grid
from .registry import RunContext, experiment


def _test_error(model: ae.Autoencoder, X: np.ndarray, shape: tuple[int, ...] = (-1, 64)) -> float:
    rec = batched(lambda x: model(x.reshape(*shape))[0].reshape(-1, 64), X)
    return float(((rec - X) ** 2).sum(1).mean())


def fit_linear_ae(X: np.ndarray, k: int, steps: int, lr: float = 1e-2) -> ae.DenseAutoencoder:
    """A linear AE trained full-batch (Adam, cosine-annealed lr) on *centred* data X: gradient
    descent converges to the PCA subspace, slowly along directions whose eigenvalues are close
    (and much more slowly if the biases must first learn the mean)."""
    from .. import optim
    from ..creation import from_numpy

    model = ae.DenseAutoencoder(X.shape[1], k, linear=True)
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    x = from_numpy(X)
    for _ in range(steps):
        opt.zero_grad()
        ae.reconstruction_loss(model(x)[0], x).backward()
        opt.step()
        sched.step()
    model.eval()
    return model


def _rec_loss(m: nn.Module, x: Tensor) -> Tensor:
    return ae.reconstruction_loss(m(x)[0], x)


def _conv_loss(m: nn.Module, x: Tensor) -> Tensor:
    return ae.reconstruction_loss(m(x.reshape(-1, 1, 8, 8))[0].reshape(-1, 64), x)


def _dense(k: int) -> ae.DenseAutoencoder:
    return ae.DenseAutoencoder(64, k, hidden=(128,), output_activation=nn.Sigmoid())


def _jobs(Xtr: np.ndarray, sizes: list[int], sigma: float, kl_weight: float, l1_weight: float) -> dict[str, Job]:
    """Every minibatch-trained model of the experiment, trained together by ``fit_all`` (so --resume works)."""
    jobs: dict[str, Job] = {f"dense{k}": (_dense(k), Xtr, _rec_loss) for k in sizes}
    jobs["conv"] = (ae.ConvAutoencoder(latent=16, output_activation=nn.Sigmoid()), Xtr, _conv_loss)
    jobs["plain"] = (_dense(16), Xtr, _rec_loss)
    jobs["denoising"] = (_dense(16), Xtr, lambda m, x: ae.reconstruction_loss(m(ae.corrupt(x, noise_std=sigma))[0], x))
    sparse = {"sparse_kl": (nn.Sigmoid(), lambda z: kl_weight * ae.kl_sparsity_penalty(z, 0.05)),
              "sparse_l1": (nn.ReLU(), lambda z: l1_weight * ae.l1_sparsity_penalty(z)),
              "sparse_none": (nn.Sigmoid(), lambda z: 0.0 * z.sum())}
    for name, (code_activation, penalty) in sparse.items():
        def loss_fn(m: nn.Module, x: Tensor, penalty: Any = penalty) -> Tensor:
            x_hat, z = m(x)
            return ae.reconstruction_loss(x_hat, x) + penalty(z)

        model = ae.DenseAutoencoder(64, 64, hidden=(), code_activation=code_activation, output_activation=nn.Sigmoid())
        jobs[name] = (model, Xtr, loss_fn)
    return jobs


def _pca_vs_ae(ctx: RunContext, Xtr: np.ndarray, Xte: np.ndarray, dense: dict[int, nn.Module], linear_steps: int) -> list[dict[str, Any]]:
    from scipy.linalg import subspace_angles

    rows = []
    for k, model in dense.items():
        pca = PCA(k).fit(Xtr)
        pca_err = float(((pca.inverse_transform(pca.transform(Xte)) - Xte) ** 2).sum(1).mean())
        mean = Xtr.mean(0)
        linear = fit_linear_ae(Xtr - mean, k, linear_steps)
        angles = subspace_angles(linear.decoder[0].weight.detach().numpy().astype(np.float64), pca.components_.T)
        row = {"latent": k, "pca": pca_err, "linear_ae": _test_error(linear, Xte - mean), "dense_ae": _test_error(model, Xte),
               "max_principal_angle_deg": float(np.degrees(angles.max()))}
        rows.append(row)
        ctx.log(f"K={k}: PCA {pca_err:.3f}, linear AE {row['linear_ae']:.3f} (max angle {row['max_principal_angle_deg']:.2f}°), dense AE {row['dense_ae']:.3f}")
    return rows


def _denoising(plain: nn.Module, denoise: nn.Module, Xte: np.ndarray, sigma: float) -> tuple[dict[str, float], np.ndarray]:
    from ..random import default_generator

    noisy = (Xte + sigma * default_generator().normal(0.0, 1.0, Xte.shape, np.float32)).astype(np.float32)
    outs = {name: batched(lambda x, m=m: m(x)[0], noisy) for name, m in (("plain", plain), ("denoising", denoise))}
    err = lambda a: float(((a - Xte) ** 2).sum(1).mean())  # noqa: E731
    metrics = {"noisy_input_error": err(noisy), "plain_ae_error": err(outs["plain"]), "denoising_ae_error": err(outs["denoising"])}
    return metrics, np.concatenate([Xte[:8], np.clip(noisy[:8], 0, 1), outs["plain"][:8], outs["denoising"][:8]])


_SPARSE_NAMES = {"sparse_kl": "KL (sigmoid codes, ρ=0.05)", "sparse_l1": "L1 (ReLU codes)", "sparse_none": "none (sigmoid codes)"}


def _sparse(jobs: dict[str, Job], Xte: np.ndarray) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    rows, codes = [], {}
    for key, name in _SPARSE_NAMES.items():
        model = jobs[key][0]
        z = batched(model.encode, Xte)
        codes[name] = z
        threshold = 0.1 * float(z.max())
        rows.append({"penalty": name, "test_error": _test_error(model, Xte), "active_fraction": float((z > threshold).mean()),
                     "mean_code": float(z.mean())})
    return rows, codes


@experiment("autoencoders", "AE vs PCA on digits (linear AE = PCA subspace), denoising AE, sparse codes (KL and L1)",
            epochs=60, linear_steps=3000, latent_sizes=(2, 4, 8, 16, 32), noise_std=0.3, kl_weight=0.3, l1_weight=0.05, max_train=None)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xtr, _, Xte, _ = digits(cfg["max_train"])
    sizes = [int(k) for k in cfg["latent_sizes"]]
    jobs = _jobs(Xtr, sizes, float(cfg["noise_std"]), float(cfg["kl_weight"]), float(cfg["l1_weight"]))
    fit_all(ctx, jobs, lr=3e-3, batch_size=128)       # one ctx.epochs loop for all of them: --epochs/--resume work
    rows = _pca_vs_ae(ctx, Xtr, Xte, {k: jobs[f"dense{k}"][0] for k in sizes}, int(cfg["linear_steps"]))
    conv_err = _test_error(jobs["conv"][0], Xte, (-1, 1, 8, 8))
    ctx.save_table(rows, "reconstruction_vs_latent")
    den_metrics, den_images = _denoising(jobs["plain"][0], jobs["denoising"][0], Xte, float(cfg["noise_std"]))
    sparse_rows, codes = _sparse(jobs, Xte)
    ctx.save_table(sparse_rows, "sparse_codes")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4))
    axis = fig.add_subplot(1, 1, 1)
    for key, style in (("pca", "o-"), ("linear_ae", "x--"), ("dense_ae", "s-")):
        axis.plot(sizes, [r[key] for r in rows], style, label=key.replace("_", " "))
    if 16 in sizes:
        axis.plot([16], [conv_err], "r*", markersize=12, label="conv AE (K=16)")
    axis.set(xscale="log", yscale="log", xlabel="latent size K", ylabel="test squared error per image", title="AE vs PCA on digits")
    axis.legend()
    ctx.save_figure(fig, "ae_vs_pca.png")
    fig = Figure(figsize=(6, 3.4))
    image_grid(fig.add_subplot(1, 1, 1), den_images, 4, 8, "rows: clean, noisy (σ=%.2g), plain AE, denoising AE" % cfg["noise_std"])
    ctx.save_figure(fig, "denoising.png")
    fig = Figure(figsize=(4 * len(codes), 3.2))
    for i, (name, z) in enumerate(codes.items()):
        ax = fig.add_subplot(1, len(codes), i + 1)
        ax.hist(z.ravel(), bins=50, log=True)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("code value (test digits)")
    ctx.save_figure(fig, "sparse_codes.png")

    by_k = {r["latent"]: r for r in rows}
    return {
        "pca_error": {str(k): r["pca"] for k, r in by_k.items()},
        "linear_ae_error": {str(k): r["linear_ae"] for k, r in by_k.items()},
        "dense_ae_error": {str(k): r["dense_ae"] for k, r in by_k.items()},
        "linear_ae_over_pca_max": max(r["linear_ae"] / r["pca"] for r in rows),
        "max_principal_angle_deg": max(r["max_principal_angle_deg"] for r in rows),
        "conv_ae_error_k16": conv_err,
        **den_metrics,
        "sparse": {r["penalty"]: {"test_error": r["test_error"], "active_fraction": r["active_fraction"]} for r in sparse_rows},
    }
