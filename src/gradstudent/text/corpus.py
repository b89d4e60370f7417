"""Text corpora: an offline one shipped with the package, and Tiny Shakespeare (downloaded once).

* :func:`load_offline_corpus` -- the poetic books of the King James Bible (Job, Psalms,
  Proverbs, Ecclesiastes, Song of Solomon; 1611, public domain; about 440 KB, 75
  distinct characters), one verse per line. It needs no network, so the default
  runs and the tests use it.
* :func:`tiny_shakespeare` -- Karpathy's 1.1 MB Tiny Shakespeare, fetched with ``pooch``
  into the data cache (``$GRADSTUDENT_DATA``, default ``pooch.os_cache("gradstudent")``)
  and verified against its SHA-256. A failed or partial download leaves no file behind.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np

TINY_SHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
OFFLINE_CORPUS = "kjv_poetry.txt"


def data_home(path: str | os.PathLike | None = None) -> Path:
    """The data cache: ``path``, else ``$GRADSTUDENT_DATA``, else pooch's per-user cache."""
    if path is not None:
        return Path(path)
    env = os.environ.get("GRADSTUDENT_DATA")
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("gradstudent"))


def load_offline_corpus() -> str:
    """The shipped public-domain corpus as one string."""
    return resources.files("gradstudent.text").joinpath("data", OFFLINE_CORPUS).read_text(encoding="utf-8")


def download(url: str, sha256: str, fname: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Fetch ``url`` into the cache once and check its SHA-256; a clear error when offline.

    pooch downloads to a temporary file and moves it into place only after the
    hash matched, so an interrupted or corrupted download leaves no partial file.
    """
    import pooch

    folder = data_home(data_dir)
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=fname, path=folder, progressbar=False)
    except ValueError as err:  # hash mismatch: pooch has already removed the file
        raise RuntimeError(f"download of {url} failed its SHA-256 check (expected {sha256}): {err}") from None
    except Exception as err:  # network errors: requests/urllib/ssl raise various types
        raise RuntimeError(
            f"could not download {url} into {folder} ({type(err).__name__}: {err}). Are you offline? "
            f"Put the file there by hand as {fname}, or use the offline corpus (load_offline_corpus())."
        ) from None
    return Path(path)


def tiny_shakespeare(data_dir: str | os.PathLike | None = None, url: str = TINY_SHAKESPEARE_URL, sha256: str = TINY_SHAKESPEARE_SHA256) -> str:
    """Tiny Shakespeare (1,115,394 characters), downloaded on first use."""
    return download(url, sha256, "tiny_shakespeare.txt", data_dir).read_text(encoding="utf-8")


def load_corpus(name: str = "kjv-poetry", data_dir: str | os.PathLike | None = None) -> str:
    """``"kjv-poetry"`` (offline, shipped) or ``"tiny-shakespeare"`` (downloaded once)."""
    if name == "kjv-poetry":
        return load_offline_corpus()
    if name == "tiny-shakespeare":
        return tiny_shakespeare(data_dir)
    raise ValueError(f"load_corpus: unknown corpus {name!r}; expected 'kjv-poetry' or 'tiny-shakespeare'")


def split_ids(ids: np.ndarray, val_fraction: float = 0.1, block: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hold out a random ``val_fraction`` of contiguous blocks (so validation covers every book).

    Returns (train ids, validation ids), each the concatenation of its blocks in order.
    """
    n_blocks = max(2, len(ids) // block)
    rng = np.random.default_rng(seed)
    val = np.zeros(n_blocks, bool)
    val[rng.choice(n_blocks, max(1, round(n_blocks * val_fraction)), replace=False)] = True
    edges = np.linspace(0, len(ids), n_blocks + 1).astype(int)
    parts = [ids[a:b] for a, b in zip(edges[:-1], edges[1:])]
    train = np.concatenate([p for p, v in zip(parts, val) if not v])
    valid = np.concatenate([p for p, v in zip(parts, val) if v])
    return train, valid


def random_windows(ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A batch of (inputs, next-token targets), each (batch_size, seq_len), from random offsets."""
    starts = rng.integers(0, len(ids) - seq_len - 1, batch_size)
    idx = starts[:, None] + np.arange(seq_len)
    return ids[idx], ids[idx + 1]


def sequential_windows(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """All non-overlapping (input, target) windows covering ``ids``: (N, seq_len) each."""
    n = (len(ids) - 1) // seq_len
    x = ids[: n * seq_len].reshape(n, seq_len)
    y = ids[1 : n * seq_len + 1].reshape(n, seq_len)
    return x, y
