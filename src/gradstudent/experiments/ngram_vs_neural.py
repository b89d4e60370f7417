"""ngram-vs-neural: the classical n-gram language model against neural ones.

Character n-grams of order 1..8 with two kinds of smoothing (add-k and
interpolated Kneser-Ney): perplexity first falls with the order (more context),
then rises again for add-k (the counts get too sparse), while Kneser-Ney's
backoff keeps it improving slowly. An LSTM and a small GPT, trained for the
same short wall-clock budget each, are drawn as horizontal lines.
"""

from __future__ import annotations

from typing import Any

from ..random import manual_seed
from ._lm_common import LM_DEFAULTS, best_ngram, load_char_data, train_lms
from .registry import RunContext, experiment


@experiment(
    "ngram-vs-neural",
    "Add-k and Kneser-Ney character n-grams (orders 1-8) vs an LSTM and a GPT: validation perplexity",
    seconds=60, **LM_DEFAULTS,
)
def run(ctx: RunContext) -> dict[str, Any]:
    manual_seed(ctx.seed)
    data = load_char_data(ctx.config["corpus"], ctx.seed, ctx.config["split"])
    order, kn_best, rows = best_ngram(data)
    ctx.save_table(rows, "ngram")
    trained = train_lms(ctx, ["lstm", "gpt"], data, float(ctx.config["seconds"]), ctx.config)
    neural = {k: t.metrics for k, t in trained.items()}
    ctx.save_table([{"model": k.upper(), **r} for k, r in neural.items()], "neural")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    orders = [r["order"] for r in rows]
    ax.semilogy(orders, [r["add_k_val_ppl"] for r in rows], "o-", label="n-gram, add-k (k=0.05)")
    ax.semilogy(orders, [r["kneser_ney_val_ppl"] for r in rows], "s-", label="n-gram, Kneser-Ney")
    for (k, r), style in zip(neural.items(), ("--", ":")):
        ax.axhline(r["val_ppl"], ls=style, color="k" if k == "gpt" else "C3", label=f"{k.upper()} ({r['train_seconds']:.0f} s training)")
    ax.set_xlabel("n-gram order (context = order - 1 characters)")
    ax.set_ylabel("validation perplexity per character")
    ax.legend()
    ctx.save_figure(fig, "perplexity_vs_order.png")
    return {"kneser_ney_best_ppl": kn_best, "kneser_ney_best_order": order, **{f"{k}_val_ppl": r["val_ppl"] for k, r in neural.items()}}
