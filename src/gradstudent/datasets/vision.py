"""Real image datasets: MNIST, Fashion-MNIST (IDX files) and CIFAR-10 (its binary version).

Files are downloaded once with ``pooch`` into a cache folder, ``$GRADSTUDENT_DATA``
if set, else ``pooch.os_cache("gradstudent")``, and checked against the
published MD5 checksums. Pooch downloads into a temporary file and renames it
only after the checksum matched, so a failed or corrupted download leaves
nothing behind. Files already in the cache are verified against the same
checksums before every use: a truncated or wrong file (an HTML error page saved
under the right name) is downloaded again, or, offline / with ``download=False``,
refused with a message that says how to fix it. Your own files in the official
formats (a subset, a different split) load with ``verify=False``: then the
format is still checked (IDX header against the data size, uint8 images, labels
in range, CIFAR records of 3073 bytes).

Formats
-------
* IDX (MNIST family): a 4-byte magic number ``0 0 <type> <ndim>``, then ``ndim``
  big-endian uint32 sizes, then the values (type 0x08 = uint8), gzip-compressed.
* CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (the red, green
  and blue 32x32 planes, row-major), 10000 records per ``.bin`` file.

Each dataset keeps ``data`` (uint8, (N, H, W) or (N, H, W, 3) as torchvision)
and ``targets``; ``ds[i]`` returns ``(image, label)`` where the image is the
raw uint8 array passed through ``transform`` if one is given, else a float32
(C, H, W) tensor in [0, 1] (what ``transforms.ToTensor()`` gives).
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset

IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def data_dir() -> Path:
    """The download cache: ``$GRADSTUDENT_DATA`` or pooch's per-user cache folder."""
    env = os.environ.get("GRADSTUDENT_DATA")
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("gradstudent"))


