"""Cora / CiteSeer / PubMed in the Planetoid format (Yang et al. 2016), from the data cache.

The raw files are ``ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index}`` in ``$GRADSTUDENT_DATA/planetoid/``.
Seven of them are Python pickles of SciPy/NumPy objects; they are read with a *restricted* unpickler
that can only build arrays, CSR matrices, lists and dicts (never arbitrary code), and every file is
checked against a SHA-256 manifest: the published checksums in ``CHECKSUMS`` when known, otherwise a
``checksums.json`` written on first use (trust on first use) and verified on every later load.

The standard split (as PyG's ``Planetoid(split="public")``): the first 20 labelled nodes per class of
``x`` train, the next 500 nodes validate, the 1000 ``test.index`` nodes test. CiteSeer's isolated test
nodes missing from ``tx`` are filled with zero features and no label (-1), as Kipf & Welling do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from .vision import data_dir

PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph")
BASE_URL = "https://github.com/kimiyoung/planetoid/raw/master/data"
#: Known SHA-256 digests per file; files not listed are pinned on first use (``checksums.json``).
CHECKSUMS: dict[str, str] = {}

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"), ("numpy", "ndarray"),
    ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("collections", "defaultdict"), ("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor"),
    ("builtins", "object"), ("__builtin__", "object"), ("_codecs", "encode"), ("builtins", "list"), ("__builtin__", "list"),
    ("scipy.sparse.csr", "csr_matrix"), ("scipy.sparse._csr", "csr_matrix"), ("scipy.sparse", "csr_matrix"),
}


class _SafeUnpickler(pickle.Unpickler):
    """Builds only arrays, CSR matrices, lists and dicts; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"planetoid: refusing to load {module}.{name} from a data file")
        if name == "csr_matrix":
            return sp.csr_matrix
        if name == "defaultdict":
            import collections  # noqa: PLC0415

            return collections.defaultdict
        if name == "list":
            return list
        if name == "object":
            return object
        if name == "encode":  # how Python 3 writes bytes in a protocol-2 pickle
            import codecs  # noqa: PLC0415

            return codecs.encode
        if name == "_reconstructor":
            import copyreg  # noqa: PLC0415

            return copyreg._reconstructor  # type: ignore[attr-defined]
        return super().find_class(module.replace("numpy.core", "numpy._core") if module.startswith("numpy.core") and hasattr(np, "_core") else module, name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verify(folder: Path, files: list[Path]) -> None:
    """Check every file against CHECKSUMS or the pinned manifest; pin unknown files (atomically)."""
    manifest_path = folder / "checksums.json"
    pinned = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    changed = False
    for f in files:
        digest = _sha256(f)
        want = CHECKSUMS.get(f.name) or pinned.get(f.name)
        if want is None:
            pinned[f.name], changed = digest, True
        elif want != digest:
            raise RuntimeError(f"planetoid: {f} has SHA-256 {digest}, expected {want}; the file is corrupt or was replaced")
    if changed:
        tmp = manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(pinned, indent=1, sort_keys=True))
        os.replace(tmp, manifest_path)


def read_planetoid_file(path: Path) -> Any:
    with open(path, "rb") as f:
        return _SafeUnpickler(io.BytesIO(f.read()), encoding="latin1").load()


def load_planetoid_arrays(name: str = "Cora", root: str | os.PathLike[str] | None = None, download: bool = False) -> dict[str, np.ndarray]:
    """The Planetoid graph ``name`` (Cora, CiteSeer, PubMed) as arrays: ``x`` (float32), ``edge_index``
    (int64, both directions), ``y`` (int64) and the ``train_mask``/``val_mask``/``test_mask`` (bool).

    :func:`gradstudent.graph.datasets.load_planetoid` makes a ``Data`` of them."""
    key = name.lower()
    if key not in ("cora", "citeseer", "pubmed"):
        raise ValueError(f"load_planetoid: unknown dataset {name!r} (Cora, CiteSeer or PubMed)")
    folder = Path(root) if root is not None else data_dir() / "planetoid"
    files = [folder / f"ind.{key}.{p}" for p in (*PARTS, "test.index")]
    missing = [f for f in files if not f.exists()]
    if missing and download:
        from .vision import fetch  # noqa: F401, PLC0415 - pooch download with a clear offline error

        raise RuntimeError(f"load_planetoid: automatic download is not available (no published checksums here); "
                           f"download {BASE_URL}/ind.{key}.* by hand into {folder}")
    if missing:
        raise FileNotFoundError(f"load_planetoid: {name} is not in the cache: missing {', '.join(f.name for f in missing)} in {folder} "
                                f"(from {BASE_URL}; or set GRADSTUDENT_DATA)")
    _verify(folder, files)
    parts = {p: read_planetoid_file(folder / f"ind.{key}.{p}") for p in PARTS}
    test_index = np.loadtxt(folder / f"ind.{key}.test.index", dtype=np.int64).reshape(-1)
    return _assemble(parts, test_index)


