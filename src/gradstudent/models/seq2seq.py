"""An encoder-decoder (seq2seq) with Bahdanau (additive) attention.

Encoder: embeddings -> bidirectional GRU -> annotations h_j (B, S, 2H), one per source token.
Decoder, one output token at a time, state s (B, H)::

    e[b, j]   = v . tanh(W_s s[b] + W_h h[b, j])          alignment score of source position j
    a[b, :]   = softmax_j(e[b, :])  (padding masked out)   where to look
    context   = sum_j a[b, j] h[b, j]
    s'        = GRUCell([embed(y_prev); context], s)
    logits    = Linear([s'; context])

Training uses teacher forcing (the true previous token is fed in); decoding is
greedy. The attention weights ``a`` form the alignment heat map.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..ops.shape import cat, stack
from ..tensor import Tensor


class AdditiveAttention(nn.Module):
    """Bahdanau attention: ``forward(query (B, H), keys (B, S, A), values (B, S, D), mask (B, S))``."""

    def __init__(self, query_dim: int, key_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_dim, attn_dim, bias=False)
        self.W_k = nn.Linear(key_dim, attn_dim)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def project_keys(self, annotations: Tensor) -> Tensor:
        """W_h h_j for all j: computed once per source sentence, reused at every decoder step."""
        return self.W_k(annotations)

    def forward(self, query: Tensor, keys: Tensor, values: Tensor, pad_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        scores = self.v((self.W_q(query).unsqueeze(1) + keys).tanh()).squeeze(-1)  # (B, S)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask, float("-inf"))
        weights = scores.softmax(-1)
        context = (weights.unsqueeze(1) @ values).squeeze(1)  # (B, D)
        return context, weights


class Seq2Seq(nn.Module):
    """``Seq2Seq(src_vocab, tgt_vocab, embed=64, hidden=128, attn=64)``; token 0 is padding in both vocabularies."""

    def __init__(self, src_vocab: int, tgt_vocab: int, embed: int = 64, hidden: int = 128, attn: int = 64, bos: int = 1, eos: int = 2) -> None:
        super().__init__()
        self.bos, self.eos, self.hidden = bos, eos, hidden
        self.src_embed = nn.Embedding(src_vocab, embed, padding_idx=0)
        self.encoder = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.init_state = nn.Linear(2 * hidden, hidden)
        self.attention = AdditiveAttention(hidden, 2 * hidden, attn)
        self.tgt_embed = nn.Embedding(tgt_vocab, embed, padding_idx=0)
        self.decoder = nn.GRUCell(embed + 2 * hidden, hidden)
        self.out = nn.Linear(hidden + 2 * hidden, tgt_vocab)

    def encode(self, src: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """(annotations (B, S, 2H), projected keys, padding mask (B, S), initial decoder state (B, H))."""
        pad = Tensor._make(src._data == 0)
        annotations, _ = self.encoder(self.src_embed(src))
        # mean of the annotations over real tokens summarises the sentence for the first state
        keep = Tensor._make((src._data != 0).astype(annotations.dtype)[..., None])
        summary = (annotations * keep).sum(1) / keep.sum(1)
        s0 = self.init_state(summary).tanh()
        return annotations, self.attention.project_keys(annotations), pad, s0

    def step(self, y_prev: Tensor, s: Tensor, enc: tuple[Tensor, Tensor, Tensor, Tensor]) -> tuple[Tensor, Tensor, Tensor]:
        """One decoder step: (logits (B, V), new state, attention weights (B, S))."""
        annotations, keys, pad, _ = enc
        context, weights = self.attention(s, keys, annotations, pad)
        s = self.decoder(cat([self.tgt_embed(y_prev), context], -1), s)
        return self.out(cat([s, context], -1)), s, weights

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher forcing: logits (B, T, V) for targets given the shifted-right ``tgt_in`` (B, T)."""
        enc = self.encode(src)
        s, logits = enc[3], []
        for t in range(tgt_in.shape[1]):
            lg, s, _ = self.step(tgt_in[:, t], s, enc)
            logits.append(lg)
        return stack(logits, 1)

    @no_grad()
    def greedy_decode(self, src: Tensor, max_len: int) -> tuple[np.ndarray, np.ndarray]:
        """Most likely token at each step: (tokens (B, max_len), attention (B, max_len, S))."""
        was_training = self.training
        self.eval()
        enc = self.encode(src)
        s = enc[3]
        y = Tensor._make(np.full(src.shape[0], self.bos, dtype=np.int64))
        tokens, attn = [], []
        for _ in range(max_len):
            lg, s, w = self.step(y, s, enc)
            y = Tensor._make(lg._data.argmax(-1))
            tokens.append(y._data)
            attn.append(w._data)
        self.train(was_training)
        return np.stack(tokens, 1), np.stack(attn, 1)
