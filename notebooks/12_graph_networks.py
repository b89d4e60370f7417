# %% [markdown]
# # 12. Graph neural networks
#
# A graph layer updates each node from its neighbours: $h_i' = \phi\big(h_i, \bigoplus_{j\in N(i)} \psi(h_i, h_j)\big)$
# with a permutation-invariant aggregation $\bigoplus$ (sum, mean, max). Kipf & Welling's GCN is the
# spectral view made local: $H' = \sigma(\hat D^{-1/2}(A + I)\hat D^{-1/2} H W)$. gradstudent's layers keep
# PyTorch Geometric's names and arguments, so the code and the weights carry over.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.graph import GCNConv, MessagePassing, from_networkx, laplacian_spectrum

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## Zachary's karate club, one labelled node per faction

# %%
G = nx.karate_club_graph()
data = from_networkx(G)
labels = np.array([0 if G.nodes[i]["club"] == "Mr. Hi" else 1 for i in G.nodes])
x = gs.eye(G.number_of_nodes())  # no features: one-hot node ids
y = gs.from_numpy(labels)
train = [0, 33]  # the two leaders


class GCN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2, self.out = GCNConv(34, 8), GCNConv(8, 2), nn.Linear(2, 2)

    def forward(self, x: gs.Tensor, edge_index: gs.Tensor) -> tuple[gs.Tensor, gs.Tensor]:
        h = self.conv2(self.conv1(x, edge_index).tanh(), edge_index).tanh()
        return self.out(h), h


model = GCN()
opt = gs.optim.Adam(model.parameters(), lr=0.02)
for step in range(100 if FAST else 300):
    opt.zero_grad()
    logits, emb = model(x, data.edge_index)
    F.cross_entropy(logits[gs.tensor(train)], y[gs.tensor(train)]).backward()
    opt.step()
pred = logits.argmax(1).numpy()
print(f"accuracy on the 32 unlabelled members: {(pred == labels)[2:33].mean():.2f}")
fig, ax = plt.subplots(figsize=(4, 4))
e = emb.detach().numpy()
ax.scatter(e[:, 0], e[:, 1], c=labels, cmap="coolwarm")
ax.set_title("2-D node embeddings after training")
fig.savefig(OUT / "12_karate.png")

# %% [markdown]
# ## Your own layer in ten lines
# `MessagePassing` does the gather/scatter: write `message` (per edge; `x_j` is the source's features) and
# choose the aggregation.

# %%
class MeanNeighbours(MessagePassing):
    def __init__(self, channels: int) -> None:
        super().__init__(aggr="mean")
        self.lin = nn.Linear(channels, channels)

    def forward(self, x: gs.Tensor, edge_index: gs.Tensor) -> gs.Tensor:
        return self.propagate(edge_index, x=self.lin(x))

    def message(self, x_j: gs.Tensor) -> gs.Tensor:
        return x_j


print("output shape:", tuple(MeanNeighbours(34)(x, data.edge_index).shape))

# %% [markdown]
# ## The spectral view
# The graph Laplacian $L = D - A$ has eigenvalues in $[0, 2d_\max]$; its eigenvectors are the graph's "Fourier
# modes". Two communities show as a small second eigenvalue (the Fiedler value).

# %%
evals, evecs = laplacian_spectrum(data.edge_index, normalization=None, num_nodes=G.number_of_nodes())
print("smallest Laplacian eigenvalues:", np.round(evals[:4], 3))
agree = np.mean((evecs[:, 1] > 0) == labels)
print(f"the Fiedler vector's sign matches the split for {max(agree, 1 - agree):.0%} of the members")

# %% [markdown]
# `gradstudent run karate-gcn`, `citation-gnn` and `graph-classify` go further.
#
# ## The same thing in PyTorch Geometric
# `torch_geometric.nn.GCNConv(34, 8)` has the same parameters (`lin.weight`, `bias`) and loads this layer's state_dict.

# %%
try:
    from torch_geometric.nn import GCNConv as PygGCNConv
except ImportError:
    PygGCNConv = None
if PygGCNConv is not None:
    import torch

    pyg = PygGCNConv(34, 8)
    pyg.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in model.conv1.state_dict().items()})
    ours = model.conv1(x, data.edge_index).detach().numpy()
    theirs = pyg(torch.from_numpy(x.numpy()), torch.from_numpy(data.edge_index.numpy())).detach().numpy()
    print("PyG's GCNConv with the same weights:", np.allclose(ours, theirs, atol=1e-5))
