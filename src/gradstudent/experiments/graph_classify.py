"""graph-classify: the expressive power of message passing (Xu et al. 2019, "How powerful are GNNs?").

Set 1 ("regular degree"): random 3-regular vs 4-regular graphs with constant node features. 1-WL
separates them in one round (the degree is the first colour refinement), and so does GIN, whose sum
aggregation counts neighbours. A GCN with mean/symmetric-normalised aggregation and mean pooling
cannot: on a d-regular graph D^-1/2 (A + I) D^-1/2 1 = 1, so every layer sees the same constant.
Set 2 ("cycle pair", for contrast): one 2n-cycle vs two n-cycles, both 2-regular: 1-WL itself fails
here, and so does every message-passing network with constant features (chance accuracy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn
from ..graph.datasets import cycle_pair_graphs, regular_degree_graphs
from ..graph import DataLoader, GCNConv, GINConv, global_add_pool, global_mean_pool
from ..random import manual_seed
from ..tensor import Tensor
from ._graph_common import train_graph_classifier
from .registry import RunContext, experiment


class GIN(nn.Module):
    """GINConv(MLP) x layers, sum pooling of every layer's output (GIN's readout), linear head."""

    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        dims = [1] + [hidden] * layers
        self.convs = nn.ModuleList([GINConv(nn.Sequential(nn.Linear(a, hidden), nn.ReLU(), nn.Linear(hidden, hidden))) for a in dims[:-1]])
        self.head = nn.Linear(hidden * layers, 2)

    def forward(self, batch: Any) -> Tensor:
        x, pooled = batch.x, []
        for conv in self.convs:
            x = conv(x, batch.edge_index).relu()
            pooled.append(global_add_pool(x, batch.batch, batch.num_graphs))
        from ..ops.shape import cat

        return self.head(cat(pooled, -1))


class MeanGCN(nn.Module):
    """GCNConv x layers (symmetric-normalised mean with self-loops), mean pooling, linear head."""

    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        dims = [1] + [hidden] * layers
        self.convs = nn.ModuleList([GCNConv(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nn.Linear(hidden, 2)

    def forward(self, batch: Any) -> Tensor:
        x = batch.x
        for conv in self.convs:
            x = conv(x, batch.edge_index).relu()
        return self.head(global_mean_pool(x, batch.batch, batch.num_graphs))


@experiment("graph-classify", "GIN (sum) vs GCN (mean) on graphs 1-WL separates (3- vs 4-regular) and on a pair it cannot (C_2n vs 2 C_n)",
            epochs=40, lr=0.005, hidden=32, layers=3, n_graphs=400, batch_size=32, data_seed=0)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    n = int(cfg["n_graphs"])
    sets = {"regular degree (3 vs 4)": regular_degree_graphs(n, seed=int(cfg["data_seed"])),
            "cycle pair (C_2n vs 2 C_n)": cycle_pair_graphs(n, seed=int(cfg["data_seed"]) + 1)}
    table, metrics, curves = [], {}, {}
    for sname, graphs in sets.items():
        n_train = int(0.75 * len(graphs))
        train, test = graphs[:n_train], graphs[n_train:]
        for mname, cls in (("GIN (sum)", GIN), ("GCN (mean)", MeanGCN)):
            manual_seed(ctx.seed)
            model = cls(int(cfg["hidden"]), int(cfg["layers"]))
            loader = DataLoader(train, batch_size=int(cfg["batch_size"]), shuffle=True, seed=ctx.seed)
            res = train_graph_classifier(model, loader, {"train": DataLoader(train, 256), "test": DataLoader(test, 256)}, int(cfg["epochs"]), float(cfg["lr"]))
            table.append({"set": sname, "model": mname, "train_acc": res["train"], "test_acc": res["test"]})
            curves[(sname, mname)] = [h["test"] for h in res["history"]]
            key = ("regular" if sname.startswith("regular") else "cycles") + "_" + mname.split()[0].lower()
            metrics[f"{key}_test_acc"] = res["test"]
            ctx.log(f"{sname} / {mname}: test acc {res['test']:.3f}")
    ctx.save_table(table, "expressivity")
    _figure(ctx, curves)
    return metrics


def _figure(ctx: RunContext, curves: dict[tuple[str, str], list[float]]) -> None:
    from matplotlib.figure import Figure

    sets = list(dict.fromkeys(s for s, _ in curves))
    fig = Figure(figsize=(5 * len(sets), 3.5))
    for k, s in enumerate(sets):
        ax = fig.add_subplot(1, len(sets), k + 1)
        for (ss, m), c in curves.items():
            if ss == s:
                ax.plot(np.arange(1, len(c) + 1), c, label=m)
        ax.axhline(0.5, color="gray", ls=":")
        ax.set(title=s, xlabel="epoch", ylabel="test accuracy", ylim=(0.3, 1.02))
        ax.legend(fontsize=8)
    ctx.save_figure(fig, "curves.png")