def _assemble(parts: dict[str, Any], test_index: np.ndarray) -> dict[str, np.ndarray]:

    allx, tx = sp.csr_matrix(parts["allx"]), sp.csr_matrix(parts["tx"])
    ally, ty = np.asarray(parts["ally"]), np.asarray(parts["ty"])
    lo, hi = test_index.min(), test_index.max()
    n_test_full = hi - lo + 1
    if tx.shape[0] < n_test_full:  # CiteSeer: some test ids have no features
        tx_full = sp.lil_matrix((n_test_full, tx.shape[1]), dtype=tx.dtype)
        ty_full = np.zeros((n_test_full, ty.shape[1]), dtype=ty.dtype)
        tx_full[np.sort(test_index) - lo] = tx
        ty_full[np.sort(test_index) - lo] = ty
        tx, ty = sp.csr_matrix(tx_full), ty_full
    x = sp.vstack([allx, tx]).tolil()
    labels = np.concatenate([ally, ty])
    order = np.sort(test_index)
    x[test_index] = x[order]  # the test rows are stored in sorted order, put them at their ids
    labels[test_index] = labels[order]
    y = np.where(labels.sum(1) > 0, labels.argmax(1), -1)
    n = x.shape[0]
    graph = parts["graph"]
    pairs = np.array([(int(i), int(j)) for i, nbrs in graph.items() for j in nbrs if int(j) < n and int(i) < n], dtype=np.int64).reshape(-1, 2).T
    both = np.unique(np.concatenate([pairs, pairs[::-1]], axis=1), axis=1)
    both = both[:, both[0] != both[1]]
    n_train = np.asarray(parts["y"]).shape[0]
    train = np.zeros(n, dtype=bool)
    train[:n_train] = True
    val = np.zeros(n, dtype=bool)
    val[n_train : n_train + 500] = True
    test = np.zeros(n, dtype=bool)
    test[test_index] = True
    return {"x": np.asarray(x.todense(), dtype=np.float32), "edge_index": np.ascontiguousarray(both),
            "y": y.astype(np.int64), "train_mask": train, "val_mask": val, "test_mask": test}


def write_planetoid(folder: str | os.PathLike[str], name: str, x: np.ndarray, y: np.ndarray, edges: list[tuple[int, int]], n_train: int, test_index: np.ndarray) -> None:
    """Write a small graph in the Planetoid layout (used by the tests). ``test_index`` must be the last ids
    (in any order: ``tx`` row k is node ``test_index[k]``, as in the original files); ``allx`` holds the rest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = name.lower()
    n = x.shape[0]
    onehot = np.eye(int(y.max()) + 1)[y]
    rest = np.setdiff1d(np.arange(n), test_index)
    graph: dict[int, list[int]] = {i: [] for i in range(n)}
    for i, j in edges:
        graph[i].append(j)
    objs = {"x": sp.csr_matrix(x[:n_train]), "y": onehot[:n_train], "allx": sp.csr_matrix(x[rest]), "ally": onehot[rest],
            "tx": sp.csr_matrix(x[test_index]), "ty": onehot[test_index], "graph": graph}
    for part, obj in objs.items():
        with open(folder / f"ind.{key}.{part}", "wb") as f:
            pickle.dump(obj, f, protocol=2)
    (folder / f"ind.{key}.test.index").write_text("\n".join(str(int(i)) for i in test_index) + "\n")
