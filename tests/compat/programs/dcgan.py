"""PyTorch's DCGAN tutorial, shrunk to 8x8 images: a ConvTranspose2d generator and a Conv2d
discriminator with BatchNorm and LeakyReLU, ``weights_init`` applied with ``model.apply``,
BCELoss, Adam(betas=(0.5, 0.999)). Data: 8x8 images of a bright diagonal line."""

import torch
import torch.nn as nn
import torch.optim as optim

nz, ngf, ndf, nc = 8, 16, 16, 1


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.constant_(m.bias, 0)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Flatten(),
            nn.Linear(ndf * 2, 1),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def real_batch(n, g):
    images = -torch.ones(n, 1, 8, 8) + 0.1 * torch.randn(n, 1, 8, 8, generator=g)
    shift = torch.randint(0, 3, (n,), generator=g)
    for i in range(n):
        for k in range(8 - int(shift[i])):
            images[i, 0, k, k + int(shift[i])] = 1.0
    return images


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    g = torch.Generator().manual_seed(0)
    netG = Generator().to(device)
    netG.apply(weights_init)
    netD = Discriminator().to(device)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    fixed_noise = torch.randn(16, nz, 1, 1, device=device)
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
    batch_size = 32
    for i in range(80):
        netD.zero_grad()
        real_cpu = real_batch(batch_size, g).to(device)
        label = torch.full((batch_size,), real_label, dtype=torch.float, device=device)
        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        optimizerG.step()
    with torch.no_grad():
        fake = netG(fixed_noise).detach().cpu()
        # how diagonal the samples are: mean brightness on the main diagonals vs off them
        on = torch.stack([fake[:, 0, k, k] for k in range(8)], dim=1).mean().item()
    return {"diagonal": on, "mean": fake.mean().item()}
