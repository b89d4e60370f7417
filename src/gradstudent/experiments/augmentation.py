"""augmentation: data augmentation as a regularizer.

With only ``n_train`` (100) labelled digits a CNN memorizes its training set: training
accuracy reaches 100% while test accuracy lags behind. Augmentation shows the
network new, label-preserving variants of each image at every epoch (shifted,
rotated, rescaled, noisy digits), which narrows the gap between training and
test accuracy. The same network and budget are trained with

* no augmentation;
* random shifts only (``RandomAffine(0, translate)``);
* shifts, rotations, scaling and shear (``RandomAffine``);
* all of that plus Gaussian pixel noise.

Each is repeated on ``repeats`` different training subsets; the table reports
means (test accuracies differ by a few points between subsets).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import manual_seed, nn
from .. import transforms as T
from ..models.cnn import conv_bn_relu
from ..viz import image_grid
from ._cnn_common import curves_figure, fit
from .digits_cnn import digits_images
from .registry import RunContext, experiment


def digits_net(widths: list[int]) -> nn.Sequential:
    """conv-BN-ReLU x2, max-pool, then a linear layer on the flattened 4x4 maps.

    No global pooling and no dropout: nothing makes it shift-invariant or
    regularizes it except what augmentation teaches."""
    a, b = widths
    return nn.Sequential(conv_bn_relu(1, a), conv_bn_relu(a, b), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(b * 16, 10))


@experiment(
    "augmentation", "the regularization effect of data augmentation: a CNN on 100 digits with and without it (3 repeats)",
    epochs=80, lr=3e-3, batch_size=32, n_train=100, repeats=3, widths=[16, 32], threads=1,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    Xtr, ytr, Xte, yte, mean, std = digits_images(ctx.seed)
    blank = -mean / std
    affine = dict(translate=(0.125, 0.125), scale=(0.85, 1.15), shear=10, fill=blank)
    variants = {
        "none": None,
        "shifts": T.RandomAffine(0, translate=(0.125, 0.125), fill=blank),
        "shifts+rotations+scale+shear": T.RandomAffine(15, **affine),
        "all + noise": T.Compose([T.RandomAffine(15, **affine), T.GaussianNoise(sigma=0.3)]),
    }
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    runs: dict[str, dict[str, Any]] = {}
    for rep in range(cfg["repeats"]):  # a different training subset and initialization each time
        keep = np.random.default_rng(1000 * ctx.seed + rep).permutation(len(ytr))[: cfg["n_train"]]
        data = (Xtr[keep], ytr[keep], Xte, yte)
        for i, (name, aug) in enumerate(variants.items()):
            manual_seed(1000 * ctx.seed + rep)
            model = digits_net(cfg["widths"])
            r = fit(model, data, cfg["epochs"], cfg["lr"], cfg["batch_size"], "adam", 0.0, aug, ctx, f"{name} #{rep + 1}",
                    use_ctx_epochs=rep == 0 and i == 0, threads=cfg["threads"])
            results[name].append(r)
            if rep == 0:
                runs[name] = r
                if aug is not None:
                    sample = aug(gs.from_numpy(np.repeat(data[0][:1], 8, 0)))._data
                    ctx.save_figure(image_grid(list(sample), cols=8, suptitle=f"augmentation '{name}': one digit, 8 draws"),
                                    f"samples_{i}.png")
    rows = []
    for name, rs in results.items():
        test = np.array([r["test_acc"] for r in rs])
        train = np.array([r["train_acc"] for r in rs])
        rows.append({"augmentation": name, "train_acc": float(train.mean()), "test_acc": float(test.mean()),
                     "test_acc_std": float(test.std()), "gap": float((train - test).mean()),
                     "test_loss": float(np.mean([r["test_loss"] for r in rs]))})
    ctx.log(f"means over {cfg['repeats']} training subsets of {cfg['n_train']} digits")
    ctx.save_table(rows, "augmentation")
    ctx.save_figure(curves_figure(runs, f"{cfg['n_train']} training digits (first subset)"), "curves.png")
    out = {f"test_acc[{r['augmentation']}]": r["test_acc"] for r in rows}
    out.update({f"gap[{r['augmentation']}]": r["gap"] for r in rows})
    out["test_acc"] = max(r["test_acc"] for r in rows[1:])
    return out
