"""PyTorch's "Sequence Models and LSTM Networks" tutorial: the part-of-speech tagger,
here with a bidirectional LSTM and a little more training data."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
    ("The cat read the book".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody ate that apple".split(), ["NN", "V", "DET", "NN"]),
    ("The dog read that book".split(), ["DET", "NN", "V", "DET", "NN"]),
]
test_data = [("The cat ate that apple".split(), ["DET", "NN", "V", "DET", "NN"])]
EMBEDDING_DIM = 8
HIDDEN_DIM = 8


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, bidirectional=True)
        self.hidden2tag = nn.Linear(2 * hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    word_to_ix = {}
    for sent, tags in training_data + test_data:
        for word in sent:
            if word not in word_to_ix:
                word_to_ix[word] = len(word_to_ix)
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
    model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(60):
        for sentence, tags in training_data:
            model.zero_grad()
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, tag_to_ix)
            tag_scores = model(sentence_in)
            loss = loss_function(tag_scores, targets)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        total, correct = 0.0, 0
        for sentence, tags in training_data + test_data:
            scores = model(prepare_sequence(sentence, word_to_ix))
            total += loss_function(scores, prepare_sequence(tags, tag_to_ix)).item()
            correct += (scores.argmax(1) == prepare_sequence(tags, tag_to_ix)).sum().item()
    n = sum(len(t) for _, t in training_data + test_data)
    return {"loss": total / len(training_data + test_data), "accuracy": correct / n}
