# %% [markdown]
# # 9. Recurrent networks
#
# An RNN reads a sequence one step at a time, carrying a state:
# $h_t = \tanh(W_{ih} x_t + W_{hh} h_{t-1} + b)$. Backpropagation through time multiplies one Jacobian
# $\partial h_t/\partial h_{t-1}$ per step, so gradients from far back vanish (or explode). The LSTM adds a
# cell state updated additively, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, which lets gradients survive.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## One RNN step by hand, against `nn.RNN`

# %%
rnn = nn.RNN(3, 4, batch_first=True)
x = gs.randn(2, 5, 3)
out, h_n = rnn(x)
h = gs.zeros(2, 4)
for t in range(5):
    h = (x[:, t] @ rnn.weight_ih_l0.mT + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.mT + rnn.bias_hh_l0).tanh()
print("difference to nn.RNN:", np.abs(h.detach().numpy() - h_n[0].detach().numpy()).max())

# %% [markdown]
# ## Vanishing gradients, measured
# The norm of $\partial h_T / \partial x_t$ as a function of the distance $T - t$, for an RNN, a GRU and an LSTM.

# %%
T = 30 if FAST else 100
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, layer in {"RNN": nn.RNN(8, 32, batch_first=True), "GRU": nn.GRU(8, 32, batch_first=True), "LSTM": nn.LSTM(8, 32, batch_first=True)}.items():
    xs = gs.randn(1, T, 8, requires_grad=True)
    out, _ = layer(xs)
    (g,) = gs.autograd.grad(out[0, -1].sum(), [xs])
    norms = np.linalg.norm(g.numpy()[0], axis=1)[::-1]  # distance 0 first
    ax.semilogy(np.arange(T), norms + 1e-30, label=name)
ax.set_xlabel("distance T - t")
ax.set_ylabel("|dh_T / dx_t|")
ax.legend()
fig.savefig(OUT / "09_vanishing.png")

# %% [markdown]
# ## A sequence classifier
# Is a noisy sine wave damped or not? Read it with an LSTM, classify from the last state.

# %%
rng = np.random.default_rng(0)
n, length = (200 if FAST else 1000), 40
t = np.linspace(0, 4 * np.pi, length)
labels = rng.integers(0, 2, n)
decay = np.where(labels == 1, 0.15, 0.0)[:, None]
waves = np.sin(t[None] * rng.uniform(0.8, 1.2, (n, 1))) * np.exp(-decay * t[None]) + 0.1 * rng.normal(size=(n, length))
Xs, ys = gs.from_numpy(waves[:, :, None].astype(np.float32)), gs.from_numpy(labels)


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


clf = Classifier()
opt = gs.optim.Adam(clf.parameters(), lr=1e-2)
split = int(0.8 * n)
for step in range(40 if FAST else 200):
    opt.zero_grad()
    loss = F.cross_entropy(clf(Xs[:split]), ys[:split])
    loss.backward()
    nn.utils.clip_grad_norm_(clf.parameters(), 1.0)  # exploding gradients are the other failure of BPTT
    opt.step()
with gs.no_grad():
    acc = (clf(Xs[split:]).argmax(1).numpy() == labels[split:]).mean()
print(f"held-out accuracy {acc:.2f} (training loss {loss.item():.3f})")

# %% [markdown]
# ## The same thing in PyTorch
# The parameter names (`weight_ih_l0`, ...) and gate layouts are PyTorch's, so weights move across:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    trnn = torch.nn.RNN(3, 4, batch_first=True)
    trnn.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in rnn.state_dict().items()})
    _, th = trnn(torch.from_numpy(x.numpy()))
    print("torch RNN with the same weights:", np.allclose(th.detach().numpy(), h_n.detach().numpy(), atol=1e-5))
