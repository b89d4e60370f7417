"""pytorch/examples ``mnist/main.py``, shrunk: the same Net (conv-conv-pool-dropout-fc), Adadelta
with StepLR, ``nll_loss`` on ``log_softmax``, accuracy via ``pred.eq(target.view_as(pred))``.
Data: 12x12 images of a horizontal or vertical bar, or a cross, with noise."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def make_data(seed, n):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=g)
    images = 0.3 * torch.randn(n, 1, 12, 12, generator=g)
    rows = torch.randint(2, 10, (n,), generator=g)
    for i in range(n):
        r, k = int(rows[i]), int(labels[i])
        if k in (0, 2):
            images[i, 0, r, :] += 1.0
        if k in (1, 2):
            images[i, 0, :, r] += 1.0
    return images, labels


def train(model, device, train_loader, optimizer):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    return test_loss, correct / len(test_loader.dataset)


def main(seed: int) -> dict:
    use_accel = torch.accelerator.is_available()
    torch.manual_seed(seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    train_kwargs = {"batch_size": 32, "shuffle": True}
    test_kwargs = {"batch_size": 100}
    train_loader = DataLoader(TensorDataset(*make_data(0, 400)), **train_kwargs)
    test_loader = DataLoader(TensorDataset(*make_data(1, 200)), **test_kwargs)
    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.7)
    for epoch in range(1, 7):
        train(model, device, train_loader, optimizer)
        scheduler.step()
    loss, accuracy = test(model, device, test_loader)
    return {"loss": loss, "accuracy": accuracy}
