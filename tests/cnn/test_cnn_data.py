"""Vision datasets (files written here in the real formats; no internet), shapes and transforms."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import transforms as T
from gradstudent.datasets import vision
from gradstudent.datasets.shapes import CLASSES, Shapes, make_shapes
from gradstudent.utils.data import DataLoader


def _write_mnist(root: Path, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)
    root.mkdir(parents=True, exist_ok=True)
    for prefix in ("train", "t10k"):
        vision.write_idx(root / f"{prefix}-images-idx3-ubyte.gz", images)
        vision.write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return images, labels


def test_idx_round_trip_and_header_checks(tmp_path: Path) -> None:
    for dtype in (np.uint8, np.int16, np.int32, np.float32, np.float64):
        a = (np.arange(24).reshape(2, 3, 4) * 3).astype(dtype)
        vision.write_idx(tmp_path / "a.idx", a)
        vision.write_idx(tmp_path / "a.idx.gz", a)
        for name in ("a.idx", "a.idx.gz"):
            b = vision.read_idx(tmp_path / name)
            assert b.dtype == np.dtype(dtype) and b.shape == (2, 3, 4) and np.array_equal(a, b)
    raw = (tmp_path / "a.idx").read_bytes()
    (tmp_path / "short.idx").write_bytes(raw[:-3])
    with pytest.raises(ValueError, match="announces"):
        vision.read_idx(tmp_path / "short.idx")
    (tmp_path / "bad.idx").write_bytes(b"\x01\x02" + raw[2:])
    with pytest.raises(ValueError, match="not an IDX file"):
        vision.read_idx(tmp_path / "bad.idx")
    # the magic number of MNIST's image file, byte for byte
    with gzip.open(tmp_path / "m.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(2 * 784))
    assert vision.read_idx(tmp_path / "m.gz").shape == (2, 28, 28)


def test_mnist_and_fashion_read_local_files(tmp_path: Path) -> None:
    images, labels = _write_mnist(tmp_path / "MNIST")
    ds = vision.MNIST(tmp_path / "MNIST", train=True, download=False, verify=False)
    assert len(ds) == 12 and ds.data.dtype == np.uint8
    x, y = ds[3]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y == labels[3]
    np.testing.assert_allclose(x._data[0], images[3] / 255.0, rtol=1e-6)
    tds = vision.MNIST(tmp_path / "MNIST", train=False, transform=T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)]), download=False, verify=False)
    x2, _ = tds[3]
    np.testing.assert_allclose(x2._data, (images[3][None] / 255.0 - 0.5) / 0.5, rtol=1e-5, atol=1e-6)
    X, Y = ds.arrays()
    assert X.shape == (12, 1, 28, 28) and Y.dtype == np.int64
    xb, yb = next(iter(DataLoader(ds, batch_size=5)))
    assert xb.shape == (5, 1, 28, 28) and yb.shape == (5,)
    _write_mnist(tmp_path / "FashionMNIST")
    assert vision.FashionMNIST(tmp_path / "FashionMNIST", download=False, verify=False).classes[0] == "T-shirt/top"
    with pytest.raises(FileNotFoundError, match="download=True"):
        vision.MNIST(tmp_path / "empty", download=False, verify=False)


def test_cifar10_reads_binary_batches_and_the_archive(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    images, labels = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, 5)
    # 1) the .bin files in place
    folder = tmp_path / "a" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for name in vision.CIFAR10.train_files + vision.CIFAR10.test_files:
        vision.write_cifar_bin(folder / name, images, labels)
    ds = vision.CIFAR10(tmp_path / "a", train=True, download=False, verify=False)
    assert len(ds) == 25 and ds.data.shape == (25, 32, 32, 3)
    x, y = ds[6]
    assert x.shape == (3, 32, 32) and y == labels[1]
    np.testing.assert_allclose(x._data, images[1].transpose(2, 0, 1) / 255.0, rtol=1e-6)
    # the record layout: label byte, then the red, green and blue planes
    raw = (folder / "test_batch.bin").read_bytes()
    assert len(raw) == 5 * 3073 and raw[0] == labels[0] and raw[1:1025] == images[0][:, :, 0].tobytes()
    # 2) only the downloaded archive present: it is unpacked on first use
    archive = tmp_path / "b" / "cifar-10-binary.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        for name in vision.CIFAR10.train_files + vision.CIFAR10.test_files:
            tar.add(folder / name, arcname=f"cifar-10-batches-bin/{name}")
    test = vision.CIFAR10(tmp_path / "b", train=False, download=False, verify=False)
    assert len(test) == 5 and (tmp_path / "b" / "cifar-10-batches-bin" / "data_batch_3.bin").exists()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_fetch_checks_checksums_and_reports_offline(tmp_path: Path, monkeypatch) -> None:
    """A local HTTP server (loopback only) stands in for the internet."""
    served = tmp_path / "served"
    served.mkdir()
    payload = b"some bytes " * 100
    (served / "file.bin").write_bytes(payload)
    handler = lambda *a, **k: _Quiet(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/file.bin"
    try:
        cache = tmp_path / "cache"
        with pytest.raises(RuntimeError, match="checksum"):
            vision.fetch(url, "0" * 32, cache)
        assert not any(cache.iterdir()) if cache.exists() else True  # no partial or bad file left
        good = hashlib.md5(payload).hexdigest()
        path = vision.fetch(url, good, cache)
        assert path.read_bytes() == payload
    finally:
        server.shutdown()
        server.server_close()
    assert vision.fetch(url, good, cache) == path  # cached: no network needed any more
    with pytest.raises(RuntimeError, match="offline"):
        vision.fetch("http://127.0.0.1:9/nothing.gz", "0" * 32, tmp_path / "cache2")
    monkeypatch.setenv("GRADSTUDENT_DATA", str(tmp_path / "mine"))
    assert vision.data_dir() == tmp_path / "mine"


def test_shapes_are_seeded_balanced_and_fast() -> None:
    import time

    t = time.perf_counter()
    X, y = make_shapes(2000, seed=3)
    assert time.perf_counter() - t < 5.0
    assert X.shape == (2000, 3, 32, 32) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y, minlength=len(CLASSES)).min() > 150
    X2, y2 = make_shapes(2000, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    g, _ = make_shapes(10, image_size=16, channels=1, classes=3, seed=0)
    assert g.shape == (10, 1, 16, 16)
    train, test = Shapes("train", n=50, seed=0), Shapes("test", n=50, seed=0)
    assert not np.array_equal(train.data[:5], test.data[:5])
    x, label = Shapes("train", n=4, transform=T.RandomHorizontalFlip(p=1.0))[0]
    np.testing.assert_array_equal(x._data, make_shapes(4, seed=0)[0][0][:, :, ::-1])
    # the class signal is real: per-class mean images differ
    means = np.stack([X[y == k].mean(0) for k in range(len(CLASSES))])
    assert np.abs(means[0] - means[5]).max() > 0.05


def test_transforms_single_images_and_batches() -> None:
    gen = gs.Generator().manual_seed(0)
    img = np.arange(3 * 6 * 6, dtype=np.float32).reshape(3, 6, 6)
    assert T.RandomHorizontalFlip(p=1.0)(img)._data.tolist() == img[:, :, ::-1].tolist()
    assert np.array_equal(T.RandomHorizontalFlip(p=0.0)(img)._data, img)
    crop = T.RandomCrop(6, padding=2, generator=gen)
    batch = np.stack([img] * 200)
    out = crop(batch)._data
    assert out.shape == (200, 3, 6, 6)
    # every crop is a shifted window of the padded image, shifts -2..2, not all identical
    padded = np.pad(batch, ((0, 0), (0, 0), (2, 2), (2, 2)))
    shifts = set()
    for i in range(200):
        hits = [(a, b) for a in range(5) for b in range(5) if np.array_equal(out[i], padded[i, :, a : a + 6, b : b + 6])]
        assert hits
        shifts.add(hits[0])
    assert len(shifts) > 15
    # seeded: the same generator state gives the same augmentation
    a = T.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10, generator=gs.Generator().manual_seed(5))(batch[:4])
    b = T.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10, generator=gs.Generator().manual_seed(5))(batch[:4])
    assert np.array_equal(a._data, b._data)
    gs.manual_seed(1)
    c = T.RandomRotation(20)(img)._data
    gs.manual_seed(1)
    assert np.array_equal(c, T.RandomRotation(20)(img)._data)
    # a rotation by 90 degrees of a square image is an exact pixel permutation
    rot = T.RandomRotation((90, 90), interpolation="nearest")(img)._data
    assert sorted(rot.ravel().tolist()) == sorted(img.ravel().tolist())
    assert np.array_equal(T.RandomAffine(0)(img)._data, img)  # identity map
    noisy = T.GaussianNoise(sigma=0.5, clip=(0.0, 1.0), generator=gen)(np.full((1000,), 0.5, np.float32))._data
    assert noisy.min() >= 0 and noisy.max() <= 1 and 0.3 < noisy.std() < 0.5
    norm = T.Normalize([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])(img)._data
    np.testing.assert_allclose(norm[2], (img[2] - 3.0) / 2.0)
    u8 = np.full((4, 5, 3), 255, np.uint8)
    assert T.ToTensor()(u8).shape == (3, 4, 5) and T.ToTensor()(u8)._data.max() == 1.0
    assert "RandomCrop" in repr(T.Compose([crop, T.ToTensor()]))
