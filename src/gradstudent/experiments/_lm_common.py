"""Shared pieces of the character language-model experiments (char-lstm, char-gpt, ngram-vs-neural).

Data: a corpus (offline KJV poetry by default, ``corpus=tiny-shakespeare`` to download),
character tokens, a random 10% of 2000-character blocks held out for validation
(``split=tail``: the last 10%, as char-rnn does; unseen books, harder for every model).
Training: random windows, a wall-clock budget split into ``epochs`` rounds (a
checkpoint and a validation estimate on the first quarter of the validation text after
each); the learning rate follows a cosine from its peak down to 10% over the budget (plus
a warm-up for the GPT). With ``early_stopping`` (the default) each model ends with the
weights of its round with the best estimate: on this small corpus a long budget means many
passes over the text, and both networks overfit (validation is used for this choice just as
it picks the n-gram's order). Batch 16 (not the benchmarks' 32) because at these budgets more,
smaller steps help both networks (120 s: LSTM 3.19 -> 3.09, GPT 3.35 -> 3.26);
``gpt_batch_size`` / ``lstm_batch_size`` (``--set``) override ``batch_size`` for one model.
Evaluation, per character, on the whole validation text:

* LSTM: the validation blocks as 16 long streams, hidden state carried along;
* GPT: windows of ``block_size`` every block_size/4 characters, scoring only the last quarter
  of each window (so every scored character sees >= 3/4 block_size of context);
* n-gram: the validation ids directly (Kneser-Ney, best order chosen on validation).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..models.gpt import GPT
from ..models.sequence import CharLSTM
from ..text import CharTokenizer, NGramLM, load_corpus, random_windows, split_ids
from .registry import RunContext


@dataclass
class CharData:
    tok: CharTokenizer
    train: np.ndarray
    val: np.ndarray


@dataclass
class TrainedLM:
    """A model after ``train_lms``: its final metrics and its learning curve (one point per round)."""

    model: nn.Module
    metrics: dict[str, float]  # val_ppl (whole validation text), steps, train_seconds, parameters
    curve: list[dict[str, float]]  # per round: seconds and steps so far, val_ppl_estimate


def load_char_data(corpus: str, seed: int = 0, split: str = "tail") -> CharData:
    """``split="tail"``: the last 10% is validation (as char-rnn/nanoGPT do: unseen text, here the
    Song of Solomon and the end of Ecclesiastes); ``"blocks"``: random 10% of 2000-char blocks."""
    text = load_corpus(corpus)
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    if split == "tail":
        cut = int(0.9 * len(ids))
        return CharData(tok, ids[:cut], ids[cut:])
    train, val = split_ids(ids, 0.1, block=2000, seed=seed)
    return CharData(tok, train, val)


def _nll_sum(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@no_grad()
def lstm_val_ppl(model: CharLSTM, ids: np.ndarray, streams: int = 16, chunk: int = 256) -> float:
    model.eval()
    per = len(ids) // streams
    s = ids[: streams * per].reshape(streams, per)
    state, total, count = None, 0.0, 0
    for a in range(0, per - 1, chunk):
        x = s[:, a : min(a + chunk, per - 1)]
        y = s[:, a + 1 : a + 1 + x.shape[1]]
        logits, state = model(gs.from_numpy(x), state)
        total += float(_nll_sum(logits._data, y).sum())
        count += y.size
    model.train()
    return float(np.exp(total / count))


@no_grad()
def gpt_val_ppl(model: GPT, ids: np.ndarray, batch: int = 256, stride: int | None = None) -> float:
    """Windows of block_size L every ``stride`` (L/4) characters; each window scores only its last
    ``stride`` predictions (the first window all of them), so every scored character sees at least
    L - stride characters of context and each is scored once."""
    model.eval()
    L = model.block_size
    stride = stride or max(L // 4, 1)
    starts = np.arange(0, len(ids) - L - 1, stride)
    total, count = 0.0, 0
    for b in range(0, len(starts), batch):
        st = starts[b : b + batch]
        idx = st[:, None] + np.arange(L)
        nll = _nll_sum(model(gs.from_numpy(ids[idx]))._data, ids[idx + 1])
        scored = np.arange(L)[None, :] >= np.where(st == 0, 0, L - stride)[:, None]
        total += float(nll[scored].sum())
        count += int(scored.sum())
    model.train()
    return float(np.exp(total / count))


def best_ngram(data: CharData, orders: range = range(1, 9)) -> tuple[int, float, list[dict[str, Any]]]:
    """Fit Kneser-Ney and add-k n-grams of each order; return (best KN order, its ppl, table rows)."""
    rows = []
    for n in orders:
        kn = NGramLM(n, data.tok.vocab_size).fit(data.train).perplexity(data.val)
        ak = NGramLM(n, data.tok.vocab_size, "add_k", k=0.05).fit(data.train).perplexity(data.val)
        rows.append({"order": n, "kneser_ney_val_ppl": kn, "add_k_val_ppl": ak})
    best = min(rows, key=lambda r: r["kneser_ney_val_ppl"])
    return int(best["order"]), float(best["kneser_ney_val_ppl"]), rows


def make_model(kind: str, vocab: int, cfg: dict[str, Any]) -> nn.Module:
    if kind == "lstm":
        return CharLSTM(vocab, 64, cfg["lstm_hidden"], dropout=cfg.get("lstm_dropout", 0.0))
    return GPT(
        vocab, cfg["block_size"], n_layer=cfg["gpt_layers"], n_head=4, d_model=cfg["gpt_d"],
        dropout=cfg.get("gpt_dropout", 0.0), activation=cfg.get("gpt_activation", "gelu"),
    )


def make_optimizer(kind: str, model: nn.Module, cfg: dict[str, Any]) -> Any:
    if kind == "lstm":
        return optim.Adam(model.parameters(), lr=cfg["lstm_lr"])
    return optim.AdamW(model.parameters(), lr=cfg["gpt_lr"], betas=(0.9, cfg.get("gpt_beta2", 0.999)), weight_decay=0.01)


def _lr_factor(kind: str, step: int, progress: float) -> float:
    """Cosine decay to 10% over the time budget (progress in [0, 1]); the GPT also warms up linearly."""
    warm = min(1.0, (step + 1) / 100) if kind == "gpt" else 1.0  # attention models dislike a large first step
    return warm * (0.1 + 0.45 * (1.0 + math.cos(math.pi * min(progress, 1.0))))


def _train_for(
    kind: str, model: nn.Module, opt: Any, data: CharData, seconds: float, cfg: dict[str, Any], rng: np.random.Generator,
    steps: int, used: float, budget: float,
) -> tuple[int, float, float]:
    """Train for ``seconds`` of wall-clock time; returns (total steps so far, mean loss, seconds used)."""
    base_lr, L = cfg[f"{kind}_lr"], cfg["block_size"]
    t0, total, n = time.perf_counter(), 0.0, 0
    while time.perf_counter() - t0 < seconds:
        x, y = random_windows(data.train, cfg.get(f"{kind}_batch_size") or cfg["batch_size"], L, rng)
        factor = _lr_factor(kind, steps, (used + time.perf_counter() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = base_lr * factor
        opt.zero_grad()
        out = model(gs.from_numpy(x))
        logits = out[0] if kind == "lstm" else out
        loss = nn.functional.cross_entropy(logits.reshape(-1, data.tok.vocab_size), gs.from_numpy(y.reshape(-1)))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        steps, total, n = steps + 1, total + loss.item(), n + 1
    return steps, total / max(n, 1), time.perf_counter() - t0


def train_lms(ctx: RunContext, kinds: list[str], data: CharData, seconds: float, cfg: dict[str, Any]) -> dict[str, TrainedLM]:
    """Train each of ``kinds`` ("lstm", "gpt") for the same ``seconds`` of wall-clock time.

    The budget is split into ``epochs`` rounds; in each round every model trains for
    its share in turn, so machine load affects them alike. A checkpoint after each round.
    """
    models = {k: make_model(k, data.tok.vocab_size, cfg) for k in kinds}
    opts = {k: make_optimizer(k, m, cfg) for k, m in models.items()}
    rngs = {k: np.random.default_rng(ctx.seed + i) for i, k in enumerate(kinds)}
    holder = nn.ModuleList(list(models.values()))
    # One BLAS thread by default: on a shared 2-core machine a multi-threaded small GEMM stalls
    # whenever the other core is busy, which would make "equal wall-clock time" meaningless.
    from threadpoolctl import threadpool_limits

    limit = threadpool_limits(int(cfg.get("blas_threads", 1)), user_api="blas")
    try:
        return _train_rounds(ctx, models, opts, rngs, data, seconds, cfg, holder)
    finally:
        limit.restore_original_limits()


def _train_rounds(
    ctx: RunContext, models: dict[str, nn.Module], opts: dict[str, Any], rngs: dict[str, np.random.Generator],
    data: CharData, seconds: float, cfg: dict[str, Any], holder: nn.Module,
) -> dict[str, TrainedLM]:
    kinds = list(models)
    steps = dict.fromkeys(kinds, 0)
    used = dict.fromkeys(kinds, 0.0)
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    curves: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    per_round = seconds / int(ctx.config["epochs"])
    sub = data.val[: len(data.val) // 4]  # a quick estimate each round; the full set at the end
    for epoch in ctx.epochs(holder, list(opts.values())):
        metrics = {}
        for k, m in models.items():
            steps[k], loss, dt = _train_for(k, m, opts[k], data, per_round, cfg, rngs[k], steps[k], used[k], seconds)
            used[k] += dt
            evaluate = lstm_val_ppl if k == "lstm" else gpt_val_ppl
            estimate = evaluate(m, sub)
            metrics.update({f"{k}_train_loss": loss, f"{k}_val_ppl_estimate": estimate, f"{k}_steps": steps[k]})
            curves[k].append({"seconds": used[k], "steps": steps[k], "val_ppl_estimate": estimate})
            if cfg.get("early_stopping", True) and (k not in best or estimate < best[k][0]):
                best[k] = (estimate, {name: t._data.copy() for name, t in m.state_dict().items()})
        ctx.log_metrics(epoch, **metrics)
    out = {}
    for k, m in models.items():
        if k in best:  # early stopping: the weights of the round with the best validation estimate
            m.load_state_dict({name: gs.from_numpy(a) for name, a in best[k][1].items()})
        evaluate = lstm_val_ppl if k == "lstm" else gpt_val_ppl
        final = {"val_ppl": evaluate(m, data.val), "steps": steps[k], "train_seconds": used[k], "parameters": sum(p.numel() for p in m.parameters())}
        out[k] = TrainedLM(m, final, curves[k])
    return out


def sample_text(model: nn.Module, data: CharData, prompt: str, n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    ids = data.tok.encode(prompt)
    if isinstance(model, CharLSTM):
        out = model.generate(ids, n, temperature=0.8, rng=rng)
    else:
        out = model.generate(ids[None], n, temperature=0.8, rng=rng)[0, len(ids) :]
    return prompt + data.tok.decode(out)


LM_DEFAULTS = dict(
    corpus="kjv-poetry", epochs=3, batch_size=16, block_size=64,
    split="blocks", lstm_hidden=256, lstm_lr=3e-3, gpt_d=128, gpt_layers=2, gpt_lr=3e-3, gpt_beta2=0.999, gpt_dropout=0.0, lstm_dropout=0.0, gpt_activation="gelu_tanh", blas_threads=1, early_stopping=True,
)
