"""Visualization tools: values checked against direct computations, figures produced."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

import gradstudent as gs
from gradstudent import viz
from gradstudent.models import SmallCNN, resnet8


def _tiny():
    gs.manual_seed(0)
    model = SmallCNN(3, 4, (4, 8), dropout=0.5)
    model(gs.randn(8, 3, 8, 8))  # give batch norm some running statistics
    return model


def test_saliency_is_the_input_gradient_of_the_class_score() -> None:
    model = _tiny()
    x = gs.randn(3, 3, 8, 8)
    sal = viz.saliency_map(model, x, target=[1, 2, 0])
    assert model.training  # the mode is restored
    model.eval()
    xg = gs.tensor(x._data, requires_grad=True)
    out = model(xg)
    (out[0, 1] + out[1, 2] + out[2, 0]).backward()
    np.testing.assert_allclose(sal, np.abs(xg.grad._data).max(1), rtol=1e-5, atol=1e-7)
    assert viz.smoothgrad(model, x, samples=3).shape == (3, 8, 8)


def test_grad_cam_matches_a_torch_computation() -> None:
    """Same ResNet weights in both frameworks; Grad-CAM computed by hand in torch."""
    from test_cnn_models import _torch_resnet8

    torch.manual_seed(0)
    theirs, ours = _torch_resnet8(), resnet8()
    theirs(torch.randn(8, 3, 32, 32))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    cam = viz.grad_cam(ours, gs.tensor(x), ours.layer3, target=[3, 7])
    xt = torch.tensor(x)
    acts = theirs.layer3(theirs.layer2(theirs.layer1(theirs.bn1(theirs.conv1(xt)).relu())))
    logits = theirs.fc(acts.mean((2, 3)))
    (g,) = torch.autograd.grad(logits[0, 3] + logits[1, 7], acts)
    ref = (g.mean((2, 3), keepdim=True) * acts).sum(1, keepdim=True).clamp(min=0)
    ref = torch.nn.functional.interpolate(ref, size=(32, 32), mode="bilinear", align_corners=False)[:, 0].detach().numpy()
    ref /= ref.reshape(2, -1).max(1).reshape(2, 1, 1)
    assert cam.shape == (2, 32, 32) and cam.max() <= 1.0 + 1e-6 and cam.min() >= 0.0
    np.testing.assert_allclose(cam, ref, atol=1e-3)


def test_capture_feature_maps_and_activation_maximization() -> None:
    model = _tiny()
    conv = model.features[0]
    with viz.capture(conv) as outs:
        model(gs.randn(2, 3, 8, 8))
    assert len(outs) == 1 and outs[0].shape == (2, 4, 8, 8)
    assert "forward" not in conv.__dict__  # the wrapper is removed again
    assert viz.feature_maps(model, gs.randn(2, 3, 8, 8), model.features[2]).shape == (2, 4, 4, 4)
    model.eval()
    before = [p._data.copy() for p in model.parameters()]
    opts = {"unit": 2, "lr": 0.5, "l2": 0.0, "jitter": 0, "blur_every": 0}  # plain gradient ascent
    img = viz.activation_maximization(model, (3, 8, 8), steps=60, generator=gs.Generator().manual_seed(0), **opts)
    start = viz.activation_maximization(model, (3, 8, 8), steps=0, generator=gs.Generator().manual_seed(0), **opts)
    with gs.no_grad():
        gain = model(gs.tensor(img[None]))[0, 2].item() - model(gs.tensor(start[None]))[0, 2].item()
    assert gain > 1.0
    regularized = viz.activation_maximization(model, (3, 8, 8), unit=2, steps=20, generator=gs.Generator().manual_seed(0))
    assert np.abs(regularized).mean() < np.abs(img).mean()  # L2 and blur keep the image small and smooth
    assert all(np.array_equal(a, p._data) for a, p in zip(before, model.parameters()))  # weights untouched
    assert all(p.requires_grad for p in model.parameters())
    ch = viz.activation_maximization(model, (3, 8, 8), unit=1, layer=model.features[0], steps=5)
    assert ch.shape == (3, 8, 8)


def test_plots_return_figures() -> None:
    model = _tiny()
    x = gs.randn(3, 3, 8, 8)
    figs = [
        viz.plot_filters(model.features[0][0]), viz.plot_feature_maps(model, x[0], model.features[0]),
        viz.plot_saliency(model, x, ["a", "b", "c"]), viz.plot_grad_cam(model, x, model.features[3]),
        viz.plot_activation_maximization([np.zeros((3, 8, 8))] * 2, ["u", "v"]), viz.image_grid(np.zeros((5, 1, 4, 4))),
    ]
    assert all(isinstance(f, Figure) for f in figs)
