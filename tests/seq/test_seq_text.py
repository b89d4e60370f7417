"""Tokenizers, the n-gram baseline, sampling and the corpus loaders (no network)."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from gradstudent import text as T
from gradstudent.text import corpus as C

SAMPLE = "The LORD is my shepherd; I shall not want.\nHe maketh me to lie down in green pastures: he leadeth me beside the still waters.\n"


# ---------------------------------------------------------------- tokenizers
def test_char_tokenizer_round_trip():
    tok = T.CharTokenizer.from_text(SAMPLE)
    ids = tok.encode(SAMPLE)
    assert ids.dtype == np.int64 and tok.decode(ids) == SAMPLE
    assert tok.vocab_size == len(set(SAMPLE))
    assert tok.itos == sorted(set(SAMPLE))
    with pytest.raises(KeyError, match="not in the vocabulary"):
        tok.encode("Zebra")
    unk = T.CharTokenizer.from_text("abc", unk="?")
    assert unk.decode(unk.encode("abz")) == "ab?"
    again = T.CharTokenizer.from_dict(tok.to_dict())
    assert again.encode(SAMPLE).tolist() == ids.tolist()


def test_bpe_train_encode_decode_round_trip(tmp_path):
    corpus = T.load_offline_corpus()[:60_000]
    bpe = T.BPETokenizer.train(corpus, vocab_size=400)
    assert bpe.vocab_size == 400
    for s in (SAMPLE, corpus[:5000], "unseen wørds, ünïcode ✓ and\ttabs  \n", ""):
        assert bpe.decode(bpe.encode(s)) == s
    ids = bpe.encode(corpus[:5000])
    assert len(ids) < 0.6 * len(corpus[:5000].encode())  # merges compress the training text
    assert " the" in bpe.token_strings(bpe.encode("in the land"))  # a frequent word became one token
    path = tmp_path / "bpe.json"
    bpe.save(path)
    assert T.BPETokenizer.load(path).encode(SAMPLE).tolist() == bpe.encode(SAMPLE).tolist()


def test_bpe_merges_follow_frequency():
    bpe = T.BPETokenizer.train("ab ab ab ab cd", vocab_size=258)
    assert bpe.merges[0] == (ord("a"), ord("b"))
    assert bpe.encode("ab").tolist() == [256]
    with pytest.raises(ValueError, match="at least 256"):
        T.BPETokenizer.train("x", 100)


# ---------------------------------------------------------------- n-gram language model
@pytest.fixture(scope="module")
def char_data():
    text = T.load_offline_corpus()[:120_000]
    tok = T.CharTokenizer.from_text(text)
    train, val = T.split_ids(tok.encode(text), 0.1, block=1000, seed=0)
    return tok, train, val


def test_kneser_ney_is_a_distribution(char_data):
    tok, train, _ = char_data
    for order in (1, 2, 4):
        lm = T.NGramLM(order, tok.vocab_size).fit(train)
        for ctx in (train[:50], np.array([], dtype=np.int64), tok.encode("Zz")):
            p = lm.next_distribution(ctx)
            assert p.shape == (tok.vocab_size,) and np.all(p > 0)
            assert p.sum() == pytest.approx(1.0, abs=1e-12)
        # the unnormalised scores must already sum to one (interpolation is a proper mixture)
        padded = lm._padded(train[:20])
        words = np.arange(tok.vocab_size)
        keys = []
        for n in range(1, order + 1):
            ctx = 0
            for t_ in padded[padded.size - (n - 1) :] if n > 1 else []:
                ctx = ctx * lm.base + int(t_)
            ca = np.full(tok.vocab_size, ctx)
            keys.append((ca, ca * lm.base + words))
        assert lm._probability(keys).sum() == pytest.approx(1.0, abs=1e-9)


def test_ngram_perplexity_improves_with_order_and_beats_add_k(char_data):
    tok, train, val = char_data
    ppl = [T.NGramLM(n, tok.vocab_size).fit(train).perplexity(val) for n in (1, 2, 3, 5)]
    assert ppl[0] > ppl[1] > ppl[2] > ppl[3]
    assert ppl[0] < tok.vocab_size  # better than uniform
    add_k = T.NGramLM(5, tok.vocab_size, smoothing="add_k", k=0.1).fit(train).perplexity(val)
    assert ppl[3] < add_k  # Kneser-Ney beats add-k at the same order
    assert T.perplexity(math.log(7.0)) == pytest.approx(7.0)


def test_add_k_matches_hand_count():
    lm = T.NGramLM(2, 3, smoothing="add_k", k=1.0).fit(np.array([0, 1, 0, 1, 2]))
    # after token 0: seen "0 1" twice, c(0) = 2 -> P(1 | 0) = (2 + 1) / (2 + 3)
    assert lm.next_distribution(np.array([0]))[1] == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="token ids"):
        lm.fit(np.array([0, 5]))


def test_ngram_generate(char_data):
    tok, train, _ = char_data
    lm = T.NGramLM(4, tok.vocab_size).fit(train)
    out = lm.generate(tok.encode("The "), 40, np.random.default_rng(0))
    assert out.shape == (40,) and out.max() < tok.vocab_size


# ---------------------------------------------------------------- sampling
def test_sampling_filters():
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]]))
    p = T.filter_logits(logits, top_k=2)
    np.testing.assert_allclose(p, [[0.625, 0.375, 0, 0]])
    p = T.filter_logits(logits, top_p=0.7)  # 0.5 < 0.7 -> keep the second too, then stop
    np.testing.assert_allclose(p, [[0.625, 0.375, 0, 0]])
    p = T.filter_logits(logits, top_p=0.4)
    np.testing.assert_allclose(p, [[1, 0, 0, 0]])
    cold = T.filter_logits(logits, temperature=0.1)
    assert cold[0, 0] > 0.99
    hot = T.filter_logits(logits, temperature=100.0)
    assert np.ptp(hot) < 0.01
    rng = np.random.default_rng(0)
    draws = T.sample(np.repeat(logits, 20000, axis=0), rng=rng)
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 20000, [0.5, 0.3, 0.15, 0.05], atol=0.01)
    assert set(T.sample(np.repeat(logits, 500, axis=0), top_k=2, rng=rng).tolist()) == {0, 1}
    assert T.greedy(logits).tolist() == [0]
    with pytest.raises(ValueError, match="temperature"):
        T.filter_logits(logits, temperature=0)


# ---------------------------------------------------------------- corpora
def test_offline_corpus_and_split():
    text = T.load_offline_corpus()
    assert len(text) > 300_000 and "shepherd" in text
    ids = np.arange(10_000)
    tr, va = T.split_ids(ids, 0.1, block=500, seed=1)
    assert len(tr) + len(va) == 10_000 and len(va) == 1000
    assert not set(tr.tolist()) & set(va.tolist())
    x, y = T.random_windows(ids, 4, 8, np.random.default_rng(0))
    assert x.shape == (4, 8) and np.all(y == x + 1)
    x, y = T.sequential_windows(ids, 100)
    assert x.shape == (99, 100) and np.all(y == x + 1)


def test_download_uses_cache_and_checksum(tmp_path, monkeypatch):
    """A file already in the cache with the right hash is used without any network access."""
    import pooch

    payload = b"First Citizen:\nBefore we proceed any further, hear me speak.\n"
    sha = hashlib.sha256(payload).hexdigest()
    (tmp_path / "tiny_shakespeare.txt").write_bytes(payload)

    def no_network(*args, **kwargs):
        raise AssertionError("the network must not be used when the cached file is valid")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", no_network)
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path))
    assert T.tiny_shakespeare(sha256=sha) == payload.decode()
    assert C.data_home() == tmp_path


def test_download_failure_is_clear_and_leaves_no_file(tmp_path):
    """An unreachable URL gives a clear error, and no partial file is left in the cache."""
    with pytest.raises(RuntimeError, match="could not download .* Are you offline"):
        C.download("http://127.0.0.1:9/none.txt", "0" * 64, "x.txt", tmp_path)
    assert not (tmp_path / "x.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.is_file()]


def test_checksum_mismatch_removes_the_file(tmp_path):
    """A local file served by URL with the wrong hash is rejected and not kept."""
    src = tmp_path / "src.txt"
    src.write_text("not shakespeare")
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="SHA-256"):
        C.download(src.as_uri(), "0" * 64, "corpus.txt", cache)
    assert not (cache / "corpus.txt").exists()
    with pytest.raises(ValueError, match="unknown corpus"):
        T.load_corpus("war-and-peace")
