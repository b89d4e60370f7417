"""Recurrent sequence models: a character-level LSTM language model and a sequence classifier."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


class CharLSTM(nn.Module):
    """Embedding -> dropout -> LSTM (num_layers) -> dropout -> Linear: next-token logits at every position.

    ``forward(idx (B, T), state=None) -> (logits (B, T, V), (h, c))``; pass the returned
    state (detached) into the next chunk for truncated backpropagation through time.
    ``dropout`` acts on the non-recurrent connections only (into and out of the LSTM, and
    between its layers), as in Zaremba et al. (2014): the recurrent state is never dropped.
    """

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden_size: int = 256, num_layers: int = 1, dropout: float = 0.0) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        out, state = self.lstm(self.drop(self.embed(idx)), state)
        return self.head(self.drop(out)), state

    @no_grad()
    def generate(
        self,
        prompt: np.ndarray,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Feed ``prompt`` (T0,) once, then sample one token at a time carrying the LSTM state."""
        from ..text.sampling import sample

        was_training = self.training
        self.eval()
        rng = np.random.default_rng() if rng is None else rng
        prompt = np.asarray(prompt, dtype=np.int64).reshape(1, -1)
        logits, state = self(Tensor._make(prompt))
        out = []
        for _ in range(max_new_tokens):
            nxt = sample(logits._data[:, -1], temperature, top_k, top_p, rng)
            out.append(int(nxt[0]))
            logits, state = self(Tensor._make(nxt.reshape(1, 1)), state)
        self.train(was_training)
        return np.array(out, dtype=np.int64)


class RecurrentClassifier(nn.Module):
    """A GRU/LSTM over a (B, T, features) series; the last hidden state (both directions) -> class logits."""

    def __init__(self, in_features: int, hidden_size: int, num_classes: int, cell: str = "GRU", num_layers: int = 1, bidirectional: bool = False) -> None:
        super().__init__()
        if cell not in ("RNN", "GRU", "LSTM"):
            raise ValueError(f"RecurrentClassifier: cell must be RNN, GRU or LSTM, got {cell!r}")
        self.cell = cell
        self.rnn = getattr(nn, cell)(in_features, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)
        self.dirs = 2 if bidirectional else 1

    def forward(self, x: Tensor) -> Tensor:
        _, state = self.rnn(x)
        h = state[0] if self.cell == "LSTM" else state  # (layers * dirs, B, H)
        last = h[-self.dirs :]  # the top layer's final states
        feats = last[0] if self.dirs == 1 else last.permute(1, 0, 2).reshape(x.shape[0], -1)
        return self.head(feats)


class AttentionClassifier(nn.Module):
    """Linear embedding of each time step + learned positions -> Transformer encoder -> mean pool -> logits."""

    def __init__(self, in_features: int, d_model: int, num_classes: int, max_len: int, nhead: int = 4, num_layers: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        self.inp = nn.Linear(in_features, d_model)
        self.pos = nn.LearnedPositionalEmbedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, 2 * d_model, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(self.pos(self.inp(x))).mean(1))
