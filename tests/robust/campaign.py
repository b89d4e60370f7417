"""The bad-input campaign of issue 11, as a script: every attack, and what happens.

    python tests/robust/campaign.py OUT.json        # with this checkout's gradstudent on PYTHONPATH

Each case is (area, name, attack, expected) where ``expected`` is the exception type a
clear answer raises (or ``None`` when the input is valid and must work, as in PyTorch).
The script records, per case, the exception type and message (or "accepted"). Comparing
a run on the old code with one on the new (``compare``) gives the campaign table:
tried, already a clear error, fixed, not fixed. A case hangs at most 5 s (SIGALRM) and
memory is capped at 3 GiB, so attacks on the old code cannot take the machine down.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

import gradstudent as gs
from gradstudent import nn, optim

TMP = Path(tempfile.mkdtemp(prefix="gs-campaign-"))
Case = tuple[str, str, Callable[[], Any], Any]


def _crafted(header: Any, body: bytes = b"") -> Path:
    raw = json.dumps(header).encode()
    path = TMP / f"crafted-{abs(hash(raw))}.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + body)
    return path


def _cli(*args: str) -> int:
    from gradstudent.cli import main

    code = main(["run", "--quiet", *args])
    if code not in (0, None):
        raise SystemExit(code)
    return code


def _tiny_run(name: str = "digits-mlp") -> Path:
    out = TMP / f"runs-{name}-{len(list(TMP.iterdir()))}"
    _cli(name, "--out", str(out), "--epochs", "1", "--set", "hidden=[8]")
    return next(out.iterdir())


def _fifo() -> Path:
    path = TMP / "fifo"
    if not path.exists():
        os.mkfifo(path)
    return path


def _step_wrong_grad() -> Any:
    a, b = gs.ones(2, requires_grad=True), gs.ones(3, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    a.grad, b.grad = gs.ones(2), gs.ones(2)
    try:
        opt.step()
    finally:
        if a.tolist() != [1.0, 1.0]:
            raise AssertionError("a was updated by a failed step")  # the silent part of the bug


def _stale_graph() -> Any:
    w = gs.ones(3, requires_grad=True)
    loss = (w * w).sum()
    w.grad = gs.ones(3)
    optim.SGD([w], lr=0.1).step()
    loss.backward()


def _bn_one() -> Any:
    bn = nn.BatchNorm1d(3)
    try:
        bn(gs.ones(1, 3))
    finally:
        if int(bn.num_batches_tracked.item()) != 0:
            raise AssertionError("num_batches_tracked changed by a rejected call")


def _evaluate_mode() -> Any:
    from gradstudent.experiments.common import evaluate

    model = nn.Sequential(nn.Linear(3, 2))
    try:
        evaluate(model, np.zeros((2, 5), np.float32), np.zeros(2, np.int64))
    finally:
        if not model.training:
            raise AssertionError("evaluate left the model in eval mode")


def _roundtrip(obj: Any) -> Any:
    path = TMP / "rt.safetensors"
    gs.save(obj, path)
    return gs.load(path)


def _collide() -> Any:
    back = _roundtrip({"a/0": gs.ones(1), "a": [gs.zeros(1)]})
    if back["a/0"].tolist() != [1.0]:
        raise AssertionError("key collision: a/0 came back as the wrong tensor")


def _bn_reload() -> Any:
    nn.BatchNorm1d(2).load_state_dict(_roundtrip(nn.BatchNorm1d(2).state_dict()))


def _mode() -> Any:
    old = os.umask(0o022)
    gs.save({"w": gs.ones(1)}, TMP / "mode.safetensors")
    os.umask(old)
    mode = os.stat(TMP / "mode.safetensors").st_mode & 0o777
    if mode != 0o644:
        raise AssertionError(f"mode {oct(mode)} instead of 0o644")


def _resume(*extra: str) -> Any:
    d = _tiny_run()
    before = (d / "config.json").read_text()
    try:
        _cli("--resume", str(d), *extra)
    finally:
        if (d / "config.json").read_text() != before and "--epochs" not in extra:
            raise AssertionError("config.json rewritten by a refused resume")


def _corrupt_config() -> Any:
    d = _tiny_run()
    (d / "config.json").write_text('{"experiment": "digits-mlp", "config": {"batch_size": "x"}}')
    _cli("--resume", str(d))


def _diverge() -> Any:
    out = TMP / "diverge"
    _cli("digits-mlp", "--out", str(out), "--epochs", "1", "--lr", "1e30", "--set", "hidden=[8]")


def _same_second() -> Any:
    from gradstudent.experiments.runner import _new_run_dir

    return [_new_run_dir(TMP / "same", "x") for _ in range(3)]


def _loader(**kw: Any) -> Any:
    from gradstudent.utils.data import DataLoader, TensorDataset

    return list(DataLoader(TensorDataset(gs.arange(6)), **kw))


def _sampler_used() -> Any:
    from gradstudent.utils.data import DataLoader, TensorDataset

    got = [b[0].tolist() for b in DataLoader(TensorDataset(gs.arange(4)), batch_size=2, sampler=[3, 2, 1, 0])]
    if got != [[3, 2], [1, 0]]:
        raise AssertionError(f"sampler ignored: {got}")


def _empty_mean() -> Any:
    from gradstudent.experiments.common import train_epoch
    from gradstudent.utils.data import DataLoader, TensorDataset

    model = nn.Linear(1, 2)
    loader = DataLoader(TensorDataset(gs.zeros(3, 1), gs.zeros(3, dtype=np.int64)), batch_size=4, drop_last=True)
    loss = train_epoch(None, model, loader, optim.SGD(model.parameters(), lr=0.1), nn.functional.cross_entropy)
    if loss == 0.0:
        raise AssertionError("mean loss over nothing reported as 0.0")


def _mnist_files(folder: Path, n: int, dtype: Any = np.uint8) -> Path:
    from gradstudent.datasets import vision

    folder.mkdir(parents=True, exist_ok=True)
    vision.write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((n, 28, 28), dtype))
    vision.write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(n, np.uint8))
    return folder


def _mnist_seven() -> Any:
    from gradstudent.datasets import vision

    ds = vision.MNIST(_mnist_files(TMP / "m7", 7), train=False, download=False)
    if len(ds) == 7:
        raise AssertionError("7 images accepted as the 10000-image test set")


def _mnist_float() -> Any:
    from gradstudent.datasets import vision

    cls = vision.MNIST
    kw = {"verify": False} if "verify" in cls.__init__.__code__.co_varnames else {}
    return cls(_mnist_files(TMP / "mf", 2, np.float32), train=False, download=False, **kw)[0]


def _read(path_bytes: bytes, name: str = "x.gz") -> Any:
    from gradstudent.datasets import vision

    path = TMP / name
    path.write_bytes(path_bytes)
    return vision.read_idx(path)


def _cifar_bad() -> Any:
    from gradstudent.datasets import vision

    root = TMP / "cifar"
    root.mkdir(exist_ok=True)
    (root / "cifar-10-binary.tar.gz").write_bytes(b"<html>oops</html>")
    return vision.CIFAR10(root, train=False, download=False)


def _lsd(**values: Any) -> Any:
    lin = nn.Linear(2, 2)
    lin.load_state_dict({"weight": gs.zeros(2, 2), "bias": gs.zeros(2), **values})


def _opt_lsd(state: Any) -> Any:
    w = gs.zeros(4, requires_grad=True)
    optim.Adam([w]).load_state_dict(state)


def _adam_sd() -> dict[str, Any]:
    w = gs.zeros(3, requires_grad=True)
    opt = optim.Adam([w])
    w.grad = gs.ones(3)
    opt.step()
    return opt.state_dict()


def _deep() -> Any:
    m: nn.Module = nn.Linear(1, 1)
    for _ in range(400):
        m = nn.Sequential(m)
    return len(list(m.modules()))


def _file_object() -> Any:
    buf = io.BytesIO()
    gs.save({"w": gs.ones(1)}, buf)
    buf.seek(0)
    return gs.load(buf, map_location="cpu", weights_only=True)


def _bf16() -> Any:
    raw = np.array([0x3F80, 0x4000], np.uint16).tobytes()  # 1.0, 2.0 in bfloat16
    back = gs.load(_crafted({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, raw))
    if back["w"].tolist() != [1.0, 2.0]:
        raise AssertionError(back["w"].tolist())


def _stale_tmp() -> Any:
    d = _tiny_run()
    (d / ".checkpoint.safetensors.abc.tmp").write_bytes(b"x")
    _cli("--resume", str(d), "--epochs", "2")
    if list(d.glob(".checkpoint*.tmp")):
        raise AssertionError("stale temporary left")


CASES: list[Case] = [
    # ---- checkpoints
    ("checkpoint", "0-d tensor keeps shape (BatchNorm reload)", _bn_reload, None),
    ("checkpoint", "nested keys a/0 vs a[0] collide", _collide, None),
    ("checkpoint", "tuple dict key refused at save", lambda: gs.save({(1, 2): gs.ones(1), "x": 1}, TMP / "t.st"), TypeError),
    ("checkpoint", "float dict key refused at save", lambda: gs.save({1.5: 1}, TMP / "t.st"), TypeError),
    ("checkpoint", "set value refused at save", lambda: gs.save({"s": {1}}, TMP / "t.st"), TypeError),
    ("checkpoint", "complex array refused at save", lambda: gs.save({"c": np.ones(1, np.complex64)}, TMP / "t.st"), TypeError),
    ("checkpoint", "whole Module refused with state_dict hint", lambda: gs.save(nn.Linear(1, 1), TMP / "t.st"), TypeError),
    ("checkpoint", "bfloat16 file loads (upcast)", _bf16, None),
    ("checkpoint", "unknown dtype F8 named", lambda: gs.load(_crafted({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, b"\0")), ValueError),
    ("checkpoint", "metadata structure points to a missing tensor", lambda: gs.load(_crafted({"__metadata__": {"gradstudent.structure": '{"__tensor__": "nope"}'}})), ValueError),
    ("checkpoint", "metadata structure nested 100000 deep", lambda: gs.load(_crafted({"__metadata__": {"gradstudent.structure": "[" * 100000 + "]" * 100000}})), ValueError),
    ("checkpoint", "metadata dict entry malformed", lambda: gs.load(_crafted({"__metadata__": {"gradstudent.structure": '{"__dict__": [[["a"], 1]]}'}})), ValueError),
    ("checkpoint", "metadata value not a string", lambda: gs.load(_crafted({"__metadata__": {"x": 1}})), ValueError),
    ("checkpoint", "data offsets outside the file", lambda: gs.load(_crafted({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 100]}}, bytes(8))), ValueError),
    ("checkpoint", "shape does not match the bytes", lambda: gs.load(_crafted({"w": {"dtype": "F32", "shape": [65536] * 4, "data_offsets": [0, 8]}}, bytes(8))), ValueError),
    ("checkpoint", "negative shape", lambda: gs.load(_crafted({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, bytes(8))), ValueError),
    ("checkpoint", "header is a JSON list", lambda: gs.load(_crafted([1, 2])), ValueError),
    ("checkpoint", "load /dev/zero", lambda: gs.load("/dev/zero"), ValueError),
    ("checkpoint", "load a FIFO (hang)", lambda: gs.load(_fifo()), ValueError),
    ("checkpoint", "header length 10**15", lambda: (TMP / "huge").write_bytes((10**15).to_bytes(8, "little") + b"{}") and gs.load(TMP / "huge"), ValueError),
    ("checkpoint", "load a directory", lambda: gs.load(TMP), ValueError),
    ("checkpoint", "7-byte file", lambda: (TMP / "seven").write_bytes(b"1234567") and gs.load(TMP / "seven"), ValueError),
    ("checkpoint", "saved file mode respects umask", _mode, None),
    ("checkpoint", "save/load through a file object", _file_object, None),
    ("checkpoint", "save to a directory path", lambda: gs.save({"w": gs.ones(1)}, TMP), OSError),
    ("checkpoint", "load_state_dict with a string value", lambda: _lsd(weight="x"), RuntimeError),
    ("checkpoint", "load_state_dict 1e300 into float32", lambda: _lsd(weight=gs.tensor([[1e300, 0.0], [0.0, 0.0]], dtype=np.float64)), RuntimeError),
    ("checkpoint", "load_state_dict of a list", lambda: nn.Linear(2, 2).load_state_dict([1, 2]), TypeError),
    ("checkpoint", "Optimizer.load_state_dict wrong shapes", lambda: _opt_lsd(_adam_sd()), ValueError),
    ("checkpoint", "Optimizer.load_state_dict bad state key", lambda: _opt_lsd({"state": {"a": {}}, "param_groups": _adam_sd()["param_groups"]}), ValueError),
    ("checkpoint", "Optimizer.load_state_dict missing keys", lambda: _opt_lsd({"foo": 1}), ValueError),
    # ---- the command
    ("cli", "--set hiddne=[8] (typo)", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--set", "hiddne=[8]", "--epochs", "1"), SystemExit),
    ("cli", "--set lr=fast", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--set", "lr=fast"), SystemExit),
    ("cli", "--set hidden=[0]", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--set", "hidden=[0]", "--epochs", "1"), SystemExit),
    ("cli", "--set epochs=2.5", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--set", "epochs=2.5", "--set", "hidden=[8]"), SystemExit),
    ("cli", "--epochs -1", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--epochs", "-1"), SystemExit),
    ("cli", "--lr inf", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--lr", "inf", "--epochs", "1", "--set", "hidden=[8]"), SystemExit),
    ("cli", "--set seed=-1", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--set", "seed=-1", "--epochs", "1", "--set", "hidden=[8]"), SystemExit),
    ("cli", "--batch-size 0", lambda: _cli("digits-mlp", "--out", str(TMP / "c"), "--batch-size", "0", "--epochs", "1", "--set", "hidden=[8]"), SystemExit),
    ("cli", "--lr 1e30 diverges to NaN", _diverge, SystemExit),
    ("cli", "--resume D --seed 99", lambda: _resume("--seed", "99"), SystemExit),
    ("cli", "--resume D --lr 0.5", lambda: _resume("--lr", "0.5"), SystemExit),
    ("cli", "--resume D --set hidden=[32]", lambda: _resume("--set", "hidden=[32]"), SystemExit),
    ("cli", "--resume with corrupted config.json", _corrupt_config, SystemExit),
    ("cli", "--resume a folder that is no run", lambda: _cli("--resume", str(TMP)), SystemExit),
    ("cli", "--out is a file", lambda: (TMP / "afile").write_text("x") and _cli("digits-mlp", "--out", str(TMP / "afile"), "--epochs", "1"), SystemExit),
    ("cli", "--out /proc", lambda: _cli("digits-mlp", "--out", "/proc", "--epochs", "1", "--set", "hidden=[8]"), SystemExit),
    ("cli", "two runs in the same second", _same_second, None),
    ("cli", "stale .checkpoint*.tmp cleaned on resume", _stale_tmp, None),
    # ---- tensors, layers, optimizers
    ("state", "failed optimizer.step() updates nothing", _step_wrong_grad, RuntimeError),
    ("state", "optimizer.step() bumps versions (stale graph)", _stale_graph, RuntimeError),
    ("state", "BatchNorm batch of 1 leaves num_batches_tracked", _bn_one, ValueError),
    ("state", "evaluate restores train mode on error", _evaluate_mode, ValueError),
    ("tensor", "reshape(-2, 6)", lambda: gs.arange(12).reshape(-2, 6), ValueError),
    ("tensor", "reshape(2.5, 6)", lambda: gs.arange(12).reshape(2.5, 6), TypeError),
    ("tensor", "tensor(['a'])", lambda: gs.tensor(["a"]), TypeError),
    ("tensor", "ragged list", lambda: gs.tensor([[1, 2], [3]]), ValueError),
    ("tensor", "complex numbers", lambda: gs.tensor([1 + 2j]), TypeError),
    ("tensor", "object array", lambda: gs.tensor(np.array([object()], dtype=object)), TypeError),
    ("tensor", "tensor(None)", lambda: gs.tensor(None), TypeError),
    ("tensor", ".to('tpu')", lambda: gs.ones(2).to("tpu"), RuntimeError),
    ("tensor", "ones(2.5)", lambda: gs.ones(2.5), TypeError),
    ("tensor", "arange step 0", lambda: gs.arange(0, 10, 0), ValueError),
    ("tensor", "softmax dim out of range", lambda: nn.functional.softmax(gs.ones(3), dim=3), IndexError),
    ("tensor", "index out of range", lambda: gs.arange(3)[10], IndexError),
    ("tensor", "sum over a missing dim", lambda: gs.arange(3).sum(dim=5), IndexError),
    ("tensor", "matmul shape mismatch", lambda: gs.zeros(2, 3) @ gs.zeros(4, 5), ValueError),
    ("layer", "Conv2d on an empty batch", lambda: nn.Conv2d(3, 4, 3)(gs.zeros(0, 3, 8, 8)), None),
    ("layer", "softmax over a 0-size dim", lambda: nn.functional.softmax(gs.zeros(2, 0), dim=1), None),
    ("layer", "400 nested Sequentials", _deep, None),
    ("layer", "Linear(2.5, 3)", lambda: nn.Linear(2.5, 3), TypeError),
    ("layer", "Linear(-1, 3)", lambda: nn.Linear(-1, 3), ValueError),
    ("layer", "Conv2d kernel 0", lambda: nn.Conv2d(3, 4, 0), ValueError),
    ("layer", "Dropout(p=1.5)", lambda: nn.Dropout(p=1.5), ValueError),
    ("layer", "cross_entropy target out of range", lambda: nn.functional.cross_entropy(gs.zeros(2, 3), gs.tensor([0, 5])), IndexError),
    ("layer", "Embedding index out of range", lambda: nn.Embedding(3, 2)(gs.tensor([5])), IndexError),
    ("layer", "BatchNorm wrong channel count", lambda: nn.BatchNorm1d(3)(gs.zeros(4, 5)), ValueError),
    ("layer", "MaxPool2d kernel 0", lambda: nn.MaxPool2d(0)(gs.zeros(1, 1, 4, 4)), ValueError),
    ("optim", "SGD(lr='0.1')", lambda: optim.SGD([gs.ones(1, requires_grad=True)], lr="0.1"), TypeError),
    ("optim", "Adam(eps=None)", lambda: optim.Adam([gs.ones(1, requires_grad=True)], eps=None), TypeError),
    ("optim", "SGD(lr=-1)", lambda: optim.SGD([gs.ones(1, requires_grad=True)], lr=-1), ValueError),
    ("optim", "SGD([]) (no parameters)", lambda: optim.SGD([], lr=0.1), ValueError),
    ("optim", "StepLR(step_size=0)", lambda: optim.lr_scheduler.StepLR(optim.SGD([gs.ones(1, requires_grad=True)], lr=0.1), step_size=0), ValueError),
    # ---- data
    ("data", "DataLoader(shufle=True) (typo)", lambda: _loader(batch_size=2, shufle=True), TypeError),
    ("data", "DataLoader(batch_size=2.5)", lambda: _loader(batch_size=2.5), ValueError),
    ("data", "DataLoader(batch_size=0)", lambda: _loader(batch_size=0), ValueError),
    ("data", "DataLoader(sampler=...) is used", _sampler_used, None),
    ("data", "sampler and shuffle together", lambda: _loader(sampler=[0], shuffle=True), ValueError),
    ("data", "batch_sampler with batch_size", lambda: _loader(batch_sampler=[[0]], batch_size=3), ValueError),
    ("data", "num_workers=-1", lambda: _loader(num_workers=-1), ValueError),
    ("data", "mean loss of an empty loader", _empty_mean, ValueError),
    ("data", "random_split negative lengths", lambda: gs.utils.data.random_split(gs.utils.data.TensorDataset(gs.zeros(4)), [-1, 5]), ValueError),
    ("data", "MNIST cache of 7 images as the test set", _mnist_seven, RuntimeError),
    ("data", "MNIST float IDX images", _mnist_float, ValueError),
    ("data", "truncated gzip IDX", lambda: _read(b"\x1f\x8b\x08\x00" + bytes(10)), ValueError),
    ("data", "HTML page saved as .gz", lambda: _read(b"<html>404</html>"), ValueError),
    ("data", "IDX header of 65536**4 elements", lambda: _read(bytes([0, 0, 8, 4]) + (65536).to_bytes(4, "big") * 4 + bytes(16), "big.idx"), ValueError),
    ("data", "IDX truncated inside its header", lambda: _read(bytes([0, 0, 8, 3, 0, 0]), "short.idx"), ValueError),
    ("data", "CIFAR archive is an HTML page", _cifar_bad, RuntimeError),
]


def _timeout(signum: int, frame: Any) -> None:
    raise TimeoutError("hung for 5 s")


def run_all() -> list[dict[str, Any]]:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    signal.signal(signal.SIGALRM, _timeout)
    results = []
    for area, name, attack, expected in CASES:
        devnull = open(os.devnull, "w")
        old_err, sys.stderr = sys.stderr, devnull
        signal.alarm(5 if "hang" in name or "FIFO" in name else 120)
        try:
            attack()
            outcome, message = "accepted", ""
        except BaseException as err:  # noqa: BLE001 - an attack may raise anything
            outcome, message = type(err).__name__, " ".join(str(err).split())[:200]
        finally:
            signal.alarm(0)
            sys.stderr = old_err
            devnull.close()
        ok = (outcome == "accepted") if expected is None else (outcome != "accepted" and _is(outcome, expected))
        results.append({"area": area, "case": name, "expected": getattr(expected, "__name__", "works"),
                        "outcome": outcome, "message": message, "ok": ok})
    return results


def _is(name: str, expected: type) -> bool:
    import builtins

    cls = getattr(builtins, name, None)
    if cls is None:  # our own subclasses: ConfigError is a ValueError, UnknownExperiment a KeyError
        return name == expected.__name__
    return issubclass(cls, expected)


# Raised the right exception type before the fixes, but with a message that did not say what was
# wrong (judged by hand from the "before" column): counted as fixed, not as already clear.
UNCLEAR_BEFORE = {
    "whole Module refused with state_dict hint", "save to a directory path", "load_state_dict with a string value",
    "Optimizer.load_state_dict bad state key", "tensor(['a'])", "ragged list", "complex numbers",
    "SGD(lr='0.1')", "Adam(eps=None)",
}


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    """The markdown table: per area, tried / already clear / fixed / not fixed."""
    rows: dict[str, list[int]] = {}
    lines = []
    for b, a in zip(before, after):
        counts = rows.setdefault(a["area"], [0, 0, 0, 0])
        counts[0] += 1
        if b["ok"] and a["ok"] and a["case"] not in UNCLEAR_BEFORE:
            counts[1] += 1
            status = "already clear"
        elif a["ok"]:
            counts[2] += 1
            status = "fixed"
        else:
            counts[3] += 1
            status = "NOT fixed"
        lines.append(f"| {a['area']} | {a['case']} | {b['outcome']}: {b['message'][:70]} | {a['outcome']}: {a['message'][:90]} | {status} |")
    total = [sum(c[i] for c in rows.values()) for i in range(4)]
    head = "| area | tried | already clear | fixed | not fixed |\n|---|---|---|---|---|\n"
    head += "".join(f"| {k} | {c[0]} | {c[1]} | {c[2]} | {c[3]} |\n" for k, c in rows.items())
    head += f"| **all** | **{total[0]}** | **{total[1]}** | **{total[2]}** | **{total[3]}** |\n\n"
    detail = "| area | case | before | after | status |\n|---|---|---|---|---|\n" + "\n".join(lines) + "\n"
    return head + detail


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        load = lambda p: json.loads(Path(p).read_text())  # noqa: E731
        print(compare(load(sys.argv[2]), load(sys.argv[3])))
    else:
        Path(sys.argv[1]).write_text(json.dumps(run_all(), indent=1))
