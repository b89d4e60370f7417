"""ising-generative: an autoregressive model of Ising configurations, checked against Monte Carlo.

At each temperature T (below, near and above T_c) a MADE-based autoregressive model q(s) of the
L×L configurations (:class:`gradstudent.physics.autoregressive.AutoregressiveIsing`) is fitted to
p(s) = e^{-E(s)/T} / Z, either

  * ``method="mle"``: by maximum likelihood on Swendsen–Wang Monte Carlo samples, or
  * ``method="van"``: variationally, with no data, minimising F_q = E_q[E + T log q] by REINFORCE
    (Wu, Wang & Zhang, PRL 2019), with β annealed from 0 as in the paper.

Then n exact samples are drawn from q and compared with an independent Monte Carlo run: histograms
of the energy and of |m| (total-variation distance on their exact discrete supports, next to the
distance between two Monte Carlo runs of the same sizes, the noise floor), ⟨e⟩ and ⟨|m|⟩ with error
bars, and — because q has an exact density and Kaufman's log Z is exact for a finite periodic
lattice — the variational free energy F_q ≥ F and KL(q‖p) = (F_q - F)/T per spin, plus the effective
sample size of importance weights p/q (how close q is to p for reweighting).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from .. import nn, optim
from ..autograd import no_grad
from ..creation import from_numpy
from ..physics import ising
from ..physics.autoregressive import AutoregressiveIsing, variational_loss
from .registry import RunContext, experiment


def mc_configs(L: int, T: float, chains: int, n: int, thermal: int, every: int, seed: int) -> np.ndarray:
    """Swendsen–Wang configurations (chains, n, L, L) at T, ``every`` sweeps apart."""
    s = ising.simulate(L, T, n, thermal, chains=chains, method="swendsen-wang", seed=seed, keep_configs=True, every=every)
    assert s.configs is not None
    return s.configs


def histograms(spins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts of E on its support -2N, -2N+4, ..., 2N and of |M| on 0, 1, ..., N (N = L²)."""
    N = spins.shape[-1] * spins.shape[-2]
    E = ising.energy(spins).ravel()
    M = np.abs(ising.magnetization(spins)).ravel()
    return (np.bincount(np.round((E + 2 * N) / 4).astype(int), minlength=N + 1),
            np.bincount(np.round(M).astype(int), minlength=N + 1))


def total_variation(a: np.ndarray, b: np.ndarray) -> float:
    """½ Σ |p - q| between two histograms (counts) on the same support."""
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def exact_entropy_per_spin(L: int, T: float) -> float:
    """s = (u - f) / T per spin from Kaufman's exact log Z (u = -∂ log Z/∂β by a central difference)."""
    h = 1e-5
    beta = 1.0 / T
    dlogz = (ising.kaufman_log_partition(L, 1 / (beta + h)) - ising.kaufman_log_partition(L, 1 / (beta - h))) / (2 * h)
    u, f = -dlogz / L**2, -T * ising.kaufman_log_partition(L, T) / L**2
    return (u - f) / T


