"""W3: ResNet-8 on CIFAR-sized inputs, batch 32, SGD with momentum and weight decay."""

from . import Step

NAME = "W3"
DESCRIPTION = "ResNet-8 (16-32-64, BN, 1x1 shortcuts), batch 32, 3x32x32, SGD momentum wd"
BATCH = 32


def _resnet8(nn):
    """Built from plain layers so the same code runs on both frameworks."""

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            out = self.bn2(self.conv2(out))
            return (out + self.shortcut(x)).relu()

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
    )


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)
    try:  # the library's own ResNet-8 (same architecture), when present
        from gradstudent.models import resnet8

        model = resnet8()
    except ImportError:
        model = _resnet8(nn)
    model.to(device)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32)).to(device)
    y = gs.from_numpy(rng.integers(0, 10, BATCH)).to(device)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    torch.manual_seed(0)
    model = _resnet8(torch.nn).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = torch.randn(BATCH, 3, 32, 32).to(device), torch.randint(0, 10, (BATCH,)).to(device)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step