def md5_of(path: Path) -> str:
    """The MD5 of a file, read in 1 MiB chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, md5: str, folder: Path, download: bool = True) -> Path:
    """``folder/NAME`` verified against ``md5``: downloaded (again) if missing or corrupted.

    A cached file that fails its checksum is downloaded again when ``download`` is true;
    otherwise (or when the download fails) the error says how to fix it.
    """
    import pooch

    fname = url.rsplit("/", 1)[-1]
    target = folder / fname
    if target.exists():
        actual = md5_of(target)
        if actual == md5:
            return target
        if not download:
            raise RuntimeError(
                f"{target} is corrupted or not the expected file (md5 {actual}, expected {md5}). Delete it and pass "
                f"download=True to fetch it again, or copy the right file there (or pass verify=False to use your own files)."
            )
        target.unlink()  # pooch keeps the new download only once its checksum matched
    elif not download:
        raise FileNotFoundError(f"{target} not found (pass download=True to fetch it from {url})")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        pooch.retrieve(url, known_hash=f"md5:{md5}", fname=fname, path=folder, progressbar=False)
    except ValueError as err:  # pooch: the downloaded file's hash does not match (it deleted the file)
        raise RuntimeError(f"download of {url} failed its checksum (expected md5 {md5}); nothing was kept. {err}") from None
    except Exception as err:  # requests' ConnectionError, timeouts, HTTP errors, ...
        raise RuntimeError(
            f"could not download {url} ({type(err).__name__}: {err}). Are you offline? Download the file "
            f"by hand and put it at {target} (md5 {md5}), or set GRADSTUDENT_DATA to a folder that has it."
        ) from None
    return target


# ---------------------------------------------------------------- IDX
def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (optionally ``.gz``) into an array of its stored shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:  # type: ignore[operator]
            raw = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(f"read_idx: {path} is not a complete gzip file (truncated download, or an HTML error page?): {err}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (magic bytes {raw[:4]!r})")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"read_idx: {path} is truncated inside its header ({len(raw)} bytes for {ndim} sizes)")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    dtype = np.dtype(IDX_TYPES[raw[2]])
    expected = 4 + 4 * ndim + math.prod(dims) * dtype.itemsize  # Python ints: 65536**4 does not wrap to 0
    if len(raw) != expected:
        raise ValueError(f"read_idx: {path} has {len(raw)} bytes but its header {dims} announces {expected}")
    return np.frombuffer(raw, dtype, offset=4 + 4 * ndim).reshape(dims).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzip-compressed if the name ends in ``.gz``)."""
    path = Path(path)
    codes = {np.dtype(v).newbyteorder(">") if np.dtype(v).itemsize > 1 else np.dtype(v): k for k, v in IDX_TYPES.items()}
    big = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    if big.dtype not in codes:
        raise ValueError(f"write_idx: dtype {array.dtype} has no IDX type code")
    header = bytes([0, 0, codes[big.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:  # type: ignore[operator]
        f.write(header + np.ascontiguousarray(big).tobytes())


class _ImageDataset(Dataset[tuple[Any, Any]]):
    data: np.ndarray  # uint8 images
    targets: np.ndarray  # int64 labels
    classes: list[str]

    def __init__(self, transform: Callable[[Any], Any] | None, target_transform: Callable[[Any], Any] | None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, label = self.data[index], int(self.targets[index])
        image = self.transform(image) if self.transform is not None else Tensor._make(_to_chw_float(image, self.color))
        return image, (self.target_transform(label) if self.target_transform is not None else label)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All images at once as float32 (N, C, H, W) in [0, 1], and int64 labels (fast full-batch use)."""
        return _to_chw_float(self.data, self.color), self.targets.astype(np.int64)

    @property
    def color(self) -> bool:
        return self.data.ndim == 4


def _to_chw_float(images: np.ndarray, color: bool) -> np.ndarray:
    """uint8 (..., H, W) grey or (..., H, W, 3) colour -> float32 (..., C, H, W) in [0, 1]."""
    x = images.astype(np.float32) * np.float32(1 / 255)
    return np.ascontiguousarray(np.moveaxis(x, -1, -3)) if color else x[..., None, :, :]


class MNIST(_ImageDataset):
    """LeCun's handwritten digits: 60000 train / 10000 test, 28x28 grey, 10 classes."""

    mirror = "https://ossci-datasets.s3.amazonaws.com/mnist/"
    files = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes = [str(d) for d in range(10)]

    sizes = {"train": 60000, "t10k": 10000}

    def __init__(
        self, root: str | os.PathLike[str] | None = None, train: bool = True, transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None, download: bool = True, verify: bool = True,
    ) -> None:
        super().__init__(transform, target_transform)
        self.root = Path(root) if root is not None else data_dir() / type(self).__name__
        prefix = "train" if train else "t10k"
        images = read_idx(self._file(f"{prefix}-images-idx3-ubyte.gz", download, verify))
        labels = read_idx(self._file(f"{prefix}-labels-idx1-ubyte.gz", download, verify))
        self.data, self.targets = self._checked(images, labels, self.sizes[prefix] if verify else None)

    def _checked(self, images: np.ndarray, labels: np.ndarray, size: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Images uint8 (N, 28, 28), labels int64 in [0, 10), N as published when ``size`` is given."""
        name = type(self).__name__
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"{name}: images must be uint8 of shape (N, 28, 28), got {images.dtype} {images.shape}")
        if labels.ndim != 1 or labels.dtype.kind not in "iu" or len(images) != len(labels):
            raise ValueError(f"{name}: images {images.shape} and labels {labels.dtype} {labels.shape} do not match")
        if labels.size and (labels.min() < 0 or labels.max() >= len(self.classes)):
            raise ValueError(f"{name}: labels must lie in [0, {len(self.classes)}), found {labels.min()}..{labels.max()}")
        if size is not None and len(images) != size:
            raise ValueError(f"{name}: expected {size} images, the files hold {len(images)}. Delete them to download "
                             "the real ones, or pass verify=False to use your own subset.")
        return images, labels.astype(np.int64)

    def _file(self, name: str, download: bool, verify: bool) -> Path:
        """The compressed file (checksum verified), or the unpacked one (its content checked after reading)."""
        packed, unpacked = self.root / name, self.root / name[:-3]
        if not verify and (packed.exists() or unpacked.exists()):
            return packed if packed.exists() else unpacked
        if unpacked.exists() and not packed.exists():
            return unpacked
        try:
            return fetch(self.mirror + name, self.files[name], self.root, download)
        except FileNotFoundError as err:
            raise FileNotFoundError(f"{type(self).__name__}: {err}") from None


class FashionMNIST(MNIST):
    """Zalando's clothing images in MNIST's format: 28x28 grey, 10 classes, harder than digits."""

    mirror = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    files = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------- CIFAR-10
def read_cifar_bin(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 ``.bin`` file -> images uint8 (n, 32, 32, 3) and labels int64 (n,)."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        raise ValueError(f"read_cifar_bin: {path} has {raw.size} bytes, not a multiple of the 3073-byte record")
    records = raw.reshape(-1, 3073)
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planes R, G, B -> HWC
    return np.ascontiguousarray(images), records[:, 0].astype(np.int64)


def write_cifar_bin(path: str | os.PathLike[str], images: np.ndarray, labels: np.ndarray) -> None:
    """Write uint8 images (n, 32, 32, 3) and labels in CIFAR-10's binary record format."""
    planes = np.asarray(images, dtype=np.uint8).transpose(0, 3, 1, 2).reshape(len(images), -1)
    np.concatenate([np.asarray(labels, dtype=np.uint8)[:, None], planes], axis=1).tofile(path)


class CIFAR10(_ImageDataset):
    """Krizhevsky's CIFAR-10: 50000 train / 10000 test colour images 32x32, 10 classes."""

    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    folder = "cifar-10-batches-bin"
    train_files = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_files = ["test_batch.bin"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    record_count = 10000  # records in each published .bin file

    def __init__(
        self, root: str | os.PathLike[str] | None = None, train: bool = True, transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None, download: bool = True, verify: bool = True,
    ) -> None:
        super().__init__(transform, target_transform)
        self.root = Path(root) if root is not None else data_dir() / "CIFAR10"
        names = self.train_files if train else self.test_files
        if not all(self._bin_ok(self.root / self.folder / n, verify) for n in names):
            self._extract(download, verify)
        parts = [read_cifar_bin(self.root / self.folder / n) for n in names]
        self.data = np.concatenate([p[0] for p in parts])
        self.targets = np.concatenate([p[1] for p in parts])
        if self.targets.size and self.targets.max() >= len(self.classes):
            raise ValueError(f"CIFAR10: labels must lie in [0, 10), found {self.targets.max()}: the files are corrupted")

    def _bin_ok(self, path: Path, verify: bool) -> bool:
        """Present, and (when verifying) exactly the published 10000 records."""
        if not path.is_file():
            return False
        return not verify or path.stat().st_size == self.record_count * 3073

    def _extract(self, download: bool, verify: bool) -> None:
        """Unpack the six ``.bin`` files from the archive (verified first; only those names: no path tricks)."""
        archive = self.root / self.url.rsplit("/", 1)[-1]
        if verify or not archive.exists():
            try:
                archive = fetch(self.url, self.md5, self.root, download)
            except FileNotFoundError:
                raise FileNotFoundError(f"CIFAR10: neither {self.root / self.folder} (complete) nor {archive} exists (pass download=True)") from None
        wanted = {f"{self.folder}/{n}" for n in self.train_files + self.test_files}
        out = self.root / self.folder
        out.mkdir(parents=True, exist_ok=True)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    if member.name in wanted and member.isfile():
                        src = tar.extractfile(member)
                        assert src is not None
                        # write to a temporary name, then rename: no half-written file on interruption
                        with tempfile.NamedTemporaryFile(dir=out, delete=False) as tmp:
                            tmp.write(src.read())
                        os.replace(tmp.name, out / Path(member.name).name)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as err:
            raise RuntimeError(f"CIFAR10: the archive {archive} is corrupted ({type(err).__name__}: {err}); delete it "
                               "and run again with download=True") from None
