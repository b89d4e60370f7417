"""A GPT-style language model: a decoder-only Transformer with causal self-attention.

    tokens (B, T) -> token embedding + position embedding
                  -> n_layer pre-LayerNorm blocks:  x = x + Attn(LN(x));  x = x + MLP(LN(x))
                  -> final LayerNorm -> Linear head -> logits (B, T, vocab)

Each position may attend only to itself and earlier positions (the causal
mask), so one forward pass trains all T next-token predictions at once. The
blocks are PyTorch's ``TransformerEncoderLayer(norm_first=True, activation="gelu",
batch_first=True)``, so the same model built from ``torch.nn`` loads this
model's ``state_dict`` unchanged.
"""

from __future__ import annotations

import math
import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import arange
from ..ops.attention import causal_mask
from ..tensor import Tensor


def gelu_tanh(x: Tensor) -> Tensor:
    """GELU with GPT-2's tanh approximation (the historical GPT-2 choice)."""
    return nn.functional.gelu(x, approximate="tanh")


class GPT(nn.Module):
    """``GPT(vocab_size, block_size, n_layer=2, n_head=4, d_model=128, d_ff=4*d_model, dropout=0.0, activation="gelu")``

    ``activation="gelu_tanh"`` uses GPT-2's tanh approximation of GELU (a torch twin then needs
    ``activation=lambda x: F.gelu(x, approximate="tanh")``).
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int,
        n_layer: int = 2,
        n_head: int = 4,
        d_model: int = 128,
        d_ff: int | None = None,
        dropout: float = 0.0,
        activation: str = "gelu",
    ) -> None:
        super().__init__()
        if activation not in ("gelu", "gelu_tanh"):
            raise ValueError(f"GPT: activation must be 'gelu' or 'gelu_tanh', got {activation!r}")
        self.vocab_size, self.block_size = vocab_size, block_size
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(block_size, d_model)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            [
                nn.TransformerEncoderLayer(
                    d_model, n_head, d_ff or 4 * d_model, dropout, activation="gelu" if activation == "gelu" else gelu_tanh,
                    batch_first=True, norm_first=True,
                )
                for _ in range(n_layer)
            ]
        )
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        self._init_weights(n_layer)

    def _init_weights(self, n_layer: int) -> None:
        """GPT-2's scheme: N(0, 0.02) weights, zero biases, residual projections scaled by 1/sqrt(2 n_layer)."""
        for name, p in self.named_parameters():
            if p.ndim >= 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith(("out_proj.weight", "linear2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif "norm" not in name and "ln_f" not in name:
                nn.init.zeros_(p)

    def forward(self, idx: Tensor) -> Tensor:
        """idx: (B, T) integer tokens with T <= block_size -> logits (B, T, vocab_size)."""
        if idx.ndim != 2:
            raise ValueError(f"GPT: expected token ids of shape (B, T), got {tuple(idx.shape)}")
        T = idx.shape[1]
        if T > self.block_size:
            raise ValueError(f"GPT: sequence length {T} exceeds block_size {self.block_size}")
        x = self.drop(self.tok_emb(idx) + self.pos_emb(arange(T)))
        mask = causal_mask(T, T, x.dtype, x._data)
        for block in self.blocks:
            x = block(x, src_mask=mask, is_causal=True)
        return self.head(self.ln_f(x))

    @no_grad()
    def generate(
        self,
        idx: Tensor | np.ndarray,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Append ``max_new_tokens`` sampled tokens to each row of ``idx`` (B, T0); returns (B, T0 + new)."""
        from ..text.sampling import sample

        was_training = self.training
        self.eval()
        rng = np.random.default_rng() if rng is None else rng
        out = np.array(idx._data if isinstance(idx, Tensor) else idx, dtype=np.int64)
        if out.ndim == 1:
            out = out[None]
        for _ in range(max_new_tokens):
            ctx = out[:, -self.block_size :]  # the model sees at most block_size tokens
            logits = self(Tensor._make(ctx))._data[:, -1]
            nxt = sample(logits, temperature, top_k, top_p, rng)
            out = np.concatenate([out, nxt[:, None]], axis=1)
        self.train(was_training)
        return out

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

