"""Saving and loading tensors in the safetensors format (never pickle).

``save(obj, path)`` accepts

* a flat ``state_dict`` (name -> tensor): written as plain safetensors, which
  PyTorch reads with ``safetensors.torch.load_file``;
* a nested checkpoint (dicts/lists holding tensors, numbers, strings): tensors
  are stored under their path (``"optimizer/state/0/exp_avg"``) and the rest of
  the structure as JSON in the file's metadata.

Files are written atomically: to a temporary file in the same folder, flushed
to disk, then renamed over the target, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .backend import move_to
from .tensor import Tensor

_SKELETON_KEY = "gradstudent.structure"


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, Tensor):
        return np.ascontiguousarray(move_to(value._data, "cpu"))
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    return None


def _flatten(obj: Any, prefix: str, tensors: dict[str, np.ndarray]) -> Any:
    """Replace every array in ``obj`` by ``{"__tensor__": key}`` and collect it in ``tensors``."""
    array = _as_array(obj)
    if array is not None:
        tensors[prefix] = array
        return {"__tensor__": prefix}
    if isinstance(obj, dict):
        return {"__dict__": [[k, _flatten(v, f"{prefix}/{k}" if prefix else str(k), tensors)] for k, v in obj.items()]}
    if isinstance(obj, list | tuple):
        items = [_flatten(v, f"{prefix}/{i}" if prefix else str(i), tensors) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"save: cannot store a value of type {type(obj).__name__} at {prefix!r} (tensors, arrays, numbers, strings, lists and dicts only)")


def _unflatten(node: Any, tensors: dict[str, np.ndarray]) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            return Tensor._make(tensors[node["__tensor__"]])
        if "__tuple__" in node:
            return tuple(_unflatten(v, tensors) for v in node["__tuple__"])
        return {k: _unflatten(v, tensors) for k, v in node["__dict__"]}
    if isinstance(node, list):
        return [_unflatten(v, tensors) for v in node]
    return node




def save(obj: Any, path: str | os.PathLike[str], metadata: dict[str, str] | None = None) -> None:
    """Save a state_dict or a nested checkpoint to ``path`` (safetensors, atomic)."""
    from safetensors.numpy import save as st_save

    meta = {"format": "pt"}
    meta.update(metadata or {})
    is_flat = isinstance(obj, dict) and obj and all(isinstance(k, str) and _as_array(v) is not None for k, v in obj.items())
    if is_flat:
        tensors = {k: _as_array(v) for k, v in obj.items()}
    else:
        tensors = {}
        meta[_SKELETON_KEY] = json.dumps(_flatten(obj, "", tensors))
    atomic_write_bytes(path, st_save(tensors, metadata=meta))  # type: ignore[arg-type]


def load(path: str | os.PathLike[str]) -> Any:
    """Load what :func:`save` wrote: a dict of tensors, or the nested checkpoint."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"load: no such file: {path}")
    raw = path.read_bytes()
    try:
        tensors = st_load(raw)
        meta = _read_metadata(raw)
    except (SafetensorError, ValueError, json.JSONDecodeError) as err:
        raise ValueError(
            f"load: {path} is not a valid safetensors file ({len(raw)} bytes; truncated or corrupted?): {err}"
        ) from None
    if _SKELETON_KEY in meta:
        return _unflatten(json.loads(meta[_SKELETON_KEY]), tensors)
    return {k: Tensor._make(v) for k, v in tensors.items()}


def _read_metadata(raw: bytes) -> dict[str, str]:
    """The ``__metadata__`` table from a safetensors header (8-byte length + JSON)."""
    if len(raw) < 8:
        raise ValueError("file shorter than the 8-byte header length")
    n = int.from_bytes(raw[:8], "little")
    if n > len(raw) - 8:
        raise ValueError(f"header claims {n} bytes but the file has only {len(raw) - 8}")
    return json.loads(raw[8 : 8 + n]).get("__metadata__", {}) or {}
