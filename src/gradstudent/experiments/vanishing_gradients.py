"""vanishing-gradients: how far back can a recurrent network's gradient reach?

Backpropagation through time multiplies one Jacobian per step::

    dL/dh[t] = dL/dh[T] * prod_{k=t+1..T} dh[k]/dh[k-1]

For a vanilla RNN each factor is diag(tanh') W_hh, so the product shrinks (or
grows) geometrically with the distance T - t, depending on W_hh's spectral
radius. The GRU and LSTM add a gated, *additive* path (c[t] = f * c[t-1] + ...):
when the forget gate is near 1 the gradient passes almost unchanged.

We feed random sequences, take a loss on the last hidden state only, and plot
||dL/dx[t]|| against the distance T - t. At PyTorch's default initialisation the
gates sit near sigmoid(0) = 0.5, so the gated path halves the gradient per step
and all three networks forget quickly. Biasing the LSTM's forget gate (or the
GRU's update gate) towards "keep" (+3, i.e. a gate near 0.95, the usual
forget-bias trick) opens the additive path and the gradient reaches far back;
no bias can do that for the vanilla RNN. A last panel rescales a vanilla RNN's
W_hh to spectral radius 0.5 ... 1.5: vanishing below 1, saturating above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn
from ..autograd.grad_mode import no_grad
from ..random import manual_seed
from ..tensor import Tensor
from .registry import RunContext, experiment


def input_gradient_norms(model: nn.Module, kind: str, T: int, batch: int, in_size: int, rng: np.random.Generator) -> np.ndarray:
    """Mean over the batch of ||dL/dx[t]|| for L = w . h[T], as a function of t (length T)."""
    model = model.double()  # float64: float32 would underflow to exactly 0 after ~120 halvings
    x = Tensor(rng.standard_normal((T, batch, in_size)), requires_grad=True)
    out, state = model(x)
    h_last = state[0][-1] if kind == "LSTM" else state[-1]
    w = gs.from_numpy(rng.standard_normal(h_last.shape))
    (h_last * w).sum().backward()
    return np.linalg.norm(x.grad._data, axis=2).mean(axis=1)


def with_keep_bias(model: nn.Module, kind: str, bias: float) -> nn.Module:
    """Set the forget gate (LSTM, gates i|f|g|o) or update gate (GRU, gates r|z|n) bias to ``bias``."""
    H = model.hidden_size
    with no_grad():
        model.bias_ih_l0._data[H : 2 * H] = bias
        model.bias_hh_l0._data[H : 2 * H] = 0.0
    return model


def with_spectral_radius(model: nn.RNN, radius: float) -> nn.RNN:
    """Rescale W_hh so its largest |eigenvalue| equals ``radius``."""
    w = model.weight_hh_l0
    with no_grad():
        current = np.abs(np.linalg.eigvals(w._data.astype(np.float64))).max()
        w._data[...] = (w._data * (radius / current)).astype(w.dtype)
    return model


@experiment(
    "vanishing-gradients",
    "Gradient norm vs time-step distance for a vanilla RNN, a GRU and an LSTM (BPTT through 150 steps)",
    steps=150, hidden=64, inputs=8, batch=32, repeats=5,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    T, H, I = cfg["steps"], cfg["hidden"], cfg["inputs"]
    rng = np.random.default_rng(ctx.seed)
    curves: dict[str, np.ndarray] = {}
    variants = [("RNN", None), ("GRU", None), ("LSTM", None), ("GRU", 3.0), ("LSTM", 3.0)]
    for kind, bias in variants:
        runs = []
        for r in range(cfg["repeats"]):
            manual_seed(ctx.seed + r)
            model = getattr(nn, kind)(I, H)
            if bias is not None:
                with_keep_bias(model, kind, bias)
            runs.append(input_gradient_norms(model, kind, T, cfg["batch"], I, rng))
        label = kind if bias is None else f"{kind}, {'forget' if kind == 'LSTM' else 'update'}-gate bias +{bias:g}"
        curves[label] = np.mean(runs, axis=0)[::-1]  # index = distance T - 1 - t from the loss
    radii = (0.5, 0.9, 1.1, 1.5)
    rnn_curves = {}
    for radius in radii:
        manual_seed(ctx.seed)
        rnn_curves[radius] = input_gradient_norms(with_spectral_radius(nn.RNN(I, H), radius), "RNN", T, cfg["batch"], I, rng)[::-1]

    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.2))
    dist = np.arange(T)
    panels = [("default initialisation (gates near 0.5)", lambda k: "bias" not in k), ("gates biased to keep (+3)", lambda k: k == "RNN" or "bias" in k)]
    for i, (title, keep) in enumerate(panels):
        ax = fig.add_subplot(1, 3, i + 1)
        for label, c in curves.items():
            if keep(label):
                ax.semilogy(dist, c, label=label)
        ax.set_xlabel("distance T - t (time steps back from the loss)")
        ax.set_ylabel("mean ||dL/dx[t]||" if i == 0 else "")
        ax.set_title(title)
        ax.legend(fontsize=8)
    ax2 = fig.add_subplot(1, 3, 3)
    for radius, c in rnn_curves.items():
        ax2.semilogy(dist, c, label=f"spectral radius {radius}")
    ax2.set_xlabel("distance T - t")
    ax2.set_title("vanilla tanh RNN, W_hh rescaled")
    ax2.legend(fontsize=8)
    ctx.save_figure(fig, "gradient_vs_distance.png")

    rows = []
    for name, c in list(curves.items()) + [(f"RNN radius {r}", c) for r, c in rnn_curves.items()]:
        row = {"model": name, "norm at distance 0": float(c[0])}
        for d in sorted({min(10, T - 1), min(50, T - 1), min(100, T - 1)}):
            row[f"ratio d={d}"] = float(c[d] / c[0])
        rows.append(row)
    ctx.save_table(rows, "decay")
    names = {"RNN": "rnn", "GRU": "gru", "LSTM": "lstm", "GRU, update-gate bias +3": "gru_keep", "LSTM, forget-gate bias +3": "lstm_keep"}
    d = min(50, T - 1)
    return {f"{names[k]}_ratio_d{d}": float(c[d] / c[0]) for k, c in curves.items()}
