"""A sequence model in the style of pytorch/examples ``time_sequence_prediction``: an LSTM
reads noisy sine waves and predicts the next value at every step (Adam instead of LBFGS)."""

import math

import torch
import torch.nn as nn


class Sequence(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=1, batch_first=True)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input):
        self.lstm.flatten_parameters()
        output, (h_n, c_n) = self.lstm(input)
        return self.linear(output)


def make_data(seed, n=32, length=40):
    g = torch.Generator().manual_seed(seed)
    phase = torch.rand(n, 1, generator=g) * 2 * math.pi
    t = torch.arange(length + 1, dtype=torch.float32).unsqueeze(0)
    waves = torch.sin(0.3 * t + phase) + 0.05 * torch.randn(n, length + 1, generator=g)
    return waves[:, :-1].unsqueeze(-1), waves[:, 1:].unsqueeze(-1)


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    inputs, targets = make_data(0)
    test_inputs, test_targets = make_data(1)
    seq = Sequence()
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(seq.parameters(), lr=0.02)
    for step in range(60):
        optimizer.zero_grad()
        loss = criterion(seq(inputs), targets)
        loss.backward()
        nn.utils.clip_grad_norm_(seq.parameters(), 1.0)
        optimizer.step()
    with torch.no_grad():
        test_loss = criterion(seq(test_inputs), test_targets)
    return {"loss": test_loss.item()}
