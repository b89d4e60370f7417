"""citation-gnn: GCN vs GraphSAGE vs GAT vs an MLP that ignores the edges, on a Cora-sized citation graph.

The synthetic graph (``graph.datasets.synthetic_citation``) has Cora's shape: 2708 papers in 7 classes,
~5300 citations of which 80% link papers of the same class, and sparse 1433-word bag-of-words
features whose words are only weakly class-specific. Planetoid protocol: 20 labelled papers per class,
500 for validation, 1000 for the test; the test accuracy at the best validation epoch is reported.
When Cora's Planetoid files are in the data cache (``$GRADSTUDENT_DATA/planetoid``) it runs on Cora too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad  # noqa: F401
from ..graph.datasets import load_planetoid, synthetic_citation
from ..graph import GATConv, GCNConv, SAGEConv
from ..random import manual_seed
from ..tensor import Tensor
from ._graph_common import train_node_classifier
from .registry import RunContext, experiment


class TwoLayer(nn.Module):
    """conv(F -> hidden) -> ELU/ReLU -> dropout -> conv(hidden -> classes); ``kind`` picks the conv."""

    def __init__(self, kind: str, n_in: int, hidden: int, n_out: int, dropout: float, heads: int = 8) -> None:
        super().__init__()
        self.kind, self.dropout = kind, dropout
        if kind == "GCN":
            self.c1, self.c2 = GCNConv(n_in, hidden, cached=True), GCNConv(hidden, n_out, cached=True)
        elif kind == "GraphSAGE":
            self.c1, self.c2 = SAGEConv(n_in, hidden), SAGEConv(hidden, n_out)
        elif kind == "GAT":
            self.c1 = GATConv(n_in, hidden, heads=heads, dropout=dropout)
            self.c2 = GATConv(hidden * heads, n_out, heads=1, dropout=dropout)
        elif kind == "MLP":
            self.c1, self.c2 = nn.Linear(n_in, hidden), nn.Linear(hidden, n_out)
        else:
            raise ValueError(f"TwoLayer: unknown kind {kind!r}")

    def _conv(self, conv: nn.Module, x: Tensor, edge_index: Tensor) -> Tensor:
        return conv(x) if self.kind == "MLP" else conv(x, edge_index)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        x = nn.functional.dropout(x, self.dropout, self.training) if self.kind == "GAT" else x
        h = self._conv(self.c1, x, edge_index)
        h = nn.functional.elu(h) if self.kind == "GAT" else h.relu()
        h = nn.functional.dropout(h, self.dropout, self.training)
        return self._conv(self.c2, h, edge_index)


SETTINGS = {  # (hidden, dropout, lr, weight decay): the published settings of each model on Cora
    "MLP": (16, 0.5, 0.01, 5e-4), "GCN": (16, 0.5, 0.01, 5e-4), "GraphSAGE": (16, 0.5, 0.01, 5e-4), "GAT": (8, 0.6, 0.005, 5e-4),
}


def compare_models(data: Any, models: list[str], epochs: int, seed: int) -> list[dict[str, Any]]:
    y, masks = data.y.numpy(), [data.train_mask.numpy(), data.val_mask.numpy(), data.test_mask.numpy()]
    rows = []
    for kind in models:
        hidden, dropout, lr, wd = SETTINGS[kind]
        manual_seed(seed)
        model = TwoLayer(kind, data.num_features, hidden, int(y.max()) + 1, dropout)
        res = train_node_classifier(model, lambda m=model: m(data.x, data.edge_index), y, *masks, epochs, lr, wd)
        rows.append({"model": kind, "val_acc": res["val_acc"], "test_acc": res["test_acc"], "best_epoch": res["best_epoch"], "curve": res["curve"]})
    return rows


@experiment("citation-gnn", "GCN vs GraphSAGE vs GAT vs an edge-blind MLP on a Cora-sized synthetic citation graph (and Cora if cached)",
            epochs=200, models=["MLP", "GCN", "GraphSAGE", "GAT"], graph_seed=0, num_nodes=2708, cora=True)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    datasets = {"synthetic": synthetic_citation(num_nodes=int(cfg["num_nodes"]), seed=int(cfg["graph_seed"]),
                                                num_val=min(500, int(cfg["num_nodes"]) // 5), num_test=min(1000, int(cfg["num_nodes"]) // 3))}
    if cfg["cora"]:
        try:
            datasets["Cora"] = load_planetoid("Cora")
        except (FileNotFoundError, RuntimeError) as err:
            ctx.log(f"Cora not used: {err}")
    table, metrics, curves = [], {}, {}
    for dname, data in datasets.items():
        for row in compare_models(data, list(cfg["models"]), int(cfg["epochs"]), ctx.seed):
            curves[(dname, row["model"])] = row.pop("curve")
            table.append({"graph": dname, **row})
            metrics[f"{dname}_{row['model']}_test_acc"] = row["test_acc"]
    ctx.save_table(table, "accuracy")
    _figure(ctx, curves)
    return metrics


def _figure(ctx: RunContext, curves: dict[tuple[str, str], list[tuple[int, float, float, float]]]) -> None:
    from matplotlib.figure import Figure

    graphs = sorted({g for g, _ in curves})
    fig = Figure(figsize=(5 * len(graphs), 3.5))
    for k, g in enumerate(graphs):
        ax = fig.add_subplot(1, len(graphs), k + 1)
        for (gg, model), c in curves.items():
            if gg == g:
                arr = np.array(c)
                ax.plot(arr[:, 0], arr[:, 2], label=model)
        ax.set(title=f"{g}: validation accuracy", xlabel="epoch", ylabel="accuracy")
        ax.legend(fontsize=8)
    ctx.save_figure(fig, "curves.png")
