"""An ``nn.Module`` MLP in the style of PyTorch's quickstart: device selection, a
``DataLoader`` over a ``TensorDataset``, train/test loops, accuracy. Data: three Gaussian blobs."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"


def make_data(generator_seed: int, n: int = 600):
    g = torch.Generator().manual_seed(generator_seed)
    centers = torch.tensor([[0.0, 0.0], [2.5, 2.5], [-2.5, 2.5]])
    labels = torch.randint(0, 3, (n,), generator=g)
    points = centers[labels] + torch.randn(n, 2, generator=g)
    return points, labels


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / num_batches, correct / size


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    train_data = TensorDataset(*make_data(0))
    test_data = TensorDataset(*make_data(1, 300))
    train_dataloader = DataLoader(train_data, batch_size=64, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=64)
    model = NeuralNetwork().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    for epoch in range(10):
        train(train_dataloader, model, loss_fn, optimizer)
    loss, accuracy = test(test_dataloader, model, loss_fn)
    return {"loss": loss, "accuracy": accuracy}