def _train_mle(ctx: RunContext, models: nn.ModuleList, opt: optim.Optimizer, train: list[np.ndarray], test: list[np.ndarray],
               temps: list[float]) -> None:
    """Minibatch Adam on -log q / N; per epoch, test NLL - exact entropy = KL(p‖q) per spin (± MC noise)."""
    bs = int(ctx.config["batch_size"])
    D, L = models[0].D, models[0].L
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=int(ctx.config["epochs"]))
    entropy = [exact_entropy_per_spin(L, T) for T in temps]
    for epoch in ctx.epochs(models, opt, sched):
        rng = np.random.default_rng([ctx.seed, epoch])        # reproducible across --resume
        row: dict[str, float] = {}
        for k, (model, X) in enumerate(zip(models, train)):
            total = 0.0
            for idx in np.array_split(rng.permutation(len(X)), max(1, len(X) // bs)):
                opt.zero_grad()
                loss = -model.log_prob(from_numpy(X[idx].astype(np.float32))).mean() / D
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            with no_grad():
                nll = -float(model.log_prob(from_numpy(test[k][:4000].astype(np.float32))).mean().item()) / D
            row[f"train_nll_T{k}"] = total / len(X)
            row[f"kl_p_q_T{k}"] = nll - entropy[k]
        sched.step()
        ctx.log_metrics(epoch, **row)


def _train_van(ctx: RunContext, models: nn.ModuleList, opt: optim.Optimizer, temps: list[float]) -> None:
    c = ctx.config
    steps, batch, anneal = int(c["van_steps"]), int(c["van_batch"]), float(c["van_anneal"])
    for epoch in ctx.epochs(models, opt):
        rng = np.random.default_rng([ctx.seed, epoch])
        row: dict[str, float] = {}
        for k, (module, T) in enumerate(zip(models, temps)):
            model = cast(AutoregressiveIsing, module)
            fs = []
            for j in range(steps):
                beta = (1.0 - anneal ** (epoch * steps + j + 1)) / T   # β annealed from 0 (Wu et al.)
                spins = model.sample(batch, rng)
                opt.zero_grad()
                loss, f = variational_loss(model, spins, beta)
                loss.backward()
                opt.step()
                fs.append(f.mean() / model.D)
            row[f"betaFq_per_spin_T{k}"] = float(np.mean(fs[-max(1, steps // 4):]))   # at the annealed β
            row[f"beta_over_target_T{k}"] = beta * T
        ctx.log_metrics(epoch, **row)


def reweighted_mean(values: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Self-normalised importance-sampling estimate Σ w v / Σ w of ⟨v⟩_p from draws of q, w ∝ p/q.

    Unbiased as n grows whatever q's errors are (where q > 0 wherever p > 0, true for this model);
    its standard error is about std_w(v) / sqrt(ESS), ESS = (Σ w)² / Σ w².
    """
    wn = w / w.sum()
    mean = float((wn * values).sum())
    ess = 1.0 / float((wn ** 2).sum())
    return mean, float(np.sqrt((wn * (values - mean) ** 2).sum() / ess))


def _compare(model: AutoregressiveIsing, T: float, mc_test: np.ndarray, mc_other: np.ndarray, n: int, rng: np.random.Generator) -> dict[str, Any]:
    """Model samples vs Monte Carlo: histograms, TV distances, means with errors, F_q, KL, ESS."""
    N = model.D
    q = model.sample(n, rng)
    with no_grad():
        log_q = model.log_prob(from_numpy(q.astype(np.float32))).numpy().astype(np.float64)
    E = ising.energy(q)
    logZ = ising.kaufman_log_partition(model.L, T)
    Fq = float(np.mean(E + T * log_q))                         # ≥ F = -T log Z
    log_w = -E / T - log_q                                     # importance weights p/q up to Z
    w = np.exp(log_w - log_w.max())
    hq, hmc, hother = histograms(q), histograms(mc_test), histograms(mc_other[: max(1, n // mc_other.shape[1]) + 1])
    e_mc, e_mc_err = ising.mean_and_error(ising.energy(mc_test) / N)
    m_mc, m_mc_err = ising.mean_and_error(np.abs(ising.magnetization(mc_test)) / N)
    e_q, m_q = E / N, np.abs(ising.magnetization(q)) / N
    e_rw, e_rw_err = reweighted_mean(e_q, w)
    m_rw, m_rw_err = reweighted_mean(m_q, w)
    return {
        "T": T, "tv_energy": total_variation(hq[0], hmc[0]), "tv_abs_m": total_variation(hq[1], hmc[1]),
        "tv_energy_mc_vs_mc": total_variation(hother[0], hmc[0]), "tv_abs_m_mc_vs_mc": total_variation(hother[1], hmc[1]),
        "energy_model": float(e_q.mean()), "energy_model_err": float(e_q.std() / np.sqrt(n)),
        "energy_mc": e_mc, "energy_mc_err": e_mc_err,
        "abs_m_model": float(m_q.mean()), "abs_m_model_err": float(m_q.std() / np.sqrt(n)),
        "abs_m_mc": m_mc, "abs_m_mc_err": m_mc_err,
        "energy_reweighted": e_rw, "energy_reweighted_err": e_rw_err, "abs_m_reweighted": m_rw, "abs_m_reweighted_err": m_rw_err,
        "F_exact_per_spin": -T * logZ / N, "Fq_per_spin": Fq / N, "KL_q_p_per_spin": (Fq / T + logZ) / N,
        "ess_fraction": float(w.sum() ** 2 / (w ** 2).sum() / n),
        "_hists": (hq, hmc),
    }


@experiment("ising-generative", "Autoregressive (MADE) model of 2-D Ising configurations below/near/above T_c, by maximum likelihood "
            "on Monte Carlo or variationally (VAN); exact samples vs Monte Carlo energy and |m| histograms, F_q vs Kaufman's exact F",
            L=8, temps=[1.8, 2.269, 3.0], method="mle", hidden=[1024], z2=True, epochs=12, batch_size=128, lr=1e-3,
            mc_chains=100, mc_samples=150, mc_every=2, mc_thermal=100, n_model=4000, van_steps=50, van_batch=500, van_anneal=0.998)
def run(ctx: RunContext) -> dict[str, Any]:
    import gradstudent as gs

    c = ctx.config
    L, temps = int(c["L"]), [float(t) for t in c["temps"]]
    if c["method"] not in ("mle", "van"):
        raise ValueError(f"ising-generative: method must be 'mle' or 'van', got {c['method']!r}")
    gs.manual_seed(ctx.seed)
    mc = [[mc_configs(L, T, int(c["mc_chains"]), int(c["mc_samples"]), int(c["mc_thermal"]), int(c["mc_every"]), ctx.seed * 1000 + 10 * k + part)
           for part in range(2)] for k, T in enumerate(temps)]        # [train run, independent test run] per temperature
    models = nn.ModuleList([AutoregressiveIsing(L, list(c["hidden"]), bool(c["z2"])) for _ in temps])
    opt = optim.Adam(models.parameters(), lr=float(c["lr"]))
    if c["method"] == "mle":
        train = [np.concatenate([m[0].reshape(-1, L, L), -m[0].reshape(-1, L, L)]) for m in mc]   # s → -s symmetry
        test = [m[1].reshape(-1, L, L) for m in mc]
        _train_mle(ctx, models, opt, train, test, temps)
    else:
        _train_van(ctx, models, opt, temps)
    rng = np.random.default_rng([ctx.seed, 10_000])
    rows = []
    for k, T in enumerate(temps):
        r = _compare(cast(AutoregressiveIsing, models[k]), T, mc[k][1], mc[k][0], int(c["n_model"]), rng)
        rows.append(r)
        ctx.log(f"T={T}: TV(E) {r['tv_energy']:.3f} (MC vs MC {r['tv_energy_mc_vs_mc']:.3f}), TV(|m|) {r['tv_abs_m']:.3f} "
                f"(MC vs MC {r['tv_abs_m_mc_vs_mc']:.3f}); <e> {r['energy_model']:.4f}±{r['energy_model_err']:.4f} vs MC "
                f"{r['energy_mc']:.4f}±{r['energy_mc_err']:.4f}; <|m|> {r['abs_m_model']:.4f} vs {r['abs_m_mc']:.4f}; "
                f"KL(q||p)/N {r['KL_q_p_per_spin']:.2e}, ESS {r['ess_fraction']:.2f}; reweighted <e> {r['energy_reweighted']:.4f}"
                f"±{r['energy_reweighted_err']:.4f}, <|m|> {r['abs_m_reweighted']:.4f}±{r['abs_m_reweighted_err']:.4f}")
    _figure(ctx, rows, L)
    table = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    ctx.save_table(table, "comparison")
    return {"L": L, "method": c["method"], "per_temperature": table,
            "max_tv_energy": max(r["tv_energy"] for r in rows), "max_tv_abs_m": max(r["tv_abs_m"] for r in rows)}


def _figure(ctx: RunContext, rows: list[dict[str, Any]], L: int) -> None:
    from matplotlib.figure import Figure

    N = L * L
    fig = Figure(figsize=(4 * len(rows), 6.4))
    e_axis, m_axis = (np.arange(N + 1) * 4 - 2 * N) / N, np.arange(N + 1) / N
    for k, r in enumerate(rows):
        hq, hmc = r["_hists"]
        for j, (axis, name) in enumerate(((e_axis, "energy per spin e"), (m_axis, "|m|"))):
            ax = fig.add_subplot(2, len(rows), j * len(rows) + k + 1)
            ok = (hq[j] + hmc[j]) > 0
            ax.step(axis[ok], hmc[j][ok] / hmc[j].sum(), where="mid", label="Monte Carlo (SW)")
            ax.step(axis[ok], hq[j][ok] / hq[j].sum(), where="mid", ls="--", label="autoregressive model")
            ax.set_xlabel(name)
            tv = r["tv_energy"] if j == 0 else r["tv_abs_m"]
            ax.set_title(f"T = {r['T']}: TV = {tv:.3f}", fontsize=9)
            if k == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.tight_layout()
    ctx.save_figure(fig, "histograms.png")
