"""``gs.nn.utils.rnn`` (PyTorch's ``torch.nn.utils.rnn``): padding variable-length sequences.

Only :func:`pad_sequence` so far. Packed sequences (``pack_padded_sequence``,
``pad_packed_sequence``) are not implemented: gradstudent's RNNs run over the
padded batch, so mask the padded steps (or sort by length) instead.
"""

from __future__ import annotations

from typing import Sequence

from ..creation import full
from ..ops.shape import cat, stack
from ..tensor import Tensor

__all__ = ["pad_sequence"]


def pad_sequence(
    sequences: Sequence[Tensor], batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack tensors of shapes (L_i, *) into (L_max, B, *) (or (B, L_max, *) with ``batch_first``),
    filling the missing steps with ``padding_value``. Differentiable in every input."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    if len(sequences) == 0:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: sequence {i} has shape {tuple(s.shape)}; every sequence must be (L, *{trailing})")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            block = full((missing, *trailing), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, block] if padding_side == "right" else [block, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)
