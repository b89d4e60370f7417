# %% [markdown]
# # 11. Attention, transformers and a tiny GPT
#
# Attention lets every position look at every other: with queries $Q$, keys $K$ and values $V$,
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt d}\right)V.$$
# A causal mask (position $i$ sees $j \le i$) turns it into a language model; multi-head attention runs
# several attentions on learned projections; a transformer block adds an MLP, residuals and LayerNorm.

# %%
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.models import GPT
from gradstudent.text import CharTokenizer, load_offline_corpus

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Attention by hand, against the library

# %%
q, k, v = gs.randn(1, 6, 8), gs.randn(1, 6, 8), gs.randn(1, 6, 8)
scores = q @ k.mT / math.sqrt(8)
mask = gs.from_numpy(np.triu(np.ones((6, 6), dtype=bool), k=1))
weights = scores.masked_fill(mask, float("-inf")).softmax(-1)
by_hand = weights @ v
lib = F.scaled_dot_product_attention(q, k, v, is_causal=True)
print("difference:", np.abs(by_hand.numpy() - lib.numpy()).max())
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(weights.numpy()[0], cmap="viridis")
ax.set_title("causal attention weights")
fig.savefig(OUT / "11_attention.png")

# %% [markdown]
# ## Positional information
# Attention is permutation-equivariant: shuffle the inputs and the outputs shuffle the same way. Order
# must be added, e.g. with learned position embeddings (GPT) or sinusoids $\sin(t/10000^{2i/d})$.

# %%
mha = nn.MultiheadAttention(8, 2, batch_first=True)
perm = gs.from_numpy(np.random.default_rng(0).permutation(6))
out, _ = mha(q, q, q)
out_perm, _ = mha(q[:, perm], q[:, perm], q[:, perm])
print("permutation equivariance error:", np.abs(out[:, perm].detach().numpy() - out_perm.detach().numpy()).max())

# %% [markdown]
# ## A tiny GPT on the offline corpus

# %%
text = load_offline_corpus()[: 100_000 if FAST else 400_000]
tok = CharTokenizer.from_text(text)
ids = tok.encode(text)
block = 32
model = GPT(tok.vocab_size, block, n_layer=2, n_head=4, d_model=64)
opt = gs.optim.AdamW(model.parameters(), lr=3e-3)
rng = np.random.default_rng(0)
for step in range(30 if FAST else 1500):
    start = rng.integers(0, len(ids) - block - 1, 16)
    xb = gs.from_numpy(np.stack([ids[s : s + block] for s in start]))
    yb = gs.from_numpy(np.stack([ids[s + 1 : s + block + 1] for s in start]))
    opt.zero_grad()
    loss = F.cross_entropy(model(xb).reshape(-1, tok.vocab_size), yb.reshape(-1))
    loss.backward()
    opt.step()
print(f"training loss {loss.item():.3f} (perplexity {np.exp(loss.item()):.1f})")
sample = model.generate(tok.encode("And ")[None], 80, temperature=0.8, rng=np.random.default_rng(1))
print(repr(tok.decode(sample[0])))

# %% [markdown]
# `gradstudent run char-gpt` trains it for real and compares it with an LSTM and an n-gram.
#
# ## The same thing in PyTorch
# The GPT's blocks are `TransformerEncoderLayer(norm_first=True, batch_first=True)`, so the same model
# built from `torch.nn` loads this `state_dict` unchanged.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tq, tk, tv = (torch.from_numpy(t.numpy()) for t in (q, k, v))
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=True)
    print("torch attention matches:", np.allclose(tout.numpy(), lib.numpy(), atol=1e-5))
