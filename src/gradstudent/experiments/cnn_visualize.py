"""cnn-visualize: looking inside a trained CNN.

Trains a small CNN on the generated shapes, then draws

* ``filters.png``: the first layer's 3x3 RGB kernels (edge and colour detectors);
* ``feature_maps.png``: what the first and second blocks compute for one image;
* ``saliency.png``: |d class score / d pixel| (Simonyan et al.): the pixels whose
  change would change the decision most; SmoothGrad averages it over noisy copies;
* ``grad_cam.png``: Grad-CAM on the last convolutional block: *where* the evidence
  for the predicted class lies (it should sit on the shape, not the background blobs);
* ``activation_maximization.png``: for each class, an input optimized to maximize
  that class's logit: what the network "thinks" a circle or a cross looks like.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import gradstudent as gs
from .. import manual_seed, nn
from ..datasets.shapes import CLASSES
from ..models.cnn import conv_bn_relu
from ..tensor import Tensor
from .. import viz
from ._cnn_common import blas_threads, fit
from .resnet import cifar_augment, shapes_data
from .registry import RunContext, experiment


class ShapesCNN(nn.Module):
    """conv (16) -> pool -> 2 convs (32) -> pool -> 2 convs (64) -> global average pool -> linear."""

    def __init__(self, classes: int, widths: list[int]) -> None:
        super().__init__()
        a, b, c = widths
        self.block1 = nn.Sequential(conv_bn_relu(3, a), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(conv_bn_relu(a, b), conv_bn_relu(b, b), nn.MaxPool2d(2))
        self.block3 = nn.Sequential(conv_bn_relu(b, c), conv_bn_relu(c, c))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.block3(self.block2(self.block1(x))))


@experiment(
    "cnn-visualize", "saliency, Grad-CAM, activation maximization, filters and feature maps of a CNN trained on shapes",
    epochs=10, lr=0.05, batch_size=64, n_train=3000, n_test=500, widths=[16, 32, 64], threads=1, am_steps=150,
)
def run(ctx: RunContext) -> dict[str, Any]:
    cfg = ctx.config
    manual_seed(ctx.seed)
    data = shapes_data(cfg["n_train"], cfg["n_test"], 32, ctx.seed)
    model = ShapesCNN(len(CLASSES), cfg["widths"])
    result = fit(model, data, cfg["epochs"], cfg["lr"], cfg["batch_size"], "sgd", 5e-4, cifar_augment(32), ctx,
                 "cnn-visualize", use_ctx_epochs=True, threads=cfg["threads"])
    Xte, yte = data[2], data[3]
    model.eval()
    with blas_threads(cfg["threads"]):
        pick = np.array([int(np.flatnonzero(yte == k)[0]) for k in range(len(CLASSES))])
        images = gs.from_numpy(Xte[pick])
        pred = model(images)._data.argmax(1)
        titles = [f"{CLASSES[t]}" + ("" if p == t else f"->{CLASSES[p]}") for t, p in zip(yte[pick], pred)]
        ctx.save_figure(viz.plot_filters(model.block1[0][0]), "filters.png")
        ctx.save_figure(viz.plot_feature_maps(model, images[0], model.block1, title="block 1 (16 maps, 16x16)"), "feature_maps.png")
        ctx.save_figure(viz.plot_feature_maps(model, images[0], model.block2, title="block 2 (first 16 of 32 maps, 8x8)"), "feature_maps_block2.png")
        ctx.save_figure(viz.plot_saliency(model, images, titles), "saliency.png")
        smooth = viz.smoothgrad(model, images, samples=12)
        ctx.save_figure(viz.plots._overlay_figure(np.asarray(images._data), smooth, titles, "SmoothGrad", "hot"), "smoothgrad.png")
        ctx.save_figure(viz.plot_grad_cam(model, images, model.block3, titles), "grad_cam.png")
        # how much of Grad-CAM's mass lies on the shape? (shape pixels: far from the image's background colour)
        cam = viz.grad_cam(model, images, model.block3)
        unnorm = np.abs(Xte[pick] - np.median(Xte[pick], axis=(2, 3), keepdims=True)).max(1)
        on_shape = unnorm > np.quantile(unnorm, 0.8, axis=(1, 2), keepdims=True)
        cam_on_shape = float((cam * on_shape).sum() / cam.sum())
        maxed = [viz.activation_maximization(model, (3, 32, 32), k, steps=cfg["am_steps"], lr=0.05) for k in range(len(CLASSES))]
        ctx.save_figure(viz.plot_activation_maximization(maxed, CLASSES), "activation_maximization.png")
    ctx.log(f"Grad-CAM puts {100 * cam_on_shape:.0f}% of its mass on the brightest-contrast 20% of pixels (the shape)")
    return {"test_acc": result["test_acc"], "train_acc": result["train_acc"], "grad_cam_mass_on_shape": cam_on_shape}
