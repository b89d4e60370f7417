"""Saving and loading tensors in the safetensors format (never pickle).

``save(obj, f)`` accepts

* a flat ``state_dict`` (str name -> tensor): written as plain safetensors, which
  PyTorch reads with ``safetensors.torch.load_file``;
* a nested checkpoint (dicts/lists/tuples holding tensors, numbers, strings,
  ``None``): each tensor is stored under a unique name (its path,
  ``"optimizer/state/0/exp_avg"``, made unique if two paths collide) and the
  rest of the structure as JSON in the file's metadata.

What round-trips exactly: tensor shapes (0-d tensors stay 0-d) and dtypes,
dict key order, str/int/bool dict keys, tuples vs lists, ints, floats (also
nan/inf), bools, strings and ``None``. Anything else (a tuple as a dict key, a
set, a Module, an arbitrary object, a complex tensor) is refused *when saving*,
so a file that was written can always be read back. NumPy arrays come back as
Tensors.

Files are written atomically: to a temporary file in the same folder, flushed
to disk, given the permissions any new file of the user gets (``0666`` minus
the umask), then renamed over the target, so a crash never leaves half a file.
``f`` may also be a binary file object (``io.BytesIO``, an open file): then
the bytes are simply written to it.

Loading validates the whole header before touching the data: a regular file
(never a FIFO or a device, which could hang or never end), a header of sane
size, known dtypes, shapes and offsets that match the data. PyTorch's
``bfloat16`` tensors are upcast to ``float32`` (gradstudent has no bfloat16;
the conversion is exact) with a warning naming them.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import warnings
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import numpy as np

from .creation import from_numpy
from .tensor import Tensor

_SKELETON_KEY = "gradstudent.structure"
MAX_HEADER_BYTES = 100 * 1024 * 1024  # safetensors' own limit
_DTYPES = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16, "I32": np.int32,
    "U32": np.uint32, "I64": np.int64, "U64": np.uint64, "F16": np.float16, "F32": np.float32, "F64": np.float64,
}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
FileLike = str | os.PathLike[str] | BinaryIO


# ---------------------------------------------------------------- atomic files
def _umask() -> int:
    """The process umask (read without changing it where /proc allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a directory")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp made it 0600
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Delete ``.NAME.*.tmp`` files left next to ``path`` by a writer that was killed mid-write.

    Only call this where no other process writes ``path`` at the same time (a run directory).
    """
    path = Path(path)
    removed = []
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed


# ---------------------------------------------------------------- save
def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, Tensor):
        return np.array(value.detach().numpy(), order="C", copy=True)  # np.ascontiguousarray makes 0-d 1-d
    if isinstance(value, np.ndarray):
        return np.array(value, order="C", copy=True)
    return None


def _check_array(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype not in _CODES:
        raise TypeError(f"save: the tensor at {where!r} has dtype {array.dtype}, which safetensors cannot store "
                        f"(supported: {', '.join(sorted(str(d) for d in _CODES))})")
    return array


def _unique(name: str, tensors: dict[str, np.ndarray]) -> str:
    key, k = name or "tensor", 1
    while key in tensors:  # {"a/0": t1, "a": [t2]} both want "a/0"
        k += 1
        key = f"{name}#{k}"
    return key


def _flatten(obj: Any, prefix: str, tensors: dict[str, np.ndarray]) -> Any:
    """Replace every array in ``obj`` by ``{"__tensor__": key}`` and collect it in ``tensors``."""
    array = _as_array(obj)
    if array is not None:
        key = _unique(prefix, tensors)
        tensors[key] = _check_array(array, prefix)
        return {"__tensor__": key}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, str | int):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__} {k!r} at {prefix or '<root>'!r}")
            items.append([k, _flatten(v, f"{prefix}/{k}" if prefix else str(k), tensors)])
        return {"__dict__": items}
    if isinstance(obj, list | tuple):
        items = [_flatten(v, f"{prefix}/{i}" if prefix else str(i), tensors) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item()
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if _is_module(obj):
        raise TypeError(
            f"save: cannot save a whole {type(obj).__name__} (PyTorch pickles it; gradstudent never pickles). "
            "Save its weights instead: gs.save(model.state_dict(), path), then model.load_state_dict(gs.load(path))"
        )
    raise TypeError(f"save: cannot store a value of type {type(obj).__name__} at {prefix or '<root>'!r} "
                    "(tensors, arrays, numbers, strings, None, lists, tuples and dicts only)")


def _is_module(obj: Any) -> bool:
    return any(c.__name__ in ("Module", "Optimizer") and c.__module__.startswith("gradstudent") for c in type(obj).__mro__)


def _encode(obj: Any, meta: dict[str, str]) -> bytes:
    """The safetensors bytes of ``obj`` (raises before anything is written)."""
    from safetensors.numpy import save as st_save

    is_flat = isinstance(obj, dict) and obj and all(isinstance(k, str) and _as_array(v) is not None for k, v in obj.items())
    if is_flat:
        tensors = {k: _check_array(_as_array(v), k) for k, v in obj.items()}  # type: ignore[arg-type]
    else:
        tensors = {}
        try:
            meta[_SKELETON_KEY] = json.dumps(_flatten(obj, "", tensors))
        except RecursionError:
            raise ValueError("save: the object is nested too deeply to store") from None
    return st_save(tensors, metadata=meta)  # type: ignore[arg-type]


def save(obj: Any, f: FileLike, metadata: dict[str, str] | None = None) -> None:
    """Save a state_dict or a nested checkpoint to ``f`` (a path: atomic; or a binary file object)."""
    if metadata is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise TypeError("save: metadata must map str to str")
    meta = {"format": "pt", **(metadata or {})}
    data = _encode(obj, meta)
    if hasattr(f, "write"):
        f.write(data)  # type: ignore[union-attr]
        return
    if not isinstance(f, str | os.PathLike):
        raise TypeError(f"save: f must be a path or a binary file object, got {type(f).__name__}")
    atomic_write_bytes(f, data)


# ---------------------------------------------------------------- load
def _read_source(f: FileLike) -> tuple[bytes, str]:
    """The file's bytes and a name for messages; refuses what is not a regular file."""
    if hasattr(f, "read"):
        head = f.read(8)  # type: ignore[union-attr]
        if isinstance(head, str):
            raise TypeError("load: the file object must be opened in binary mode ('rb')")
        n = _header_size(head, "<file object>", None)
        rest = f.read(n)  # type: ignore[union-attr]
        if len(rest) < n:
            raise ValueError(f"load: <file object> is truncated: header claims {n} bytes, got {len(rest)}")
        return head + rest + f.read(), "<file object>"  # type: ignore[union-attr]
    if not isinstance(f, str | os.PathLike):
        raise TypeError(f"load: f must be a path or a binary file object, got {type(f).__name__}")
    path = Path(f)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no such file: {path}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, device or socket)"
        raise ValueError(f"load: {path} is {kind}; expected a .safetensors file")
    with open(path, "rb") as fh:
        head = fh.read(8)
        _header_size(head, str(path), st.st_size)
        return head + fh.read(), str(path)


