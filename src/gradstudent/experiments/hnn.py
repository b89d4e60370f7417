"""hnn: Hamiltonian neural networks vs a plain MLP (Greydanus, Dzamba & Yosinski, NeurIPS 2019).

Both networks see noisy phase-space points (q, p) and are trained on the true time derivatives:

* baseline: MLP(q, p) -> (q̇, ṗ) directly;
* HNN: MLP(q, p) -> a scalar H_θ, and the vector field is Hamilton's equations
  (q̇, ṗ) = (∂H_θ/∂p, -∂H_θ/∂q), by autograd with ``create_graph=True`` (the loss then
  differentiates through the gradient: second-order autodiff).

The HNN's field conserves H_θ exactly, so long rollouts (RK4 from ``gradstudent.integrate``) keep
the true energy close to its start; the baseline's field need not, so its energy drifts. Data as in
the paper: ideal mass–spring (H = q²/2 + p²/2, t in [0, 3], radius U(0.1, 1)) and ideal pendulum
(H = 3(1 - cos q) + p²/2, t in [0, 5], radius U(1.3, 2.3)); 25 train and 25 test trajectories of
30 points, noise σ = 0.1 on (q, p). Paper's table (×10⁻³, baseline vs HNN), mass–spring: test loss
37 vs 36, energy MSE 170 vs 0.38; pendulum: test 35 vs 35, energy 42 vs 25.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd import enable_grad, grad, no_grad
from ..creation import from_numpy
from ..integrate import odeint
from ..physics import simulators as S
from ..tensor import Tensor
from .registry import RunContext, experiment

SETTINGS = {"mass-spring": dict(t_span=3.0, radius=(0.1, 1.0)), "pendulum": dict(t_span=5.0, radius=(1.3, 2.3))}


def make_data(system: str, n_traj: int, n_points: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy states (n, 2), true derivatives at the clean states (n, 2), and the initial states (n_traj, 2)."""
    cfg = SETTINGS[system]
    rhs = S.hamiltonian_rhs(system)
    t = np.linspace(0, cfg["t_span"], n_points)
    xs, dxs, y0s = [], [], []
    for _ in range(n_traj):
        y0 = rng.normal(size=2)
        y0 = y0 / np.linalg.norm(y0) * rng.uniform(*cfg["radius"])
        traj = S.solve_reference(rhs, y0, t, rtol=1e-9, atol=1e-9)
        xs.append(traj + noise * rng.normal(size=traj.shape))
        dxs.append(rhs(0.0, traj))
        y0s.append(y0)
    return np.concatenate(xs), np.concatenate(dxs), np.stack(y0s)


class MLP(nn.Module):
    def __init__(self, n_out: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, n_out))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def vector_field(kind: str, model: MLP, x: Tensor, create_graph: bool) -> Tensor:
    """(q̇, ṗ) predicted at states x (N, 2)."""
    import gradstudent as gs

    if kind == "baseline":
        return model(x)
    with enable_grad():
        xr = x if x.requires_grad else x.detach().requires_grad_(True)
        H = model(xr).sum()
        (dH,) = grad(H, xr, create_graph=create_graph)          # dH[n, 0] = ∂H/∂q, dH[n, 1] = ∂H/∂p
    return gs.stack([dH[:, 1], -dH[:, 0]], 1)


def train(kind: str, X: np.ndarray, dX: np.ndarray, hidden: int, steps: int, lr: float, seed: int) -> MLP:
    import gradstudent as gs

    gs.manual_seed(seed)
    model = MLP(2 if kind == "baseline" else 1, hidden)
    opt = optim.Adam(model.parameters(), lr=lr)
    Xt = from_numpy(X.astype(np.float32)).requires_grad_(kind == "hnn")
    dXt = from_numpy(dX.astype(np.float32))
    for _ in range(steps):
        opt.zero_grad()
        ((vector_field(kind, model, Xt, True) - dXt) ** 2).mean().backward()
        opt.step()
    return model


