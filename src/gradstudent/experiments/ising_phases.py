"""ising-phases: a neural network finds the Ising critical temperature (Carrasquilla & Melko, Nat. Phys. 2017).

Monte Carlo configurations of the 2-D Ising model (checkerboard Metropolis plus Swendsen–Wang
cluster updates, all temperatures and chains in one vectorized batch) at L = 8, 16, 32. A fully connected network (L² → 100 sigmoid → 1,
as in the paper) is trained only on configurations far below T_c (label 0, ordered) and far above
(label 1, disordered); its mean output on the temperatures in between crosses 0.5 near T_c. The
crossing T*(L) drifts with L as T_c + a L^{-1/ν} (ν = 1 for 2-D Ising), so a straight-line fit of T*
against 1/L extrapolates to the infinite lattice; Onsager's T_c = 2/ln(1 + √2) = 2.2692.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..physics import ising
from .registry import RunContext, experiment


def sample_configs(L: int, temps: np.ndarray, chains: int, n_thermal: int, n_samples: int, every: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Configurations (len(temps), chains * n_samples, L, L) from Metropolis at every temperature at once."""
    T = np.repeat(temps, chains)
    s = np.where((T < ising.T_CRITICAL)[:, None, None], 1, rng.choice(np.array([-1, 1], np.int8), size=(T.size, L, L)))
    s = s.astype(np.int8)
    beta = 1.0 / T
    for k in range(n_thermal):
        s = ising.metropolis_sweep(s, beta, rng)
        if k % 5 == 0:       # Swendsen-Wang cluster updates beat critical slowing down near T_c
            s = ising.swendsen_wang_sweep(s, beta, rng)
    out = []
    for _ in range(n_samples):
        s = ising.swendsen_wang_sweep(s, beta, rng)
        for _ in range(every):
            s = ising.metropolis_sweep(s, beta, rng)
        out.append(s.copy())
    conf = np.stack(out, 1).reshape(len(temps), chains, n_samples, L, L)
    return conf.reshape(len(temps), chains * n_samples, L, L)