def _header_size(head: bytes, name: str, file_size: int | None) -> int:
    if len(head) < 8:
        raise ValueError(f"load: {name} is not a valid safetensors file (truncated or corrupted?): {len(head)} bytes, shorter than the 8-byte header length")
    n = int.from_bytes(head, "little")
    if n > MAX_HEADER_BYTES or (file_size is not None and n > file_size - 8):
        raise ValueError(f"load: {name} is not a valid safetensors file (truncated or corrupted?): its header claims {n} bytes"
                         + (f" but the file has {file_size}" if file_size is not None else f", over the {MAX_HEADER_BYTES}-byte limit"))
    return n


def _parse(raw: bytes, name: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Validate the header and return (tensors, metadata)."""
    bad = f"load: {name} is not a valid safetensors file (truncated or corrupted?)"
    n = _header_size(raw[:8], name, len(raw))
    try:
        header = json.loads(raw[8 : 8 + n])
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{bad}: header is not JSON ({type(err).__name__})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{bad}: header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ValueError(f"{bad}: __metadata__ must map strings to strings")
    body = memoryview(raw)[8 + n :]
    tensors = {}
    for key, info in header.items():
        tensors[key] = _tensor_from(key, info, body, bad)
    return tensors, meta


def _tensor_from(key: str, info: Any, body: memoryview, bad: str) -> np.ndarray:
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise ValueError(f"{bad}: entry {key!r} lacks dtype/shape/data_offsets")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)):
        raise ValueError(f"{bad}: entry {key!r} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)
            and 0 <= offsets[0] <= offsets[1] <= len(body)):
        raise ValueError(f"{bad}: entry {key!r} has data offsets {offsets!r} outside the {len(body)}-byte data")
    count = int(np.prod(shape, dtype=object))
    dtype: np.dtype[Any]
    if code == "BF16":
        dtype = np.dtype(np.uint16)
    elif code in _DTYPES:
        dtype = np.dtype(_DTYPES[code])
    else:
        raise ValueError(f"load: tensor {key!r} has dtype {code!r}, which gradstudent cannot read "
                         f"(supported: {', '.join(sorted(_DTYPES))} and BF16, upcast to float32)")
    if offsets[1] - offsets[0] != count * dtype.itemsize:
        raise ValueError(f"{bad}: entry {key!r} of shape {shape} and dtype {code} needs {count * dtype.itemsize} bytes, "
                         f"its offsets give {offsets[1] - offsets[0]}")
    array = np.frombuffer(body[offsets[0] : offsets[1]], dtype=dtype.newbyteorder("<")).reshape(shape)
    if code == "BF16":  # bfloat16 = the top 16 bits of a float32: exact upcast
        warnings.warn(f"load: tensor {key!r} is bfloat16; upcast to float32 (gradstudent has no bfloat16)", stacklevel=4)
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array.astype(dtype.newbyteorder("="), copy=True)


def _unflatten(node: Any, tensors: dict[str, Tensor]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"__tensor__"} and isinstance(node["__tensor__"], str) and node["__tensor__"] in tensors:
            return tensors[node["__tensor__"]]
        if set(node) == {"__tuple__"} and isinstance(node["__tuple__"], list):
            return tuple(_unflatten(v, tensors) for v in node["__tuple__"])
        if set(node) == {"__dict__"} and isinstance(node["__dict__"], list):
            out = {}
            for pair in node["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str | int)):
                    raise ValueError(f"bad dict entry {str(pair)[:80]!r}")
                out[pair[0]] = _unflatten(pair[1], tensors)
            return out
        raise ValueError(f"unknown node {str(node)[:80]!r}")
    if isinstance(node, list):
        return [_unflatten(v, tensors) for v in node]
    if node is None or isinstance(node, bool | int | float | str):
        return node
    raise ValueError(f"unexpected value {node!r}")


def load(f: FileLike, map_location: Any = None, weights_only: bool | None = None, **kwargs: Any) -> Any:
    """Load what :func:`save` wrote (a dict of tensors, or the nested checkpoint).

    ``map_location`` (``"cpu"``, ``"cuda"``, a device) moves every tensor there;
    ``weights_only`` is accepted for PyTorch compatibility and changes nothing:
    gradstudent never unpickles, so loading is always "weights only" (safe).
    """
    if kwargs:
        raise TypeError(f"load: unexpected keyword argument(s) {sorted(kwargs)}")
    raw, name = _read_source(f)
    arrays, meta = _parse(raw, name)
    device = None if map_location is None or callable(map_location) or isinstance(map_location, dict) else str(map_location)
    tensors = {k: from_numpy(v) if device in (None, "cpu") else from_numpy(v).to(device) for k, v in arrays.items()}
    if _SKELETON_KEY not in meta:
        return tensors
    try:
        return _unflatten(json.loads(meta[_SKELETON_KEY]), tensors)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"load: {name} has a corrupted structure in its metadata: {err}") from None


# ---------------------------------------------------------------- PyTorch's safety API
@contextlib.contextmanager
def safe_globals(safe_globals: list[Any] | None = None) -> Iterator[None]:
    """``torch.serialization.safe_globals``: a no-op here. gradstudent never unpickles,
    so there are no globals to allow; the context manager exists so PyTorch code runs."""
    yield


def add_safe_globals(safe_globals: list[Any]) -> None:
    """``torch.serialization.add_safe_globals``: a no-op (gradstudent never unpickles)."""


def get_safe_globals() -> list[Any]:
    return []


__all__ = ["save", "load", "atomic_write_bytes", "atomic_write_text", "remove_stale_temporaries", "safe_globals",
           "add_safe_globals", "get_safe_globals"]
