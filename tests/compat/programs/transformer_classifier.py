"""A Transformer-encoder classifier in the style of PyTorch's transformer tutorials:
embedding + sinusoidal positional encoding (a registered buffer), ``nn.TransformerEncoder``,
mean pooling, a linear head. Task: is token 1 more frequent than token 2 in the sequence?"""

import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):
    def __init__(self, ntoken, d_model=32, nhead=4, d_hid=64, nlayers=2, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(ntoken, d_model)
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
        self.d_model = d_model
        self.head = nn.Linear(d_model, 2)

    def forward(self, src):
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src)
        return self.head(output.mean(dim=0))


def make_data(seed, n=256, length=12):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, 6, (length, n), generator=g)
    labels = ((tokens == 1).sum(0) > (tokens == 2).sum(0)).long()
    return tokens, labels


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    src, labels = make_data(0)
    test_src, test_labels = make_data(1)
    model = TransformerClassifier(6)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(6):
        model.train()
        for i in range(0, src.size(1), 32):
            optimizer.zero_grad()
            loss = criterion(model(src[:, i : i + 32]), labels[i : i + 32])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(test_src)
        accuracy = (logits.argmax(1) == test_labels).float().mean().item()
        test_loss = criterion(logits, test_labels).item()
    return {"loss": test_loss, "accuracy": accuracy}