def train_classifier(X: np.ndarray, y: np.ndarray, hidden: int, epochs: int, lr: float, seed: int) -> nn.Module:
    """L² → hidden (sigmoid) → 1 logistic classifier, Adam with weight decay, full-batch-ish minibatches."""
    import gradstudent as gs

    gs.manual_seed(seed)
    model = nn.Sequential(nn.Linear(X.shape[1], hidden), nn.Sigmoid(), nn.Linear(hidden, 1))
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    Xt, yt = from_numpy(X.astype(np.float32)), from_numpy(y.astype(np.float32))
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(X)), max(1, len(X) // 128)):
            i = from_numpy(idx.astype(np.int64))
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(model(Xt[i]).reshape(-1), yt[i]).backward()
            opt.step()
    return model


def crossing(temps: np.ndarray, out: np.ndarray, level: float = 0.5) -> float:
    """Temperature where the (monotone-ish) curve first crosses ``level``, by linear interpolation."""
    above = np.nonzero(out >= level)[0]
    if above.size == 0 or above[0] == 0:
        return float("nan")
    k = above[0]
    t0, t1, o0, o1 = temps[k - 1], temps[k], out[k - 1], out[k]
    return float(t0 + (level - o0) * (t1 - t0) / (o1 - o0))


def _extrapolate(Ls: np.ndarray, Ts: np.ndarray) -> tuple[float, float]:
    """Straight line T*(L) = T_c + a / L through the finite crossings: (a, T_c)."""
    ok = np.isfinite(Ts)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    slope, intercept = np.polyfit(1.0 / Ls[ok], Ts[ok], 1)
    return float(slope), float(intercept)


@experiment("ising-phases", "Carrasquilla & Melko 2017: an MLP trained far from T_c locates the Ising transition; finite-size extrapolation of T_c",
            sizes=[8, 16, 32], n_temps=21, n_fine=25, chains=24, n_thermal=200, n_samples=10, every=5, hidden=100, epochs=60,
            lr=3e-3, train_low=1.6, train_high=3.0, protocols=["far", "paper"])
def run(ctx: RunContext) -> dict[str, Any]:
    """Protocols: "far" trains only on T < train_low (ordered) and T > train_high (disordered); "paper"
    trains, as Carrasquilla & Melko did, on every temperature labelled by the side of T_c it lies on."""
    c = ctx.config
    rng = np.random.default_rng(ctx.seed)
    temps = np.unique(np.concatenate([np.linspace(1.0, 3.5, int(c["n_temps"])), np.linspace(2.0, 2.6, int(c["n_fine"]))]))
    results: dict[str, dict[int, np.ndarray]] = {p: {} for p in c["protocols"]}
    rows = []
    for L in c["sizes"]:
        conf = sample_configs(int(L), temps, int(c["chains"]), int(c["n_thermal"]), int(c["n_samples"]), int(c["every"]), rng)
        half = conf.shape[1] // 2                           # train on the first half of each temperature's samples
        for protocol in c["protocols"]:
            if protocol == "far":
                train_mask = (temps < c["train_low"]) | (temps > c["train_high"])
            elif protocol == "paper":
                train_mask = np.ones(len(temps), bool)
            else:
                raise ValueError(f"ising-phases: unknown protocol {protocol!r} (use 'far' or 'paper')")
            Xtr = conf[train_mask, :half].reshape(-1, L * L).astype(np.float32)
            ytr = np.repeat((temps[train_mask] > ising.T_CRITICAL).astype(np.float32), half)
            Xtr, ytr = np.concatenate([Xtr, -Xtr]), np.concatenate([ytr, ytr])   # the s -> -s symmetry as augmentation
            model = train_classifier(Xtr, ytr, int(c["hidden"]), int(c["epochs"]), float(c["lr"]), ctx.seed)
            with no_grad():
                X = from_numpy(conf[:, half:].reshape(-1, L * L).astype(np.float32))
                p = model(X).sigmoid().numpy().reshape(len(temps), -1).mean(1)
            results[protocol][L] = p
            t_star = crossing(temps, p)
            rows.append({"protocol": protocol, "L": L, "T_cross": t_star, "rel_err_vs_Tc": (t_star - ising.T_CRITICAL) / ising.T_CRITICAL})
            ctx.log(f"{protocol}, L={L}: output crosses 0.5 at T={t_star:.4f}")
    ctx.save_table(rows, "crossings")
    metrics: dict[str, Any] = {"Tc_exact": float(ising.T_CRITICAL)}
    for protocol in c["protocols"]:
        Ls = np.array([r["L"] for r in rows if r["protocol"] == protocol], np.float64)
        Ts = np.array([r["T_cross"] for r in rows if r["protocol"] == protocol])
        slope, intercept = _extrapolate(Ls, Ts)
        rel = (intercept - ising.T_CRITICAL) / ising.T_CRITICAL
        metrics[protocol] = {"T_cross": {str(int(L)): float(t) for L, t in zip(Ls, Ts)}, "Tc_extrapolated": intercept,
                             "Tc_rel_error": float(rel), "within_1pct": bool(abs(rel) < 0.01), "fss_slope": slope}
        _figure(ctx, temps, results[protocol], Ls, Ts, slope, intercept, protocol)
    return metrics


def _figure(ctx: RunContext, temps: np.ndarray, results: dict[int, np.ndarray], Ls: np.ndarray, Ts: np.ndarray,
            slope: float, intercept: float, protocol: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    ax = fig.add_subplot(1, 2, 1)
    for L, p in results.items():
        ax.plot(temps, p, "o-", ms=3, label=f"L = {L}")
    ax.axhline(0.5, color="k", lw=0.8)
    ax.axvline(ising.T_CRITICAL, color="k", ls="--", lw=0.8, label="Onsager T_c")
    ax.set_xlabel("T")
    ax.set_ylabel("network output (P disordered)")
    ax.legend(fontsize=8)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(1 / Ls, Ts, "o", label="crossing T*(L)")
    xs = np.linspace(0, 1 / Ls.min(), 10)
    ax2.plot(xs, intercept + slope * xs, "-", label=f"fit: T_c(∞) = {intercept:.4f}")
    ax2.axhline(ising.T_CRITICAL, color="k", ls="--", lw=0.8, label="2.2692")
    ax2.set_xlabel("1 / L")
    ax2.set_ylabel("T*")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    ax.set_title(f"training protocol: {protocol}", fontsize=9)
    ctx.save_figure(fig, f"output_vs_T_{protocol}.png")
