"""pytorch/examples ``vae/main.py``, shrunk: fc encoder to (mu, logvar), the
reparameterization trick with ``torch.randn_like``, BCE (sum) + KL loss. Data: 8x8 binary
images of random rectangles."""

import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(64, 48)
        self.fc21 = nn.Linear(48, 4)
        self.fc22 = nn.Linear(48, 4)
        self.fc3 = nn.Linear(4, 48)
        self.fc4 = nn.Linear(48, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def make_data(seed, n=256):
    g = torch.Generator().manual_seed(seed)
    images = torch.zeros(n, 1, 8, 8)
    corners = torch.randint(0, 5, (n, 2), generator=g)
    sizes = torch.randint(2, 4, (n, 2), generator=g)
    for i in range(n):
        r, c = corners[i].tolist()
        h, w = sizes[i].tolist()
        images[i, 0, r : r + h, c : c + w] = 1.0
    return images


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(make_data(0)), batch_size=32, shuffle=True)
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(make_data(1, 128)), batch_size=64)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(8):
        model.train()
        for batch_idx, (data,) in enumerate(train_loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            optimizer.step()
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for (data,) in test_loader:
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
        sample = model.decode(torch.randn(4, 4))
        assert sample.shape == (4, 64)
    return {"loss": test_loss / len(test_loader.dataset)}
