"""seq2seq-attention: translate spelled-out dates into ISO dates with an attention encoder-decoder.

    "the twenty third of november two thousand twenty six"  ->  "2026-11-23"

The source is a sequence of words, the target a sequence of characters. The
decoder learns *where to look*: while writing the year digits it attends to the
year words, for the month digits to the month name, for the day to the ordinal.
The attention heat map shows this alignment, learned without ever being told.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import gradstudent as gs
from .. import nn, optim
from ..models.seq2seq import Seq2Seq
from .registry import RunContext, experiment

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINAL_ONES = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
ORDINAL_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
TGT_CHARS = ["<pad>", "<bos>", "<eos>"] + list("0123456789-")


def number_words(n: int) -> str:
    """1..99 in words: 7 -> "seven", 42 -> "forty two"."""
    if n < 10:
        return ONES[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])


def ordinal_words(n: int) -> str:
    """1..31 as an ordinal: 23 -> "twenty third", 30 -> "thirtieth"."""
    if n < 10:
        return ORDINAL_ONES[n]
    if n < 20:
        return ORDINAL_TEENS[n - 10]
    if n % 10 == 0:
        return TENS[n // 10][:-1] + "ieth"
    return TENS[n // 10] + " " + ORDINAL_ONES[n % 10]


def year_words(y: int) -> str:
    """1900..2099: 1984 -> "nineteen eighty four", 1905 -> "nineteen oh five", 2026 -> "two thousand twenty six"."""
    rest = y % 100
    if y < 2000:
        return "nineteen " + ("hundred" if rest == 0 else "oh " + ONES[rest] if rest < 10 else number_words(rest))
    return "two thousand" + ("" if rest == 0 else " " + number_words(rest))


def spell_date(y: int, m: int, d: int, style: int) -> str:
    day, month, year = ordinal_words(d), MONTHS[m - 1], year_words(y)
    return [f"{day} of {month} {year}", f"the {day} of {month} {year}", f"{month} {day} {year}", f"{month} the {day} {year}"][style]


def make_dates(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """``n`` random (spelled-out, ISO) pairs between 1900 and 2099, in one of four word orders."""
    out = []
    for _ in range(n):
        y, m = int(rng.integers(1900, 2100)), int(rng.integers(1, 13))
        d = int(rng.integers(1, DAYS_IN_MONTH[m - 1] + 1))
        out.append((spell_date(y, m, d, int(rng.integers(4))), f"{y:04d}-{m:02d}-{d:02d}"))
    return out


def source_vocab() -> list[str]:
    words = {"<pad>", "of", "the", "hundred", "thousand", "oh"} | set(MONTHS) | set(ONES[1:]) | set(TEENS) | set(TENS[2:])
    words |= set(ORDINAL_ONES[1:]) | set(ORDINAL_TEENS) | {t[:-1] + "ieth" for t in TENS[2:4]}
    return ["<pad>"] + sorted(words - {"<pad>"})


def encode_pairs(pairs: list[tuple[str, str]], stoi: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Source word ids padded with 0 (B, S); target (B, 12) = <bos> + 10 characters + <eos>."""
    src_len = max(len(s.split()) for s, _ in pairs)
    src = np.zeros((len(pairs), src_len), dtype=np.int64)
    tgt = np.zeros((len(pairs), 12), dtype=np.int64)
    for i, (s, t) in enumerate(pairs):
        words = [stoi[w] for w in s.split()]
        src[i, : len(words)] = words
        tgt[i] = [1] + [TGT_CHARS.index(c) for c in t] + [2]
    return src, tgt


def attention_figure(words: list[str], out_chars: str, attn: np.ndarray, title: str) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.0 + 0.55 * len(words), 1.0 + 0.42 * len(out_chars)))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(attn[: len(out_chars), : len(words)], cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(words)), words, rotation=60, ha="right")
    ax.set_yticks(range(len(out_chars)), list(out_chars))
    ax.set_xlabel("source word")
    ax.set_ylabel("output character")
    ax.set_title(title, fontsize=9)
    return fig


@experiment(
    "seq2seq-attention",
    "Encoder-decoder with Bahdanau attention: spelled-out dates -> ISO dates, exact-match accuracy and an attention heat map",
    epochs=3, lr=3e-3, batch_size=64, n_train=4000, n_test=1000, hidden=128,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    rng = np.random.default_rng(ctx.seed)
    from ..random import manual_seed

    manual_seed(ctx.seed)
    vocab = source_vocab()
    stoi = {w: i for i, w in enumerate(vocab)}
    train_pairs, test_pairs = make_dates(cfg["n_train"], rng), make_dates(cfg["n_test"], np.random.default_rng(ctx.seed + 1))
    src_tr, tgt_tr = encode_pairs(train_pairs, stoi)
    src_te, tgt_te = encode_pairs(test_pairs, stoi)
    model = Seq2Seq(len(vocab), len(TGT_CHARS), hidden=cfg["hidden"])
    optimizer = optim.Adam(model.parameters(), lr=cfg["lr"])
    ctx.log(f"{len(train_pairs)} training pairs, e.g. {train_pairs[0][0]!r} -> {train_pairs[0][1]!r}; source vocabulary {len(vocab)} words")

    def exact_match(src: np.ndarray, tgt: np.ndarray) -> float:
        tokens, _ = model.greedy_decode(gs.from_numpy(src), 11)
        return float((tokens[:, :10] == tgt[:, 1:11]).all(1).mean())

    start = time.perf_counter()
    bs = cfg["batch_size"]
    for epoch in ctx.epochs(model, optimizer):
        order = np.random.default_rng(ctx.seed + 100 + epoch).permutation(len(src_tr))
        total = 0.0
        for b in ctx.progress(range(0, len(order), bs), desc="train"):
            i = order[b : b + bs]
            src, tgt = gs.from_numpy(src_tr[i]), tgt_tr[i]
            optimizer.zero_grad()
            logits = model(src, gs.from_numpy(tgt[:, :-1]))  # teacher forcing
            loss = nn.functional.cross_entropy(logits.reshape(-1, len(TGT_CHARS)), gs.from_numpy(tgt[:, 1:].reshape(-1)))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(i)
        ctx.log_metrics(epoch, train_loss=total / len(order), test_exact_match=exact_match(src_te[:500], tgt_te[:500]))

    acc = exact_match(src_te, tgt_te)
    tokens, attn = model.greedy_decode(gs.from_numpy(src_te[:6]), 11)
    rows = []
    for k in range(6):
        pred = "".join(TGT_CHARS[t] for t in tokens[k, :10])
        rows.append({"source": test_pairs[k][0], "target": test_pairs[k][1], "prediction": pred, "correct": pred == test_pairs[k][1]})
    ctx.save_table(rows, "examples")
    words = test_pairs[0][0].split()
    pred = "".join(TGT_CHARS[t] for t in tokens[0, :10])
    ctx.save_figure(attention_figure(words, pred, attn[0], f"attention: '{test_pairs[0][0]}' -> {pred}"), "attention.png")
    return {"test_exact_match": acc, "train_seconds": time.perf_counter() - start}
