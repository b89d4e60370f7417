"""W5: GPT-mini, one training step (BENCHMARKS.md). Both sides are gradstudent.models.gpt's architecture.

The MLP's GELU is GPT-2's tanh form on both sides (``approximate="tanh"``), the GELU GPT-2 was
trained with; the exact erf form costs NumPy ~12 ms per million values (SciPy's scalar erf)."""

from . import Step

NAME = "W5"
DESCRIPTION = "GPT-mini: tok+pos emb (65, 64, d=128), 2 pre-LN blocks (4-head causal attn, MLP 512 GELU), batch 32, seq 64, AdamW"
VOCAB, BLOCK, D, HEADS, LAYERS, BATCH, LR = 65, 64, 128, 4, 2, 32, 3e-4


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim
    from gradstudent.models.gpt import GPT

    gs.manual_seed(0)
    model = GPT(VOCAB, BLOCK, n_layer=LAYERS, n_head=HEADS, d_model=D, activation="gelu_tanh").to(device)
    opt = optim.AdamW(model.parameters(), lr=LR)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.integers(0, VOCAB, (BATCH, BLOCK))).to(device)
    y = gs.from_numpy(rng.integers(0, VOCAB, (BATCH, BLOCK))).to(device)

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    def gelu_tanh(x):
        return torch.nn.functional.gelu(x, approximate="tanh")

    class TorchGPT(torch.nn.Module):
        """gradstudent.models.gpt.GPT written with torch.nn (same parameter names)."""

        def __init__(self):
            super().__init__()
            self.tok_emb = torch.nn.Embedding(VOCAB, D)
            self.pos_emb = torch.nn.Embedding(BLOCK, D)
            self.drop = torch.nn.Dropout(0.0)
            self.blocks = torch.nn.ModuleList(
                [
                    torch.nn.TransformerEncoderLayer(D, HEADS, 4 * D, 0.0, activation=gelu_tanh, batch_first=True, norm_first=True)
                    for _ in range(LAYERS)
                ]
            )
            self.ln_f = torch.nn.LayerNorm(D)
            self.head = torch.nn.Linear(D, VOCAB)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.drop(self.tok_emb(idx) + self.pos_emb(torch.arange(T, device=idx.device)))
            mask = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=x.dtype)
            for block in self.blocks:
                x = block(x, src_mask=mask, is_causal=True)
            return self.head(self.ln_f(x))

    torch.manual_seed(0)
    model = TorchGPT().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    x = torch.randint(0, VOCAB, (BATCH, BLOCK)).to(device)
    y = torch.randint(0, VOCAB, (BATCH, BLOCK)).to(device)

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()

    return step
