"""char-gpt: a small GPT against the LSTM and the n-gram baseline at equal training time.

GPT: token + position embeddings, 2 pre-LayerNorm blocks with 4-head causal
self-attention and a GELU MLP, final LayerNorm, linear head (the W5 benchmark's
shapes). The LSTM gets exactly the same wall-clock budget (the rounds alternate,
so machine load hits both alike); the n-gram is interpolated Kneser-Ney with the
order chosen on validation. The table compares validation perplexity per character;
``learning_curves.png`` draws each network's validation estimate after every round
against its training seconds.

Measured results and every setting tried: ``docs/measurements/char-gpt.md``. Reproduce the long
run with ``--set seconds=1800 --set epochs=12 --set split=tail --set gpt_dropout=0.1 --set
lstm_dropout=0.2`` (an hour per model pair), or try ``--set corpus=tiny-shakespeare`` (a download).
"""

from __future__ import annotations

from typing import Any

from ..random import manual_seed
from ._lm_common import LM_DEFAULTS, TrainedLM, best_ngram, load_char_data, sample_text, train_lms
from .registry import RunContext, experiment


@experiment(
    "char-gpt",
    "GPT-style char model vs char LSTM vs Kneser-Ney n-gram at equal training time (validation perplexity table and learning curves)",
    seconds=120, **{**LM_DEFAULTS, "epochs": 6},
)
def run(ctx: RunContext) -> dict[str, Any]:
    manual_seed(ctx.seed)
    data = load_char_data(ctx.config["corpus"], ctx.seed, ctx.config["split"])
    order, ngram_ppl, _ = best_ngram(data)
    trained = train_lms(ctx, ["gpt", "lstm"], data, float(ctx.config["seconds"]), ctx.config)
    gpt, lstm = trained["gpt"], trained["lstm"]
    rows = [
        {"model": f"GPT ({ctx.config['gpt_layers']} blocks, d={ctx.config['gpt_d']})", **gpt.metrics},
        {"model": f"LSTM (hidden {ctx.config['lstm_hidden']})", **lstm.metrics},
        {"model": f"Kneser-Ney {order}-gram (best order)", "val_ppl": ngram_ppl, "steps": 0, "train_seconds": 0.0, "parameters": 0},
    ]
    ctx.save_table(rows, "perplexity")
    ctx.save_table([{"model": k, **point} for k, t in trained.items() for point in t.curve], "learning_curves")
    _plot_curves(ctx, trained, order, ngram_ppl)
    sample = sample_text(gpt.model, data, "The LORD ", 300, ctx.seed)
    (ctx.out / "samples.txt").write_text(sample)
    ctx.log("GPT sample: " + sample.replace("\n", " / "))
    g, l = gpt.metrics["val_ppl"], lstm.metrics["val_ppl"]
    return {"gpt_val_ppl": g, "lstm_val_ppl": l, "ngram_val_ppl": ngram_ppl, "ngram_order": order, "gpt_beats_both": float(g < min(l, ngram_ppl))}


def _plot_curves(ctx: RunContext, trained: dict[str, TrainedLM], order: int, ngram_ppl: float) -> None:
    """Validation-perplexity estimate after each round against training seconds, one line per network."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    for (name, t), marker in zip(trained.items(), ("o", "s")):
        ax.plot([p["seconds"] for p in t.curve], [p["val_ppl_estimate"] for p in t.curve], marker + "-", label=f"{name.upper()} ({t.metrics['steps']} steps)")
    ax.axhline(ngram_ppl, ls="--", color="k", label=f"Kneser-Ney {order}-gram (no training loop)")
    ax.set_xlabel("training time (s, one BLAS thread)")
    ax.set_ylabel("validation perplexity (estimate on 1/4 of the text)")
    ax.set_title("equal wall-clock time: GPT vs LSTM vs n-gram")
    ax.legend()
    ctx.save_figure(fig, "learning_curves.png")
