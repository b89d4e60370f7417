"""neural-ode: learn a vector field from one trajectory, with gradients through the ODE solver (Chen et al. 2018).

Data: the spiral of torchdiffeq's demo, dy/dt = (y³) A with A = [[-0.1, 2], [-2, -0.1]], y(0) = (2, 0),
observed at 1000 times in [0, 25]. Model: dy/dt = MLP(y³) (2 -> 50 tanh -> 2). Each step takes a
minibatch of short windows (``batch_time`` observations from random starts), integrates the model
from their first points with RK4 (``gradstudent.integrate.odeint``) and backpropagates the squared
error through every solver step ("discretize-then-differentiate"). Reported: the error of the full
25-time-unit rollout from y(0) before and after training, and a finite-difference check of the
gradient through the solver.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..integrate import odeint
from ..physics.simulators import solve_reference
from ..tensor import Tensor
from .registry import RunContext, experiment

A = np.array([[-0.1, 2.0], [-2.0, -0.1]])


class ODEFunc(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))

    def forward(self, t: Any, y: Tensor) -> Tensor:
        return self.net(y ** 3)


def rollout(func: ODEFunc, y0: np.ndarray, t: np.ndarray, steps_per_interval: int = 1) -> np.ndarray:
    with no_grad():
        dt = float(t[1] - t[0]) / steps_per_interval
        return odeint(func, from_numpy(y0.astype(np.float32)), t, method="rk4", step_size=dt).numpy().astype(np.float64)


@experiment("neural-ode", "Neural ODE fitted to a spiral trajectory by backpropagating through RK4 steps",
            n_times=1000, t_end=25.0, iters=600, batch_size=16, batch_time=10, hidden=50, lr=1e-3)
def run(ctx: RunContext) -> dict[str, Any]:
    import gradstudent as gs

    c = ctx.config
    gs.manual_seed(ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    t = np.linspace(0, float(c["t_end"]), int(c["n_times"]))
    y0 = np.array([2.0, 0.0])
    true = solve_reference(lambda _t, y: (y ** 3) @ A, y0, t)
    func = ODEFunc(int(c["hidden"]))
    err0 = float(np.mean((rollout(func, y0, t) - true) ** 2))
    opt = optim.RMSprop(func.parameters(), lr=float(c["lr"]))
    bt, bs = int(c["batch_time"]), int(c["batch_size"])
    yt = from_numpy(true.astype(np.float32))
    losses = []
    for it in range(int(c["iters"])):
        starts = rng.choice(len(t) - bt, bs, replace=False)
        batch_y0 = yt[from_numpy(starts.astype(np.int64))]                       # (bs, 2)
        target = np.stack([true[s:s + bt] for s in starts], 1)                   # (bt, bs, 2)
        opt.zero_grad()
        pred = odeint(func, batch_y0, t[:bt] - t[0], method="rk4")
        loss = (pred - from_numpy(target.astype(np.float32))).abs().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if (it + 1) % 100 == 0:
            ctx.log(f"iter {it + 1}: window loss {loss.item():.4f}")
    pred = rollout(func, y0, t)
    err = float(np.mean((pred - true) ** 2))
    gcheck = _grad_check(func, true, t)
    _figure(ctx, true, pred, losses)
    return {"rollout_mse_before": err0, "rollout_mse_after": err, "improvement_factor": err0 / max(err, 1e-300),
            "final_window_loss": losses[-1], "grad_vs_fd_rel_err": gcheck}


def _grad_check(func: ODEFunc, true: np.ndarray, t: np.ndarray) -> float:
    """d(loss)/d(one weight) by autodiff through 20 RK4 steps vs a central difference (float64 copy)."""
    import gradstudent as gs

    w = func.net[0].weight
    w64 = gs.from_numpy(w.detach().numpy().astype(np.float64)).requires_grad_(True)
    rest = [p.detach().numpy().astype(np.float64) for p in (func.net[0].bias, func.net[2].weight, func.net[2].bias)]

    def loss(W: Tensor) -> Tensor:
        b1, W2, b2 = (gs.from_numpy(a) for a in rest)
        f = lambda _t, y: ((y ** 3) @ W.T + b1).tanh() @ W2.T + b2  # noqa: E731
        ys = odeint(f, gs.from_numpy(true[0]), t[:21], method="rk4")
        return ((ys - gs.from_numpy(true[:21])) ** 2).mean()

    loss(w64).backward()
    g = w64.grad.numpy()[0, 0]
    h = 1e-6
    base = w.detach().numpy().astype(np.float64)
    plus, minus = base.copy(), base.copy()
    plus[0, 0] += h
    minus[0, 0] -= h
    with no_grad():
        fd = (loss(gs.from_numpy(plus)).item() - loss(gs.from_numpy(minus)).item()) / (2 * h)
    return float(abs(g - fd) / max(abs(fd), 1e-12))


def _figure(ctx: RunContext, true: np.ndarray, pred: np.ndarray, losses: list[float]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(true[:, 0], true[:, 1], "k-", label="true")
    ax.plot(pred[:, 0], pred[:, 1], "C1--", label="neural ODE")
    ax.set_xlabel("y₁")
    ax.set_ylabel("y₂")
    ax.legend(fontsize=8)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.semilogy(losses)
    ax2.set_xlabel("iteration")
    ax2.set_ylabel("window L1 loss")
    fig.tight_layout()
    ctx.save_figure(fig, "spiral.png")