def loss(kind: str, model: MLP, X: np.ndarray, dX: np.ndarray) -> float:
    pred = vector_field(kind, model, from_numpy(X.astype(np.float32)), False)
    return float(((pred.detach().numpy() - dX) ** 2).mean())


def rollout_energy_mse(system: str, kind: str, model: MLP, y0: np.ndarray, t_end: float, dt: float) -> tuple[float, np.ndarray]:
    """Mean squared (H(true) at the rolled-out states - H at the start), RK4 with step dt from each y0."""
    t = np.arange(0.0, t_end + 1e-9, dt)

    def f(_t: Any, y: Tensor) -> Tensor:
        return vector_field(kind, model, y, False).detach()

    with no_grad():
        ys = odeint(f, from_numpy(y0.astype(np.float32)), t, method="rk4").numpy().astype(np.float64)
    H = S.hamiltonian(system, ys)                                  # (len(t), n_traj)
    return float(((H - H[0]) ** 2).mean()), ys


@experiment("hnn", "Greydanus et al. 2019: Hamiltonian NN vs baseline MLP on mass-spring and pendulum (loss table, energy over rollouts)",
            systems=["mass-spring", "pendulum"], n_traj=25, n_points=30, noise=0.1, hidden=200, steps=2000, lr=1e-3,
            rollout_t=20.0, rollout_dt=0.05)
def run(ctx: RunContext) -> dict[str, Any]:
    c = ctx.config
    rng = np.random.default_rng(ctx.seed)
    rows, metrics, rolls = [], {}, {}
    for system in c["systems"]:
        Xtr, dXtr, _ = make_data(system, int(c["n_traj"]), int(c["n_points"]), float(c["noise"]), rng)
        Xte, dXte, y0te = make_data(system, int(c["n_traj"]), int(c["n_points"]), float(c["noise"]), rng)
        for kind in ("baseline", "hnn"):
            model = train(kind, Xtr, dXtr, int(c["hidden"]), int(c["steps"]), float(c["lr"]), ctx.seed)
            e_mse, ys = rollout_energy_mse(system, kind, model, y0te, float(c["rollout_t"]), float(c["rollout_dt"]))
            row = {"system": system, "model": kind, "train_loss": loss(kind, model, Xtr, dXtr),
                   "test_loss": loss(kind, model, Xte, dXte), "energy_mse": e_mse}
            rows.append(row)
            rolls[(system, kind)] = ys
            ctx.log(str(row))
        b, h = rows[-2]["energy_mse"], rows[-1]["energy_mse"]
        metrics[system] = {"baseline": rows[-2], "hnn": rows[-1], "energy_ratio_baseline_over_hnn": b / max(h, 1e-300)}
    ctx.save_table(rows, "results")
    _figure(ctx, c["systems"], rolls, float(c["rollout_dt"]))
    return metrics


def _figure(ctx: RunContext, systems: list[str], rolls: dict[tuple[str, str], np.ndarray], dt: float) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4 * len(systems)))
    for r, system in enumerate(systems):
        ax = fig.add_subplot(len(systems), 2, 2 * r + 1)
        ax2 = fig.add_subplot(len(systems), 2, 2 * r + 2)
        for kind, color in (("baseline", "C3"), ("hnn", "C0")):
            ys = rolls[(system, kind)]
            ax.plot(ys[:, 0, 0], ys[:, 0, 1], color=color, label=kind)
            H = S.hamiltonian(system, ys[:, 0])
            ax2.plot(np.arange(len(H)) * dt, H, color=color, label=kind)
        ax.set_title(f"{system}: phase-space rollout")
        ax.set_xlabel("q")
        ax.set_ylabel("p")
        ax.legend(fontsize=8)
        ax2.set_title(f"{system}: true energy along the rollout")
        ax2.set_xlabel("t")
        ax2.legend(fontsize=8)
    fig.tight_layout()
    ctx.save_figure(fig, "rollouts.png")
