"""Tokenizers: text <-> integer ids.

* :class:`CharTokenizer`: one id per distinct character (the vocabulary of char-level models).
* :class:`BPETokenizer`: byte-pair encoding on UTF-8 bytes (as GPT-2). It starts from the
  256 byte values, so *any* string round-trips, and learns ``merges``: repeatedly the most
  frequent adjacent pair of tokens in the training text becomes a new token. Frequent words
  end up as single tokens, rare words as a few pieces, and nothing is ever "unknown".
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

# GPT-2-style pre-split: words with their leading space, runs of punctuation, whitespace.
# Merges never cross these chunks, so "dog." and "dog" share the token for " dog".
_CHUNK = re.compile(r" ?[A-Za-z0-9_]+| ?[^\sA-Za-z0-9_]+|\s+(?!\S)|\s+")


class CharTokenizer:
    """Maps each character of the vocabulary to its index (sorted order)."""

    def __init__(self, chars: Iterable[str], unk: str | None = None) -> None:
        vocab = sorted(set(chars) | ({unk} if unk is not None else set()))
        self.itos: list[str] = vocab
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(vocab)}
        self.unk = unk

    @classmethod
    def from_text(cls, text: str, unk: str | None = None) -> CharTokenizer:
        return cls(set(text), unk)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> np.ndarray:
        """int64 array of ids; unknown characters map to ``unk`` or raise."""
        try:
            return np.fromiter((self.stoi[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as err:
            if self.unk is None:
                raise KeyError(f"CharTokenizer: character {err.args[0]!r} is not in the vocabulary (pass unk=... to map unknown characters)") from None
            u = self.stoi[self.unk]
            return np.array([self.stoi.get(c, u) for c in text], dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        return "".join(self.itos[int(i)] for i in np.asarray(ids).reshape(-1))

    def to_dict(self) -> dict:
        return {"type": "char", "vocab": self.itos, "unk": self.unk}

    @classmethod
    def from_dict(cls, d: dict) -> CharTokenizer:
        return cls(d["vocab"], d.get("unk"))


class BPETokenizer:
    """Byte-level byte-pair encoding: ``train(text, vocab_size)``, ``encode``, ``decode``."""

    def __init__(self, merges: Sequence[tuple[int, int]] = ()) -> None:
        self.merges: list[tuple[int, int]] = [tuple(m) for m in merges]  # type: ignore[misc]
        self._rebuild()

    def _rebuild(self) -> None:
        self.ranks = {pair: i for i, pair in enumerate(self.merges)}
        self.vocab: list[bytes] = [bytes([b]) for b in range(256)]
        for a, b in self.merges:
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return 256 + len(self.merges)

    # ---- training
    @classmethod
    def train(cls, text: str, vocab_size: int, min_frequency: int = 2) -> BPETokenizer:
        """Learn ``vocab_size - 256`` merges from ``text`` (fewer if no pair occurs ``min_frequency`` times).

        Works on the distinct chunks weighted by their counts, and updates the pair
        counts incrementally: a merge only touches the chunks that contain its pair.
        """
        if vocab_size < 256:
            raise ValueError(f"BPETokenizer.train: vocab_size must be at least 256 (the byte alphabet), got {vocab_size}")
        chunk_counts = Counter(_CHUNK.findall(text))
        words = [list(c.encode("utf-8")) for c in chunk_counts]
        freqs = list(chunk_counts.values())
        pair_counts: Counter[tuple[int, int]] = Counter()
        where: dict[tuple[int, int], set[int]] = defaultdict(set)  # pair -> chunks containing it
        for w, (word, f) in enumerate(zip(words, freqs)):
            for pair in zip(word, word[1:]):
                pair_counts[pair] += f
                where[pair].add(w)
        merges: list[tuple[int, int]] = []
        while 256 + len(merges) < vocab_size and pair_counts:
            best, count = max(pair_counts.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
            if count < min_frequency:
                break
            new_id = 256 + len(merges)
            merges.append(best)
            for w in list(where.pop(best, ())):
                word, f = words[w], freqs[w]
                for pair in zip(word, word[1:]):  # remove this chunk's old pairs ...
                    pair_counts[pair] -= f
                    if pair_counts[pair] <= 0:
                        del pair_counts[pair]
                words[w] = word = _merge(word, best, new_id)
                for pair in zip(word, word[1:]):  # ... and add its new ones
                    pair_counts[pair] += f
                    where[pair].add(w)
            pair_counts.pop(best, None)
        return cls(merges)

    # ---- encoding
    def _encode_chunk(self, chunk: str) -> list[int]:
        cached = self._cache.get(chunk)
        if cached is not None:
            return cached
        ids = list(chunk.encode("utf-8"))
        while len(ids) > 1:
            # apply the earliest-learned merge present in the chunk, as training did
            pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, 1 << 60))
            rank = self.ranks.get(pair)
            if rank is None:
                break
            ids = _merge(ids, pair, 256 + rank)
        if len(self._cache) < 100_000:
            self._cache[chunk] = ids
        return ids

    def encode(self, text: str) -> np.ndarray:
        out: list[int] = []
        for chunk in _CHUNK.findall(text):
            out.extend(self._encode_chunk(chunk))
        return np.array(out, dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        data = b"".join(self.vocab[int(i)] for i in np.asarray(ids).reshape(-1))
        return data.decode("utf-8", errors="replace")  # a cut in the middle of a character shows as U+FFFD

    def token_strings(self, ids: Sequence[int] | np.ndarray) -> list[str]:
        """Each token shown as text (for inspecting how a string was split)."""
        return [self.vocab[int(i)].decode("utf-8", errors="replace") for i in np.asarray(ids).reshape(-1)]

    # ---- persistence
    def to_dict(self) -> dict:
        return {"type": "bpe", "merges": [list(m) for m in self.merges]}

    @classmethod
    def from_dict(cls, d: dict) -> BPETokenizer:
        return cls([tuple(m) for m in d["merges"]])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        return cls.from_dict(json.loads(Path(path).read_text()))


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` (left to right) by ``new_id``."""
    out, i, n = [], 0, len(ids)
    a, b = pair
    while i < n:
        if i < n - 1 and ids[i] == a and ids[i + 1] == b:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
