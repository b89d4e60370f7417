"""diff-sim: fit a simulator's parameters by gradient descent through the ODE integrator.

Two simulators, each with noisy observations of a trajectory made with known parameters:

* projectile with quadratic drag: unknowns (drag k, launch velocity v_x0, v_y0), observed (x, y);
* damped oscillator ẍ + 2ζω₀ẋ + ω₀²x = 0: unknowns (ω₀, ζ), observed x.

The loss is the mean squared error of an RK4 simulation (``gradstudent.integrate.odeint``, tensor
ops) against the data; autodiff through all integrator steps gives ∂loss/∂parameters. We check that
gradient against central finite differences, fit with Adam, and compare with a gradient-free
method (SciPy's Nelder–Mead on the same loss): final parameter error and loss evaluations.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from scipy.optimize import minimize

from .. import optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..integrate import odeint
from ..physics import simulators as S
from ..tensor import Tensor
from .registry import RunContext, experiment


def _projectile(params: Tensor, t: np.ndarray, steps: int) -> Tensor:
    import gradstudent as gs

    k, vx, vy = params[0], params[1], params[2]
    y0 = gs.stack([gs.tensor(0.0, dtype=gs.float64), gs.tensor(0.0, dtype=gs.float64), vx, vy])
    ys = odeint(S.projectile_rhs(9.81, k), y0, t, method="rk4", step_size=(t[-1] - t[0]) / steps)
    return ys[:, :2]


def _oscillator(params: Tensor, t: np.ndarray, steps: int) -> Tensor:
    import gradstudent as gs

    y0 = gs.tensor([1.0, 0.0], dtype=gs.float64)
    ys = odeint(S.oscillator_rhs(params[0], params[1]), y0, t, method="rk4", step_size=(t[-1] - t[0]) / steps)
    return ys[:, :1]


PROBLEMS: dict[str, dict[str, Any]] = {
    "projectile": dict(sim=_projectile, true=[0.3, 8.0, 10.0], init=[0.1, 6.0, 7.0], t_end=1.5, names=["k", "vx0", "vy0"],
                       ref=lambda p, t: S.solve_reference(S.projectile_rhs(9.81, p[0]), np.array([0, 0, p[1], p[2]]), t)[:, :2]),
    "oscillator": dict(sim=_oscillator, true=[2.0, 0.15], init=[1.6, 0.4], t_end=8.0, names=["omega0", "zeta"],
                       ref=lambda p, t: S.solve_reference(S.oscillator_rhs(p[0], p[1]), np.array([1.0, 0.0]), t)[:, :1]),
}


def _loss_fn(sim: Callable[..., Tensor], t: np.ndarray, data: np.ndarray, steps: int) -> Callable[[Tensor], Tensor]:
    d = from_numpy(data)
    return lambda p: ((sim(p, t, steps) - d) ** 2).mean()


@experiment("diff-sim", "Fit projectile-with-drag and damped-oscillator parameters by autodiff through RK4; vs finite differences and Nelder-Mead",
            problems=["projectile", "oscillator"], n_obs=30, noise=0.05, steps=60, iters=300, lr=0.05)
def run(ctx: RunContext) -> dict[str, Any]:
    import gradstudent as gs

    c = ctx.config
    rng = np.random.default_rng(ctx.seed)
    metrics: dict[str, Any] = {}
    rows = []
    for name in c["problems"]:
        P = PROBLEMS[name]
        t = np.linspace(0, P["t_end"], int(c["n_obs"]))
        true = np.array(P["true"])
        data = P["ref"](true, t) + float(c["noise"]) * rng.normal(size=(len(t), len(P["ref"](true, t)[0])))
        loss = _loss_fn(P["sim"], t, data, int(c["steps"]))
        # gradient check at the initial guess: autodiff vs central differences
        p = gs.tensor(P["init"], dtype=gs.float64, requires_grad=True)
        loss(p).backward()
        g_ad = p.grad.numpy()
        g_fd = np.zeros_like(g_ad)
        h = 1e-6
        for i in range(len(g_fd)):
            e = np.zeros(len(g_fd))
            e[i] = h
            with no_grad():
                g_fd[i] = (loss(gs.tensor(np.array(P["init"]) + e)).item() - loss(gs.tensor(np.array(P["init"]) - e)).item()) / (2 * h)
        grad_rel_err = float(np.abs(g_ad - g_fd).max() / np.abs(g_fd).max())
        # gradient descent (Adam) through the integrator
        p = gs.tensor(P["init"], dtype=gs.float64, requires_grad=True)
        opt = optim.Adam([p], lr=float(c["lr"]))
        curve = []
        for it in range(int(c["iters"])):
            opt.zero_grad()
            value = loss(p)
            value.backward()
            opt.step()
            curve.append(value.item())
        p_ad = p.detach().numpy()
        # gradient-free: Nelder-Mead on the same loss
        evals = [0]

        def f_np(v: np.ndarray) -> float:
            evals[0] += 1  # noqa: B023 (used within this iteration)
            with no_grad():
                return loss(gs.tensor(v)).item()  # noqa: B023

        nm = minimize(f_np, np.array(P["init"]), method="Nelder-Mead", options={"maxfev": 4 * int(c["iters"]), "xatol": 1e-6, "fatol": 1e-10})
        with no_grad():
            final_ad = loss(gs.tensor(p_ad)).item()
        res = {"true": true.tolist(), "autodiff_fit": p_ad.tolist(), "nelder_mead_fit": nm.x.tolist(),
               "autodiff_max_rel_param_err": float(np.max(np.abs(p_ad - true) / np.abs(true))),
               "nelder_mead_max_rel_param_err": float(np.max(np.abs(nm.x - true) / np.abs(true))),
               "autodiff_final_loss": final_ad, "nelder_mead_final_loss": float(nm.fun),
               "autodiff_loss_evals": int(c["iters"]), "nelder_mead_loss_evals": int(evals[0]),
               "grad_vs_fd_max_rel_err": grad_rel_err}
        metrics[name] = res
        rows.append({"problem": name, **{k: v for k, v in res.items() if not isinstance(v, list)}})
        ctx.log(f"{name}: {res}")
        _figure(ctx, name, t, data, P, p_ad, nm.x, curve)
    ctx.save_table(rows, "fits")
    return metrics


def _figure(ctx: RunContext, name: str, t: np.ndarray, data: np.ndarray, P: dict[str, Any], p_ad: np.ndarray,
            p_nm: np.ndarray, curve: list[float]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.5))
    ax = fig.add_subplot(1, 2, 1)
    tf = np.linspace(t[0], t[-1], 200)
    if name == "projectile":
        ax.plot(data[:, 0], data[:, 1], "k.", label="data")
        for p, lab in ((P["true"], "true"), (p_ad, "autodiff fit"), (p_nm, "Nelder-Mead")):
            y = P["ref"](np.array(p), tf)
            ax.plot(y[:, 0], y[:, 1], label=lab)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    else:
        ax.plot(t, data[:, 0], "k.", label="data")
        for p, lab in ((P["true"], "true"), (p_ad, "autodiff fit"), (p_nm, "Nelder-Mead")):
            ax.plot(tf, P["ref"](np.array(p), tf)[:, 0], label=lab)
        ax.set_xlabel("t")
    ax.legend(fontsize=8)
    ax.set_title(name)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.semilogy(curve)
    ax2.set_xlabel("Adam iteration")
    ax2.set_ylabel("loss")
    fig.tight_layout()
    ctx.save_figure(fig, f"{name}.png")
