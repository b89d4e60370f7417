"""char-lstm: a character-level LSTM language model.

Embedding(V, 64) -> LSTM(64 -> 256) -> Linear(256 -> V), trained on random
64-character windows to predict every next character (the W4 benchmark's
shapes). We report validation perplexity per character (hidden state carried
through long validation streams) and samples at temperature 0.8.
"""

from __future__ import annotations

from typing import Any

from ..random import manual_seed
from ._lm_common import LM_DEFAULTS, load_char_data, sample_text, train_lms
from .registry import RunContext, experiment


@experiment("char-lstm", "Character LSTM language model on the offline corpus: validation perplexity and samples", seconds=120, **LM_DEFAULTS)
def run(ctx: RunContext) -> dict[str, Any]:
    manual_seed(ctx.seed)
    data = load_char_data(ctx.config["corpus"], ctx.seed, ctx.config["split"])
    ctx.log(f"corpus {ctx.config['corpus']}: {len(data.train)} training / {len(data.val)} validation characters, vocabulary {data.tok.vocab_size}")
    trained = train_lms(ctx, ["lstm"], data, float(ctx.config["seconds"]), ctx.config)["lstm"]
    model, res = trained.model, trained.metrics
    ctx.log(f"LSTM: {res['steps']} steps in {res['train_seconds']:.0f} s, validation perplexity {res['val_ppl']:.3f}")
    samples = [sample_text(model, data, p, 240, ctx.seed + i) for i, p in enumerate(["The LORD ", "My son, ", "\n"])]
    (ctx.out / "samples.txt").write_text("\n\n---\n\n".join(samples))
    for s in samples:
        ctx.log("sample: " + s.replace("\n", " / "))
    return {"val_ppl": res["val_ppl"], "steps": res["steps"], "train_seconds": res["train_seconds"]}
