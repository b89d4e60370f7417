"""transfer: reuse a trained backbone for a new task with few labels.

Task A: shapes of 4 classes (circle, ring, square, frame), plenty of images.
Task B: 4 *other* classes (triangle, cross, ellipse, star), only ``n_b`` labelled
images. On task B compare, with the same budget:

1. training the whole network from scratch;
2. the task-A backbone *frozen* (``requires_grad_(False)``), only a new linear
   head trained (a "linear probe": are the features general?);
3. fine-tuning: start from the task-A weights with a new head and train everything.

Edges, corners and curvature detectors learned on task A transfer; with few
labels the pretrained variants should beat training from scratch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import manual_seed, nn
from ..datasets.shapes import CLASSES, make_shapes
from ..tensor import Tensor
from ._cnn_common import curves_figure, fit
from .cnn_visualize import ShapesCNN
from .resnet import cifar_augment
from .registry import RunContext, experiment


def task_data(classes: list[int], n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """Shapes restricted to ``classes`` (relabelled 0..k-1), standardized."""
    def draw(n: int, s: int) -> tuple[np.ndarray, np.ndarray]:
        X, y = make_shapes(int(n * len(CLASSES) / len(classes) * 1.3) + 50, seed=s)
        keep = np.flatnonzero(np.isin(y, classes))[:n]
        return X[keep], np.searchsorted(classes, y[keep]).astype(np.int64)

    Xtr, ytr = draw(n_train, 10 * seed + 1)
    Xte, yte = draw(n_test, 10 * seed + 2)
    mean, std = Xtr.mean((0, 2, 3), keepdims=True), Xtr.std((0, 2, 3), keepdims=True)
    return ((Xtr - mean) / std).astype(np.float32), ytr, ((Xte - mean) / std).astype(np.float32), yte


@experiment(
    "transfer", "transfer learning on shapes: frozen backbone vs fine-tuning vs training from scratch",
    epochs=10, lr=0.05, batch_size=32, n_a=3000, n_b=200, n_test=800, epochs_a=6, widths=[16, 32, 64], threads=1,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    task_a, task_b = [0, 1, 2, 3], [4, 5, 6, 7]
    data_a = task_data(task_a, cfg["n_a"], cfg["n_test"], ctx.seed)
    data_b = task_data(task_b, cfg["n_b"], cfg["n_test"], ctx.seed)
    ctx.log(f"task A: {[CLASSES[k] for k in task_a]}, {len(data_a[1])} images; task B: {[CLASSES[k] for k in task_b]}, {len(data_b[1])} images")
    aug = cifar_augment(32)

    manual_seed(ctx.seed)
    backbone = ShapesCNN(len(task_a), cfg["widths"])
    pre = fit(backbone, data_a, cfg["epochs_a"], cfg["lr"], 64, "sgd", 5e-4, aug, ctx, "pretrain on A", threads=cfg["threads"])
    ctx.log(f"task A test accuracy: {pre['test_acc']:.3f}")
    pretrained = backbone.state_dict()

    def fresh(load: bool, freeze: bool) -> nn.Module:
        manual_seed(ctx.seed + 1)
        model = ShapesCNN(len(task_a), cfg["widths"])
        if load:
            model.load_state_dict(pretrained)
        head = nn.Linear(cfg["widths"][-1], len(task_b))  # a new head for the new classes
        if freeze:
            model.head[2] = nn.Identity()  # the backbone now outputs its 64 pooled features
            return FrozenBackbone(model, head)
        model.head[2] = head
        return model

    variants = {
        "from scratch": (False, False, cfg["lr"]),
        "frozen backbone + new head": (True, True, cfg["lr"]),
        "fine-tune all": (True, False, cfg["lr"] / 5),
    }
    runs, rows = {}, []
    for name, (load, freeze, lr) in variants.items():
        model = fresh(load, freeze)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        r = fit(model, data_b, cfg["epochs"], lr, cfg["batch_size"], "sgd", 5e-4, aug, ctx, name,
                use_ctx_epochs=name == "fine-tune all", threads=cfg["threads"])  # the checkpointed run
        runs[name] = r
        rows.append({"method": name, "trainable_params": trainable, "train_acc": r["train_acc"], "test_acc": r["test_acc"],
                     "test_loss": r["test_loss"], "seconds": round(r["seconds"], 1)})
    ctx.save_table(rows, "transfer")
    ctx.save_figure(curves_figure(runs, f"task B with {len(data_b[1])} labelled images"), "curves.png")
    out = {f"test_acc[{r['method']}]": r["test_acc"] for r in rows}
    out["task_a_test_acc"] = pre["test_acc"]
    return out


class FrozenBackbone(nn.Module):
    """A fixed feature extractor and a trainable head on top (a "linear probe").

    ``requires_grad_(False)`` stops the backbone's weights from changing, and
    ``train()`` keeps it in eval mode so its batch-norm statistics stay fixed too.
    """

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone.requires_grad_(False)
        self.head = head

    def train(self, mode: bool = True) -> "FrozenBackbone":
        super().train(mode)
        self.backbone.eval()
        return self

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.backbone(x))
