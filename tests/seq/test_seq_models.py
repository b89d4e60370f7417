"""Sequence models (GPT, CharLSTM, Seq2Seq, classifiers) and smoke runs of the seven experiments."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn
from gradstudent.models.gpt import GPT
from gradstudent.models.seq2seq import Seq2Seq
from gradstudent.models.sequence import AttentionClassifier, CharLSTM, RecurrentClassifier

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def torch_gpt(V, block, n_layer, n_head, d):
    """gradstudent.models.gpt.GPT written with torch.nn (same parameter names)."""

    class TorchGPT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = torch.nn.Embedding(V, d)
            self.pos_emb = torch.nn.Embedding(block, d)
            self.drop = torch.nn.Dropout(0.0)
            self.blocks = torch.nn.ModuleList(
                [torch.nn.TransformerEncoderLayer(d, n_head, 4 * d, 0.0, activation="gelu", batch_first=True, norm_first=True) for _ in range(n_layer)]
            )
            self.ln_f = torch.nn.LayerNorm(d)
            self.head = torch.nn.Linear(d, V)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.drop(self.tok_emb(idx) + self.pos_emb(torch.arange(T)))
            mask = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=x.dtype)
            for block in self.blocks:
                x = block(x, src_mask=mask, is_causal=True)
            return self.head(self.ln_f(x))

    return TorchGPT()


def test_gpt_trained_state_dict_gives_same_outputs_and_gradients_in_torch():
    gs.manual_seed(0)
    model = GPT(11, 16, n_layer=2, n_head=2, d_model=16)
    opt = gs.optim.AdamW(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 11, (4, 16))
    y = rng.integers(0, 11, (4, 16))
    for _ in range(5):
        opt.zero_grad()
        nn.functional.cross_entropy(model(gs.tensor(x)).reshape(-1, 11), gs.tensor(y.reshape(-1))).backward()
        opt.step()
    t = torch_gpt(11, 16, 2, 2, 16)
    t.load_state_dict({k: torch.tensor(v._data) for k, v in model.state_dict().items()})
    model.zero_grad()
    g_loss = nn.functional.cross_entropy(model(gs.tensor(x)).reshape(-1, 11), gs.tensor(y.reshape(-1)))
    t_loss = torch.nn.functional.cross_entropy(t(torch.tensor(x)).reshape(-1, 11), torch.tensor(y.reshape(-1)))
    assert g_loss.item() == pytest.approx(t_loss.item(), abs=1e-5)
    g_loss.backward()
    t_loss.backward()
    tp = dict(t.named_parameters())
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.grad._data, tp[n].grad.numpy(), atol=2e-5, err_msg=n)


def test_gpt_is_causal_and_generates():
    gs.manual_seed(0)
    model = GPT(7, 8, n_layer=1, n_head=2, d_model=8)
    x = np.array([[1, 2, 3, 4, 5, 6]])
    a = model(gs.tensor(x))._data
    x2 = x.copy()
    x2[0, 4:] = 0  # changing later tokens must not change earlier predictions
    b = model(gs.tensor(x2))._data
    np.testing.assert_allclose(a[0, :4], b[0, :4], atol=1e-6)
    out = model.generate(x, 12, temperature=0.8, top_k=3, rng=np.random.default_rng(0))
    assert out.shape == (1, 18) and np.all(out[:, :6] == x)
    with pytest.raises(ValueError, match="block_size"):
        model(gs.tensor(np.zeros((1, 9), dtype=np.int64)))


def test_char_lstm_state_carry_equals_one_long_pass():
    gs.manual_seed(0)
    m = CharLSTM(9, 8, 16)
    x = np.random.default_rng(0).integers(0, 9, (2, 12))
    full, _ = m(gs.tensor(x))
    a, state = m(gs.tensor(x[:, :5]))
    b, _ = m(gs.tensor(x[:, 5:]), tuple(s.detach() for s in state))
    np.testing.assert_allclose(np.concatenate([a._data, b._data], 1), full._data, atol=1e-6)
    assert m.generate(x[0], 5, rng=np.random.default_rng(0)).shape == (5,)


def test_char_lstm_dropout_only_in_training():
    gs.manual_seed(0)
    m = CharLSTM(9, 8, 16, dropout=0.5)
    plain = CharLSTM(9, 8, 16)
    plain.load_state_dict(m.state_dict())
    x = gs.tensor(np.random.default_rng(0).integers(0, 9, (2, 12)))
    a, _ = m(x)
    b, _ = m(x)
    assert not np.allclose(a._data, b._data)  # embeddings and LSTM outputs are dropped afresh
    m.eval()
    np.testing.assert_allclose(m(x)[0]._data, plain(x)[0]._data, atol=1e-6)


def test_classifiers_and_seq2seq_shapes():
    x = gs.randn(3, 20, 2)
    for cell in ("RNN", "GRU", "LSTM"):
        assert RecurrentClassifier(2, 8, 4, cell=cell, bidirectional=cell == "GRU")(x).shape == (3, 4)
    assert AttentionClassifier(2, 8, 4, max_len=20, nhead=2)(x).shape == (3, 4)
    model = Seq2Seq(10, 6, embed=8, hidden=8, attn=8)
    src = gs.tensor(np.array([[3, 4, 5, 0], [6, 7, 0, 0]]))
    logits = model(src, gs.tensor(np.array([[1, 3, 4], [1, 5, 3]])))
    assert logits.shape == (2, 3, 6)
    tokens, attn = model.greedy_decode(src, 4)
    assert tokens.shape == (2, 4) and attn.shape == (2, 4, 4)
    np.testing.assert_allclose(attn.sum(-1), 1.0, atol=1e-5)
    assert np.all(attn[1, :, 2:] == 0)  # padding gets no attention


@pytest.mark.parametrize(
    "name,overrides",
    [
        ("char-lstm", {"seconds": 1.5, "epochs": 1, "lstm_hidden": 16}),
        ("char-gpt", {"seconds": 2, "epochs": 2, "lstm_hidden": 16, "gpt_d": 16, "block_size": 16}),
        ("ngram-vs-neural", {"seconds": 1.5, "epochs": 1, "lstm_hidden": 16, "gpt_d": 16, "block_size": 16}),
        ("seq2seq-attention", {"epochs": 1, "n_train": 256, "n_test": 64, "hidden": 16}),
        ("vanishing-gradients", {"steps": 30, "hidden": 8, "repeats": 1, "batch": 4}),
        ("word-vectors", {"epochs": 1, "dim": 8}),
        ("sequence-classify", {"epochs": 1, "n_train": 128, "n_test": 64, "length": 30, "hidden": 8}),
    ],
)
def test_experiment_smoke(name, overrides, tmp_path, monkeypatch):
    from gradstudent.experiments import registry

    if name in ("char-gpt", "ngram-vs-neural"):  # the n-gram sweep is the slow part: two orders suffice here
        from gradstudent.experiments import _lm_common

        original = _lm_common.best_ngram
        monkeypatch.setattr(_lm_common, "best_ngram", lambda data, orders=range(1, 3): original(data, orders))
        monkeypatch.setattr(f"gradstudent.experiments.{name.replace('-', '_')}.best_ngram", lambda data: original(data, range(1, 3)))
    exp = registry.get(name)
    cfg = {**exp.defaults, **overrides, "seed": 0}
    ctx = registry.RunContext(name, cfg, tmp_path, quiet=True)
    (tmp_path / "log.txt").touch()
    result = exp.run(ctx)
    assert result and all(np.isfinite(v) for v in result.values() if isinstance(v, float))
    json.dumps(result)
    assert any(p.suffix in (".png", ".md", ".txt") for p in tmp_path.iterdir())
    if name == "char-gpt":  # the learning curves: one point per round for each network, and their plot
        assert (tmp_path / "learning_curves.png").exists()
        curve = (tmp_path / "learning_curves.md").read_text()
        assert curve.count("| gpt") == 2 and curve.count("| lstm") == 2, curve
