"""resnet: residual networks with batch norm and augmentation on the generated shapes.

Three runs of the same budget on 32x32 images of 8 shape classes:

1. ResNet-20 (narrow: 8-16-32 channels, 3 blocks per stage) with augmentation
   (random crops of the 4-pixel-padded image and horizontal flips);
2. the same without augmentation: it fits the training set better and the
   test set worse (augmentation regularizes);
3. "plain-20": the same 20 layers without the identity shortcuts: harder to
   optimize, it ends with a higher training loss and a lower test accuracy.

Writes the ablation table and the learning curves. The configuration is
deliberately small (500 training images, narrow layers) to keep the default
run to a few minutes; with so few images the network memorizes them without
augmentation. ``--set n_train=5000`` gives stronger numbers (and takes longer).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import manual_seed
from .. import transforms as T
from ..datasets.shapes import CLASSES, make_shapes
from ..models import BasicBlock, ResNet
from ..viz import image_grid
from ._cnn_common import curves_figure, fit
from .registry import RunContext, experiment


def shapes_data(n_train: int, n_test: int, image_size: int, seed: int) -> tuple[np.ndarray, ...]:
    """Standardized shapes images (per-channel statistics of the training set)."""
    Xtr, ytr = make_shapes(n_train, image_size, 3, seed=2 * seed)
    Xte, yte = make_shapes(n_test, image_size, 3, seed=2 * seed + 1)
    mean, std = Xtr.mean((0, 2, 3), keepdims=True), Xtr.std((0, 2, 3), keepdims=True)
    return ((Xtr - mean) / std).astype(np.float32), ytr, ((Xte - mean) / std).astype(np.float32), yte


def cifar_augment(size: int) -> T.Compose:
    return T.Compose([T.RandomCrop(size, padding=size // 8), T.RandomHorizontalFlip()])


@experiment(
    "resnet", "ResNet-20 with batch norm on generated shapes: ablation of augmentation and residual connections",
    epochs=24, lr=0.1, batch_size=64, n_train=500, n_test=1000, image_size=32, widths=[8, 16, 32], blocks=[3, 3, 3],
    weight_decay=5e-4, threads=1,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    data = shapes_data(cfg["n_train"], cfg["n_test"], cfg["image_size"], ctx.seed)
    depth = 2 + 2 * sum(cfg["blocks"])
    variants = [  # (name, residual, augment); the first is the main run (checkpointed)
        (f"ResNet-{depth} + augmentation", True, True),
        (f"ResNet-{depth}, no augmentation", True, False),
        (f"plain-{depth} (no shortcuts) + augmentation", False, True),
    ]
    runs: dict[str, dict[str, Any]] = {}
    rows = []
    for i, (name, residual, augment) in enumerate(variants):
        manual_seed(ctx.seed)  # same initialization and batch order for every variant
        model = ResNet(BasicBlock, cfg["blocks"], cfg["widths"], 3, len(CLASSES), residual=residual)
        if i == 0:
            ctx.log(f"{model.num_parameters()} parameters, {len(data[1])} training images")
        aug = cifar_augment(cfg["image_size"]) if augment else None
        r = fit(model, data, cfg["epochs"], cfg["lr"], cfg["batch_size"], "sgd", cfg["weight_decay"], aug, ctx, name,
                use_ctx_epochs=i == 0, threads=cfg["threads"])
        runs[name] = r
        rows.append({"model": name, "shortcuts": residual, "augmentation": augment, "train_acc": r["train_acc"],
                     "test_acc": r["test_acc"], "train_loss": r["train_loss"], "test_loss": r["test_loss"],
                     "seconds": round(r["seconds"], 1)})
        if i == 0:
            main_model = model
    ctx.save_table(rows, "ablation")
    ctx.save_figure(curves_figure(runs, f"shapes {cfg['image_size']}x{cfg['image_size']}: ResNet vs plain, augmentation"), "curves.png")

    Xte, yte = data[2], data[3]
    main_model.eval()
    pred = main_model(gs.from_numpy(Xte[:24]))._data.argmax(1)
    titles = [f"{CLASSES[p]}" + ("" if p == t else f" (true {CLASSES[t]})") for p, t in zip(pred, yte[:24])]
    ctx.save_figure(image_grid(list(Xte[:24]), titles, cols=8, suptitle="test images and ResNet predictions"), "predictions.png")
    out = {f"test_acc[{r['model']}]": r["test_acc"] for r in rows}
    out.update({f"train_loss[{r['model']}]": r["train_loss"] for r in rows})
    out["test_acc"] = rows[0]["test_acc"]
    return out
