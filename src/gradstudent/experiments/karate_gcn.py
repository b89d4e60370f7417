"""karate-gcn: semi-supervised node classification on Zachary's karate club (Kipf & Welling 2017, Fig. 3).

Only two members are labelled: the instructor (node 0, "Mr. Hi") and the administrator (node 33,
"Officer"). A 3-layer GCN with one-hot inputs (34 -> 4 -> 4 -> 2, tanh) and a linear classifier on its
2-D output propagates these two labels through the friendship graph; the figure shows the 2-D node
embeddings over training, coloured by the faction each member actually joined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..graph.datasets import karate_club
from ..graph import GCNConv
from ..tensor import Tensor
from .registry import RunContext, experiment


class KarateGCN(nn.Module):
    """x -> tanh GCN(34, 4) -> tanh GCN(4, 4) -> tanh GCN(4, 2) = embedding -> Linear(2, 2)."""

    def __init__(self, n_in: int, widths: list[int], n_classes: int) -> None:
        super().__init__()
        dims = [n_in, *widths]
        self.convs = nn.ModuleList([GCNConv(a, b, cached=True) for a, b in zip(dims[:-1], dims[1:])])
        self.classifier = nn.Linear(dims[-1], n_classes)

    def embed(self, x: Tensor, edge_index: Tensor) -> Tensor:
        for conv in self.convs:
            x = conv(x, edge_index).tanh()
        return x

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.classifier(self.embed(x, edge_index))


@experiment("karate-gcn", "Semi-supervised GCN on Zachary's karate club: one labelled node per faction, 2-D embeddings over training",
            epochs=300, lr=0.01, widths=[4, 4, 2], snapshots=6)
def run(ctx: RunContext) -> dict[str, Any]:
    data = karate_club()
    x, edge_index, yt = data.x, data.edge_index, data.y
    assert x is not None and edge_index is not None and yt is not None  # karate_club() sets all three
    y = yt.numpy()
    labelled = np.array([0, 33])
    test = np.ones(len(y), dtype=bool)
    test[labelled] = False
    model = KarateGCN(data.num_features, list(ctx.config["widths"]), 2)
    opt = optim.Adam(model.parameters(), lr=ctx.config["lr"])
    idx = from_numpy(labelled)
    epochs = int(ctx.config["epochs"])
    snap_at = set(np.linspace(0, epochs - 1, int(ctx.config["snapshots"])).astype(int).tolist())
    snaps: list[tuple[int, np.ndarray, float]] = []
    for epoch in ctx.epochs(model, opt):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x, edge_index)[idx], yt[idx])
        loss.backward()
        opt.step()
        with no_grad():
            emb = model.embed(x, edge_index)
            acc = float((model.classifier(emb).numpy().argmax(1)[test] == y[test]).mean())
        if epoch in snap_at:
            snaps.append((epoch, emb.numpy().copy(), acc))
        if epoch % 25 == 0 or epoch == epochs - 1:
            ctx.log_metrics(epoch, loss=loss.item(), test_acc=acc)
    _figure(ctx, snaps, y, labelled)
    return {"test_acc": acc, "labelled_nodes": labelled.tolist(), "n_test": int(test.sum())}


def _figure(ctx: RunContext, snaps: list[tuple[int, np.ndarray, float]], y: np.ndarray, labelled: np.ndarray) -> None:
    from matplotlib.figure import Figure

    if not snaps:
        return
    fig = Figure(figsize=(3.2 * len(snaps), 3.2))
    for k, (epoch, emb, acc) in enumerate(snaps):
        ax = fig.add_subplot(1, len(snaps), k + 1)
        ax.scatter(emb[:, 0], emb[:, 1], c=np.where(y == 0, "tab:blue", "tab:red"), s=25)
        ax.scatter(emb[labelled, 0], emb[labelled, 1], facecolors="none", edgecolors="k", s=120, linewidths=1.5)
        ax.set_title(f"epoch {epoch}: test acc {acc:.2f}", fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    ctx.save_figure(fig, "embeddings.png")
