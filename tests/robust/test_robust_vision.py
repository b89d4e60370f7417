"""Issue 11 (data loaders): cached files verified before use; bad caches give clear errors.

Every file is small and written here; a loopback HTTP server stands in for the internet."""

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from gradstudent.datasets import vision


def _idx(path: Path, array: np.ndarray) -> bytes:
    vision.write_idx(path, array)
    return path.read_bytes()


def _tiny_mnist(folder: Path, n: int = 12) -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for prefix in ("train", "t10k"):
        out[f"{prefix}-images-idx3-ubyte.gz"] = _idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        out[f"{prefix}-labels-idx1-ubyte.gz"] = _idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n).astype(np.uint8))
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_corrupted_cache_is_refused_offline_and_redownloaded_online(tmp_path):
    served = tmp_path / "served"
    payloads = _tiny_mnist(served)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a, **k: _Quiet(*a, directory=str(served), **k))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    class Tiny(vision.MNIST):
        mirror = f"http://127.0.0.1:{server.server_address[1]}/"
        files = {name: hashlib.md5(data).hexdigest() for name, data in payloads.items()}
        sizes = {"train": 12, "t10k": 12}

    try:
        cache = tmp_path / "cache"
        _tiny_mnist(cache, n=7)  # a cached test set of 7 images under the right names
        with pytest.raises(RuntimeError, match="corrupted or not the expected file.*Delete it"):
            Tiny(cache, train=False, download=False)
        ds = Tiny(cache, train=False, download=True)  # verified, found wrong, downloaded again
        assert len(ds) == 12 and (cache / "t10k-images-idx3-ubyte.gz").read_bytes() == payloads["t10k-images-idx3-ubyte.gz"]
    finally:
        server.shutdown()
        server.server_close()
    (cache / "train-images-idx3-ubyte.gz").write_bytes(b"<html>503 Service Unavailable</html>")

    class Offline(Tiny):
        mirror = "http://127.0.0.1:9/"

    with pytest.raises(RuntimeError, match="offline"):
        Offline(cache, train=True, download=True)
    assert not (cache / "train-images-idx3-ubyte.gz").exists()  # the bad file is not used again


def test_real_mnist_sizes_are_checked(tmp_path):
    folder = tmp_path / "MNIST"
    _tiny_mnist(folder, n=7)
    for name in list(folder.iterdir()):  # only unpacked files: no checksum, so the content is checked
        name.with_suffix("").write_bytes(gzip.decompress(name.read_bytes()))
        name.unlink()
    with pytest.raises(ValueError, match="expected 10000 images, the files hold 7"):
        vision.MNIST(folder, train=False, download=False)
    assert len(vision.MNIST(folder, train=False, download=False, verify=False)) == 7


@pytest.mark.parametrize("content", [b"<!DOCTYPE html><html>Not Found</html>", "truncated"])
def test_truncated_or_html_gzip_files(tmp_path, content):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    full = _idx(path, np.zeros((3, 28, 28), np.uint8))
    path.write_bytes(full[: len(full) // 2] if content == "truncated" else content)
    with pytest.raises(ValueError, match="not a complete gzip file"):
        vision.read_idx(path)


def test_absurd_idx_header_and_float_images(tmp_path):
    path = tmp_path / "big.idx"
    path.write_bytes(bytes([0, 0, 8, 4]) + (65536).to_bytes(4, "big") * 4 + bytes(16))
    with pytest.raises(ValueError, match="announces"):
        vision.read_idx(path)
    path.write_bytes(bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big"))
    with pytest.raises(ValueError, match="truncated inside its header"):
        vision.read_idx(path)
    folder = tmp_path / "MNIST"
    folder.mkdir()
    vision.write_idx(folder / "t10k-images-idx3-ubyte.gz", np.full((2, 28, 28), 200.0, np.float32))
    vision.write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="images must be uint8"):
        vision.MNIST(folder, train=False, download=False, verify=False)
    vision.write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8))
    vision.write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.array([3, 12], np.uint8))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        vision.MNIST(folder, train=False, download=False, verify=False)


def test_bad_cifar_caches(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "cifar-10-binary.tar.gz").write_bytes(b"<html>oops</html>")
    with pytest.raises(RuntimeError, match="corrupted or not the expected file"):
        vision.CIFAR10(root, train=False, download=False)
    with pytest.raises(RuntimeError, match="archive .* is corrupted"):
        vision.CIFAR10(root, train=False, download=False, verify=False)
    (root / "cifar-10-binary.tar.gz").unlink()
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(exist_ok=True)
    vision.write_cifar_bin(folder / "test_batch.bin", np.zeros((3, 32, 32, 3), np.uint8), np.zeros(3))
    with pytest.raises(FileNotFoundError, match="pass download=True"):
        vision.CIFAR10(root, train=False, download=False)  # 3 records, not the published 10000
    assert len(vision.CIFAR10(root, train=False, download=False, verify=False)) == 3
    (folder / "test_batch.bin").write_bytes(bytes(3073 * 2 + 5))
    with pytest.raises(ValueError, match="not a multiple"):
        vision.CIFAR10(root, train=False, download=False, verify=False)
