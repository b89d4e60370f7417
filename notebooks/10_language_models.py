# %% [markdown]
# # 10. Language models and embeddings
#
# A language model assigns $p(x_1..x_T) = \prod_t p(x_t \mid x_{<t})$. Its quality is the perplexity
# $\exp(-\frac1T\sum_t \log p(x_t\mid x_{<t}))$: the number of characters it is "choosing between".
# An n-gram model counts; a neural model learns an **embedding** per token and generalises between
# similar contexts.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.text import CharTokenizer, NGramLM, load_offline_corpus, perplexity

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
text = load_offline_corpus()[: 50_000 if FAST else 400_000]
tok = CharTokenizer.from_text(text)
ids = tok.encode(text)
cut = int(0.9 * len(ids))
train_ids, val_ids = ids[:cut], ids[cut:]
print(f"{len(text):,} characters, vocabulary {tok.vocab_size}")
print(repr(text[:120]))

# %% [markdown]
# ## n-gram baselines

# %%
orders, ppl = (1, 2, 3, 5), []
for order in orders:
    lm = NGramLM(order, tok.vocab_size).fit(train_ids)
    ppl.append(perplexity(lm.nll(val_ids)))
    print(f"{order}-gram (Kneser-Ney) validation perplexity {ppl[-1]:.2f}")
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar([str(o) for o in orders], ppl)
ax.set_xlabel("n-gram order")
ax.set_ylabel("validation perplexity")
fig.savefig(OUT / "10_ngram_perplexity.png")

# %% [markdown]
# ## A neural bigram-context model
# Embed the previous 8 characters, concatenate, one hidden layer, softmax over the next character.

# %%
context = 8
emb = nn.Embedding(tok.vocab_size, 16)
mlp = nn.Sequential(nn.Linear(context * 16, 128), nn.Tanh(), nn.Linear(128, tok.vocab_size))
params = list(emb.parameters()) + list(mlp.parameters())
opt = gs.optim.Adam(params, lr=3e-3)
rng = np.random.default_rng(0)


def batch(source: np.ndarray, n: int) -> tuple[gs.Tensor, gs.Tensor]:
    start = rng.integers(0, len(source) - context - 1, n)
    windows = np.stack([source[s : s + context + 1] for s in start])
    return gs.from_numpy(windows[:, :-1]), gs.from_numpy(windows[:, -1])


def logits(x: gs.Tensor) -> gs.Tensor:
    return mlp(emb(x).flatten(1))


for step in range(200 if FAST else 3000):
    xb, yb = batch(train_ids, 64)
    opt.zero_grad()
    loss = F.cross_entropy(logits(xb), yb)
    loss.backward()
    opt.step()
with gs.no_grad():
    xv, yv = batch(val_ids, 2000)
    print(f"neural 9-gram validation perplexity {np.exp(F.cross_entropy(logits(xv), yv).item()):.2f}")

# %% [markdown]
# ## Embeddings
# Characters used in similar contexts get similar vectors: the nearest neighbours of a few letters by cosine similarity.

# %%
E = emb.weight.detach().numpy()
E = E / np.linalg.norm(E, axis=1, keepdims=True)
for ch in "aeo,":
    if ch in text:
        i = int(tok.encode(ch)[0])
        near = np.argsort(-E @ E[i])[1:4]
        print(repr(ch), "->", [tok.decode([int(j)]) for j in near])

# %% [markdown]
# `gradstudent run ngram-vs-neural` compares the n-gram with an LSTM and a GPT at equal time;
# `gradstudent run seq2seq-attention` trains an encoder–decoder with attention; `word-vectors` trains skip-gram.
#
# ## The same thing in PyTorch

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    temb = torch.nn.Embedding(tok.vocab_size, 16)
    temb.load_state_dict({"weight": torch.from_numpy(emb.weight.detach().numpy())})
    same = np.allclose(temb(torch.tensor([[1, 2]])).detach().numpy(), emb(gs.tensor([[1, 2]])).detach().numpy())
    print("torch Embedding with the same weights:", same)
