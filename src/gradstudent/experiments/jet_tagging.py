"""jets: tagging two-prong (W -> q q') jets against one-prong QCD jets, as a point cloud and as an image.

The toy generator (``datasets.jets``) makes jets of up to 64 particles (log pT, delta eta, delta phi).
Two taggers see the same jets:

* a point-cloud network in the style of ParticleNet / DGCNN: each particle is linked to its k nearest
  neighbours in (eta, phi); two ``EdgeConv`` blocks (an MLP on [x_i, x_j - x_i], max over neighbours),
  mean pooling over the particles, an MLP head;
* a CNN on 16 x 16 jet images (pixel = pT fraction), the classic calorimeter-image tagger.

Output: ROC curves (signal efficiency vs background rejection) and the AUC of both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..datasets.jets import jet_images, jet_mass, make_jets
from ..graph import Data, DataLoader, EdgeConv, global_max_pool, global_mean_pool, knn_graph
from ..metrics import roc_auc_score, roc_curve
from ..random import manual_seed
from ..tensor import Tensor
from .registry import RunContext, experiment


def jet_graphs(parts: np.ndarray, mask: np.ndarray, y: np.ndarray, k: int) -> list[Data]:
    """One graph per jet: its real particles, k-nearest-neighbour edges in (eta, phi)."""
    out = []
    for j in range(len(y)):
        p = parts[j, mask[j]]
        frac = np.exp(p[:, :1]) / np.exp(p[:, :1]).sum()
        # standardised inputs: log pT fraction, (eta, phi) in units of 0.2 (the prong scale), pT fraction
        feats = np.concatenate([np.log(frac) / 4.0 + 1.0, p[:, 1:3] / 0.2, frac], axis=1)
        out.append(Data(x=from_numpy(feats.astype(np.float32)), edge_index=knn_graph(p[:, 1:3], k), y=from_numpy(y[j : j + 1])))
    return out


def _mlp(a: int, h: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(a, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())


class ParticleGraphNet(nn.Module):
    """EdgeConv(4 -> h) -> EdgeConv(h -> h) -> mean and max pool of both -> MLP -> 2 logits."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = EdgeConv(_mlp(2 * 4, hidden)), EdgeConv(_mlp(2 * hidden, hidden))
        self.head = nn.Sequential(nn.Linear(4 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, batch: Any) -> Tensor:
        h1 = self.conv1(batch.x, batch.edge_index)
        h2 = self.conv2(h1, batch.edge_index)
        from ..ops.shape import cat

        h = cat([h1, h2], -1)
        return self.head(cat([global_mean_pool(h, batch.batch, batch.num_graphs), global_max_pool(h, batch.batch, batch.num_graphs)], -1))


class JetCNN(nn.Module):
    """conv(1->8) -> pool -> conv(8->16) -> pool -> linear(16*4*4 -> 32) -> 2 logits."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                                 nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 4 * 4, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def _train(model: nn.Module, batches: Any, epochs: int, lr: float) -> None:
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        for xb, yb in batches():
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()


def _scores(model: nn.Module, batches: Any) -> np.ndarray:
    model.eval()
    with no_grad():
        # the logit difference, not the softmax: float32 probabilities saturate at 1.0 and tie the best jets
        return np.concatenate([(lambda z: z[:, 1] - z[:, 0])(model(xb).numpy().astype(np.float64)) for xb, _ in batches()])


@experiment("jets", "Two-prong vs QCD jet tagging: EdgeConv point-cloud network vs a CNN on jet images; ROC curves and AUC",
            epochs=12, lr=0.003, n_train=3000, n_test=2000, hidden=32, k=8, batch_size=64, data_seed=0)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    n_tr, n_te, bs = int(cfg["n_train"]), int(cfg["n_test"]), int(cfg["batch_size"])
    jets = make_jets(n_tr + n_te, seed=int(cfg["data_seed"]))
    parts, mask, y = jets["particles"], jets["mask"], jets["y"]
    graphs = jet_graphs(parts, mask, y, int(cfg["k"]))
    images = jet_images(parts, mask)
    rng = np.random.default_rng(ctx.seed)

    def graph_batches(lo: int, hi: int, shuffle: bool) -> Any:
        loader = DataLoader(graphs[lo:hi], batch_size=bs, shuffle=shuffle, seed=int(rng.integers(1 << 30)))
        return lambda: ((b, b.y) for b in loader)

    def image_batches(lo: int, hi: int, shuffle: bool) -> Any:
        def gen() -> Any:
            idx = lo + (rng.permutation(hi - lo) if shuffle else np.arange(hi - lo))
            for s in range(0, hi - lo, bs):
                i = idx[s : s + bs]
                yield from_numpy(images[i]), from_numpy(y[i])
        return gen

    y_test = y[n_tr:]
    results, rocs = {}, {}
    for name, model, train_b, test_b in (
        ("EdgeConv (point cloud)", lambda: ParticleGraphNet(int(cfg["hidden"])), graph_batches(0, n_tr, True), graph_batches(n_tr, n_tr + n_te, False)),
        ("CNN (jet image)", JetCNN, image_batches(0, n_tr, True), image_batches(n_tr, n_tr + n_te, False)),
    ):
        manual_seed(ctx.seed)
        m = model()
        _train(m, train_b, int(cfg["epochs"]), float(cfg["lr"]))
        s = _scores(m, test_b)
        results[name] = roc_auc_score(y_test, s)
        rocs[name] = roc_curve(y_test, s)[:2]
        ctx.log(f"{name}: test AUC {results[name]:.4f}")
    mass = jet_mass(jets["p4"], mask)[n_tr:]
    results["jet mass (no training)"] = roc_auc_score(y_test, mass)
    rocs["jet mass (no training)"] = roc_curve(y_test, mass)[:2]
    ctx.save_table([{"tagger": k, "test_auc": v} for k, v in results.items()], "auc")
    _figure(ctx, rocs, results)
    vals = list(results.values())
    return {"graph_auc": vals[0], "cnn_auc": vals[1], "mass_cut_auc": vals[2], "graph_at_least_as_good": bool(vals[0] >= vals[1])}


def _figure(ctx: RunContext, rocs: dict[str, tuple[np.ndarray, np.ndarray]], aucs: dict[str, float]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot(1, 1, 1)
    for name, (fpr, tpr) in rocs.items():
        keep = fpr > 0
        ax.plot(tpr[keep], 1.0 / fpr[keep], label=f"{name}: AUC {aucs[name]:.3f}")
    ax.set(yscale="log", xlabel="signal efficiency (two-prong)", ylabel="background rejection 1/eps_B", title="jet tagging ROC")
    ax.legend(fontsize=7)
    ctx.save_figure(fig, "roc.png")
