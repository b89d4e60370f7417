"""pinn: physics-informed neural networks for Burgers' equation (Raissi, Perdikaris & Karniadakis, JCP 2019).

    u_t + u u_x - ν u_xx = 0,  x in [-1, 1], t in [0, 1],  u(x, 0) = -sin(πx),  u(±1, t) = 0,  ν = 0.01/π.

Forward problem: a tanh MLP u_θ(x, t) (paper: 8 hidden layers of 20) is fitted to N_u initial/boundary
points plus the PDE residual f = u_t + u u_x - ν u_xx at N_f collocation points; derivatives come
from autograd with ``create_graph=True`` (u_xx is a second derivative, and the loss is then
differentiated once more). Optimizer: Adam, then L-BFGS with strong-Wolfe line search
(``gradstudent.optim.LBFGS``). Error: relative L2 against the Cole–Hopf reference computed
locally on Raissi's 256 × 100 grid; the paper reports 6.7e-4 (N_u = 100, N_f = 10 000).

Inverse problem: from N scattered samples of the reference solution, learn the network together
with λ₁ and ν in u_t + λ₁ u u_x - ν u_xx = 0 (ν = exp(λ₂), λ₁ = 0, λ₂ = -6 at the start, as
the paper); report the relative error of ν.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .. import nn, optim
from ..autograd import grad, no_grad
from ..creation import from_numpy
from ..physics.simulators import burgers_cole_hopf
from ..tensor import Tensor
from .registry import RunContext, experiment

NU = 0.01 / np.pi


def mlp(layers: int, width: int, init: str = "xavier") -> nn.Module:
    """(x, t) -> u: ``layers`` tanh layers of ``width``. init "xavier": Glorot-normal weights and zero biases,
    as Raissi et al.; "default": PyTorch's nn.Linear initialisation (smaller weights, slower start for deep tanh nets)."""
    if init not in ("xavier", "default"):
        raise ValueError(f"pinn: init must be 'xavier' or 'default', got {init!r}")
    mods: list[nn.Module] = [nn.Linear(2, width), nn.Tanh()]
    for _ in range(layers - 1):
        mods += [nn.Linear(width, width), nn.Tanh()]
    mods.append(nn.Linear(width, 1))
    if init == "xavier":
        for m in mods:
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return nn.Sequential(*mods)


def residual(model: nn.Module, X: Tensor, lam1: Tensor | float, nu: Tensor | float) -> Tensor:
    """f = u_t + λ₁ u u_x - ν u_xx at collocation points X (N, 2) = (x, t); X requires grad."""
    u = model(X).reshape(-1)
    (du,) = grad(u.sum(), X, create_graph=True)             # du[n] = (∂u/∂x, ∂u/∂t) at X[n]
    u_x, u_t = du[:, 0], du[:, 1]
    (d2,) = grad(u_x.sum(), X, create_graph=True)
    u_xx = d2[:, 0]
    return u_t + lam1 * u * u_x - nu * u_xx


