"""W4: character LSTM language model, one training step (BENCHMARKS.md)."""

from . import Step

NAME = "W4"
DESCRIPTION = "char LSTM LM: Embedding(65,64)-LSTM(64->256)-Linear(256->65), batch 32, seq 64, Adam"
VOCAB, EMBED, HIDDEN, BATCH, SEQ = 65, 64, 256, 32, 64


def make_gradstudent(device: str = "cpu") -> Step:
    import numpy as np

    import gradstudent as gs
    from gradstudent import nn, optim

    gs.manual_seed(0)

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
            self.head = nn.Linear(HIDDEN, VOCAB)

        def forward(self, idx):
            out, _ = self.lstm(self.embed(idx))
            return self.head(out)

    model = CharLSTM().to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = gs.from_numpy(rng.integers(0, VOCAB, (BATCH, SEQ))).to(device)
    y = gs.from_numpy(rng.integers(0, VOCAB, (BATCH, SEQ))).to(device)

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()

    return step


def make_torch(device: str = "cpu") -> Step:
    import torch

    torch.manual_seed(0)

    class CharLSTM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, EMBED)
            self.lstm = torch.nn.LSTM(EMBED, HIDDEN, batch_first=True)
            self.head = torch.nn.Linear(HIDDEN, VOCAB)

        def forward(self, idx):
            out, _ = self.lstm(self.embed(idx))
            return self.head(out)

    model = CharLSTM().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randint(0, VOCAB, (BATCH, SEQ)).to(device)
    y = torch.randint(0, VOCAB, (BATCH, SEQ)).to(device)

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()

    return step
