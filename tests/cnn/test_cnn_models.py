"""Model library: shapes, parameter counts, torchvision-compatible names, gradients flow."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn
from gradstudent.models import VGG, LeNet5, ResNet, BasicBlock, Bottleneck, SmallCNN, UNet, resnet8, resnet18, resnet20, vgg_small


def _torch_resnet8():
    """torchvision's BasicBlock/ResNet layout at CIFAR size (torchvision is not installed here)."""
    T = torch.nn

    class Block(T.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1, self.bn1 = T.Conv2d(cin, cout, 3, stride, 1, bias=False), T.BatchNorm2d(cout)
            self.conv2, self.bn2 = T.Conv2d(cout, cout, 3, 1, 1, bias=False), T.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = T.Sequential(T.Conv2d(cin, cout, 1, stride, bias=False), T.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
            return (out + (x if self.downsample is None else self.downsample(x))).relu()

    class Net(T.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = T.Conv2d(3, 16, 3, 1, 1, bias=False), T.BatchNorm2d(16)
            self.layer1, self.layer2, self.layer3 = T.Sequential(Block(16, 16, 1)), T.Sequential(Block(16, 32, 2)), T.Sequential(Block(32, 64, 2))
            self.fc = T.Linear(64, 10)

        def forward(self, x):
            x = self.layer3(self.layer2(self.layer1(self.bn1(self.conv1(x)).relu())))
            return self.fc(x.mean((2, 3)))

    return Net()


def test_resnet8_matches_a_torch_resnet_with_the_same_state_dict() -> None:
    torch.manual_seed(0)
    theirs, ours = _torch_resnet8(), resnet8()
    assert sum(p.numel() for p in theirs.parameters()) == ours.num_parameters() == 78042
    assert set(theirs.state_dict()) == set(ours.state_dict())
    theirs(torch.randn(8, 3, 32, 32))  # move the running statistics away from (0, 1)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    for mode in ("eval", "train"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        xt, xg = torch.tensor(x, requires_grad=True), gs.tensor(x, requires_grad=True)
        yt, yg = theirs(xt), ours(xg)
        np.testing.assert_allclose(yg._data, yt.detach().numpy(), atol=2e-4, rtol=1e-3)
        yt.square().sum().backward(), yg.square().sum().backward()
        np.testing.assert_allclose(xg.grad._data, xt.grad.numpy(), atol=2e-4, rtol=1e-3)
        tw = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad._data, tw[name].grad.numpy(), atol=5e-4, rtol=2e-3, err_msg=name)


@pytest.mark.parametrize("make,shape,out", [
    (lambda: LeNet5(), (2, 1, 28, 28), (2, 10)),
    (lambda: LeNet5(image_size=32, activation="relu"), (2, 1, 32, 32), (2, 10)),
    (lambda: SmallCNN(1, 10, (8, 16)), (2, 1, 8, 8), (2, 10)),
    (lambda: vgg_small(3, 5), (2, 3, 32, 32), (2, 5)),
    (lambda: VGG([8, "M", 16, "M"], 1, 3, hidden=16), (2, 1, 16, 16), (2, 3)),
    (lambda: resnet20(4), (2, 3, 16, 16), (2, 4)),
    (lambda: ResNet(Bottleneck, [1, 1], (4, 8), 3, 7), (2, 3, 16, 16), (2, 7)),
    (lambda: resnet18(10), (2, 3, 32, 32), (2, 10)),
    (lambda: UNet(1, 3, base=4, depth=2), (2, 1, 16, 16), (2, 3, 16, 16)),
    (lambda: UNet(3, 1, base=4, depth=3, norm="batch", upsample="bilinear"), (2, 3, 16, 24), (2, 1, 16, 24)),
])
def test_models_run_forward_and_backward(make, shape, out) -> None:
    gs.manual_seed(0)
    model = make()
    y = model(gs.randn(*shape))
    assert y.shape == out
    y.square().mean().backward()
    assert all(p.grad is not None and np.isfinite(p.grad._data).all() for p in model.parameters())


def test_plain_resnet_has_no_shortcuts_and_unet_checks_sizes() -> None:
    plain = resnet8(residual=False)
    assert all(m.downsample is None for m in plain.modules() if isinstance(m, BasicBlock))
    assert plain.num_parameters() < resnet8().num_parameters()
    with pytest.raises(ValueError, match="divisible"):
        UNet(1, 1, base=4, depth=2)(gs.randn(1, 1, 10, 10))


def test_a_small_cnn_learns_to_separate_two_patterns() -> None:
    """Vertical vs horizontal bars: a few SGD steps must drive the loss down."""
    gs.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32) * 0.3
    y = rng.integers(0, 2, 64)
    x[y == 0, 0, :, 3:5] += 2.0
    x[y == 1, 0, 3:5, :] += 2.0
    model = SmallCNN(1, 2, (8,), dropout=0.0)
    opt = gs.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(30):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(gs.tensor(x)), gs.tensor(y))
        loss.backward()
        opt.step()
    assert loss.item() < 0.1