def reference_grid(nx: int = 256, nt: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t = np.linspace(-1, 1, nx), np.linspace(0, 1, nt)
    return x, t, burgers_cole_hopf(x, t, NU)                # u[i_t, i_x]


def rel_l2(model: nn.Module, x: np.ndarray, t: np.ndarray, u_ref: np.ndarray) -> tuple[float, np.ndarray]:
    T, Xg = np.meshgrid(t, x, indexing="ij")
    pts = np.stack([Xg.ravel(), T.ravel()], 1).astype(np.float32)
    with no_grad():
        u = model(from_numpy(pts)).numpy().reshape(u_ref.shape).astype(np.float64)
    return float(np.linalg.norm(u - u_ref) / np.linalg.norm(u_ref)), u


def _fit(params: list[Tensor], loss_fn: Any, adam_iters: int, lr: float, lbfgs_iters: int, ctx: RunContext, tag: str,
         monitor: Callable[[], float] | None = None, every: int = 1000) -> list[float]:
    """Adam for ``adam_iters`` steps, then L-BFGS (strong Wolfe) for up to ``lbfgs_iters`` iterations;
    every ``every`` loss evaluations, log the loss and ``monitor()`` (the error against the reference)."""
    hist = []
    opt = optim.Adam(params, lr=lr)
    for i in range(adam_iters):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        hist.append(loss.item())
    lb = optim.LBFGS(params, lr=1.0, max_iter=lbfgs_iters, max_eval=int(lbfgs_iters * 1.25), history_size=50,
                     tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        lb.zero_grad()
        loss = loss_fn()
        loss.backward()
        hist.append(loss.item())
        if monitor is not None and len(hist) % every == 0:
            ctx.log(f"{tag}: loss evaluation {len(hist)}: loss {hist[-1]:.3e}, relative L2 {monitor():.3e}")
        return loss

    if lbfgs_iters > 0:
        lb.step(closure)
    n_iter = lb.state[params[0]].get("n_iter", 0) if lbfgs_iters > 0 else 0
    ctx.log(f"{tag}: {adam_iters} Adam steps, {n_iter} L-BFGS iterations, {len(hist)} loss evaluations, final loss {hist[-1]:.3e}")
    return hist


def collocation_loss(model: nn.Module, Xu_t: Tensor, Uu_t: Tensor, Xf: np.ndarray) -> Any:
    """The forward problem's loss: MSE on initial/boundary data + mean squared PDE residual at Xf."""
    Xf_t = from_numpy(Xf.astype(np.float32)).requires_grad_(True)

    def loss_fn() -> Tensor:
        return ((model(Xu_t).reshape(-1) - Uu_t) ** 2).mean() + (residual(model, Xf_t, 1.0, NU) ** 2).mean()

    return loss_fn


def worst_residual_points(model: nn.Module, rng: np.random.Generator, n_candidates: int, n_add: int) -> tuple[np.ndarray, float]:
    """Residual-based adaptive refinement (Lu et al., SIAM Review 2021): the ``n_add`` points with the
    largest |f| among ``n_candidates`` uniform ones, and the mean |f| over the candidates."""
    cand = np.stack([rng.uniform(-1, 1, n_candidates), rng.uniform(0, 1, n_candidates)], 1).astype(np.float32)
    f = np.abs(residual(model, from_numpy(cand).requires_grad_(True), 1.0, NU).detach().numpy())
    return cand[np.argsort(f)[-n_add:]], float(f.mean())


@experiment("pinn", "Raissi et al. 2019: PINN for Burgers (nu = 0.01/pi), Adam then L-BFGS; relative L2 vs Cole-Hopf; inverse problem for nu",
            layers=8, width=20, init="xavier", n_u=100, n_f=10000, adam_iters=500, lbfgs_iters=8000, lr=1e-3, rar_rounds=0, rar_points=100,
            rar_candidates=20000, rar_lbfgs_iters=500, inverse=True, n_data=2000, inv_adam_iters=500, inv_lbfgs_iters=1500)
def run(ctx: RunContext) -> dict[str, Any]:
    """Forward problem, then (``inverse=True``) the inverse one. ``rar_rounds`` > 0 adds, after the first
    L-BFGS run, ``rar_points`` collocation points where the residual is largest, then ``rar_lbfgs_iters``
    more L-BFGS iterations, that many times (the shock at x = 0 is where a uniform set is too sparse)."""
    import gradstudent as gs

    c = ctx.config
    rng = np.random.default_rng(ctx.seed)
    gs.manual_seed(ctx.seed)
    x, t, u_ref = reference_grid()
    # forward problem data: initial condition and both boundaries, then collocation points
    n_u = int(c["n_u"])
    xi = rng.uniform(-1, 1, n_u // 2)
    tb = rng.uniform(0, 1, n_u - n_u // 2)
    xb = rng.choice([-1.0, 1.0], size=tb.size)
    Xu = np.concatenate([np.stack([xi, np.zeros_like(xi)], 1), np.stack([xb, tb], 1)]).astype(np.float32)
    Uu = np.concatenate([-np.sin(np.pi * xi), np.zeros_like(tb)]).astype(np.float32)
    Xf = np.concatenate([np.stack([rng.uniform(-1, 1, int(c["n_f"])), rng.uniform(0, 1, int(c["n_f"]))], 1), Xu]).astype(np.float32)
    model = mlp(int(c["layers"]), int(c["width"]), str(c["init"]))
    Xu_t, Uu_t = from_numpy(Xu), from_numpy(Uu)
    params = list(model.parameters())
    t0 = time.perf_counter()
    hist = _fit(params, collocation_loss(model, Xu_t, Uu_t, Xf), int(c["adam_iters"]), float(c["lr"]), int(c["lbfgs_iters"]), ctx, "forward",
                monitor=lambda: rel_l2(model, x, t, u_ref)[0])
    for k in range(int(c["rar_rounds"])):
        new, mean_res = worst_residual_points(model, rng, int(c["rar_candidates"]), int(c["rar_points"]))
        Xf = np.concatenate([Xf, new])
        ctx.log(f"RAR round {k + 1}: mean |f| {mean_res:.3e} on the candidates; {len(Xf)} collocation points, rel. L2 "
                f"{rel_l2(model, x, t, u_ref)[0]:.3e} before this round")
        hist += _fit(params, collocation_loss(model, Xu_t, Uu_t, Xf), 0, float(c["lr"]), int(c["rar_lbfgs_iters"]), ctx, f"RAR {k + 1}")
    secs = time.perf_counter() - t0
    err, u_pred = rel_l2(model, x, t, u_ref)
    ctx.log(f"forward problem: relative L2 error {err:.3e}")
    metrics: dict[str, Any] = {"forward_rel_l2": err, "forward_target_le_1e-2": bool(err <= 1e-2), "forward_seconds": round(secs, 1),
                               "forward_loss_evals": len(hist), "forward_final_loss": hist[-1], "paper_rel_l2": 6.7e-4,
                               "collocation_points": len(Xf)}
    if c["inverse"]:
        metrics.update(_inverse(ctx, rng, x, t, u_ref))
    _figure(ctx, x, t, u_ref, u_pred, hist)
    return metrics


def _inverse(ctx: RunContext, rng: np.random.Generator, x: np.ndarray, t: np.ndarray, u_ref: np.ndarray) -> dict[str, Any]:
    import gradstudent as gs

    c = ctx.config
    T, Xg = np.meshgrid(t, x, indexing="ij")
    idx = rng.choice(T.size, int(c["n_data"]), replace=False)
    pts = np.stack([Xg.ravel()[idx], T.ravel()[idx]], 1).astype(np.float32)
    u_obs = from_numpy(u_ref.ravel()[idx].astype(np.float32))
    model = mlp(int(c["layers"]), int(c["width"]), str(c["init"]))
    lam1 = gs.tensor(0.0, requires_grad=True)
    lam2 = gs.tensor(-6.0, requires_grad=True)              # ν = exp(λ₂) stays positive
    P = from_numpy(pts).requires_grad_(True)

    def loss_fn() -> Tensor:
        return ((model(P).reshape(-1) - u_obs) ** 2).mean() + (residual(model, P, lam1, lam2.exp()) ** 2).mean()

    _fit(list(model.parameters()) + [lam1, lam2], loss_fn, int(c["inv_adam_iters"]), float(c["lr"]), int(c["inv_lbfgs_iters"]), ctx, "inverse")
    nu_hat, l1 = float(np.exp(lam2.item())), lam1.item()
    rel = abs(nu_hat - NU) / NU
    ctx.log(f"inverse problem: lambda1 = {l1:.4f} (true 1), nu = {nu_hat:.6f} (true {NU:.6f}), rel. error {rel:.3%}")
    return {"inverse_nu": nu_hat, "inverse_nu_true": NU, "inverse_nu_rel_err": rel, "inverse_lambda1": l1,
            "inverse_target_nu_within_5pct": bool(rel <= 0.05)}


def _figure(ctx: RunContext, x: np.ndarray, t: np.ndarray, u_ref: np.ndarray, u_pred: np.ndarray, hist: list[float]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 3.6))
    for k, (u, title) in enumerate(((u_ref, "Cole–Hopf reference"), (u_pred, "PINN"), (np.abs(u_pred - u_ref), "|error|"))):
        ax = fig.add_subplot(1, 4, k + 1)
        im = ax.imshow(u.T, extent=[t[0], t[-1], x[0], x[-1]], origin="lower", aspect="auto", cmap="rainbow")
        fig.colorbar(im, ax=ax)
        ax.set_xlabel("t")
        ax.set_ylabel("x")
        ax.set_title(title, fontsize=9)
    ax = fig.add_subplot(1, 4, 4)
    ax.semilogy(hist)
    ax.set_xlabel("loss evaluation (Adam, then L-BFGS)")
    ax.set_title("training loss", fontsize=9)
    fig.tight_layout()
    ctx.save_figure(fig, "burgers.png")
