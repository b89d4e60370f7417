"""Issue 11 (checkpoints): exact round trips or refusal at save time; validated loading."""

import io
import json
import os
import stat
import threading

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn, optim


def test_zero_d_tensors_keep_their_shape_and_batch_norm_reloads(tmp_path):
    bn = nn.BatchNorm1d(3)
    bn(gs.randn(4, 3))
    gs.save(bn.state_dict(), tmp_path / "bn.safetensors")
    back = gs.load(tmp_path / "bn.safetensors")
    assert back["num_batches_tracked"].shape == () and back["num_batches_tracked"].item() == 1
    fresh = nn.BatchNorm1d(3)
    fresh.load_state_dict(back)
    assert fresh.num_batches_tracked.item() == 1
    gs.save({"nested": [gs.tensor(2.5)]}, tmp_path / "n.safetensors")
    assert gs.load(tmp_path / "n.safetensors")["nested"][0].shape == ()


def test_every_supported_structure_round_trips_exactly(tmp_path):
    obj = {
        "a/0": gs.ones(2), "a": [gs.zeros(3)], 0: {"k": (1, 2.5, None, True, "s")}, 7: [],
        "nan": float("nan"), "big": 2**70, "u8": gs.tensor([1, 2], dtype=np.uint8), "np": np.arange(3),
    }
    gs.save(obj, tmp_path / "c.safetensors")
    back = gs.load(tmp_path / "c.safetensors")
    assert list(back) == list(obj)
    assert back["a/0"].tolist() == [1.0, 1.0] and back["a"][0].tolist() == [0.0, 0.0, 0.0]  # no key collision
    assert back[0] == {"k": (1, 2.5, None, True, "s")} and back[7] == [] and back["big"] == 2**70
    assert np.isnan(back["nan"]) and back["u8"].dtype == np.uint8 and back["np"].tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "obj, match",
    [
        ({(1, 2): gs.ones(1), "x": 1}, "dict keys must be str or int"),
        ({1.5: 1}, "dict keys must be str or int"),
        ({"s": {1, 2}}, "type set"),
        ({"f": lambda: 0}, "type function"),
        ({"c": np.ones(2, dtype=np.complex64)}, "complex64"),
        (nn.Linear(2, 2), r"gs.save\(model.state_dict\(\), path\)"),
    ],
)
def test_unsupported_values_are_refused_at_save_time(tmp_path, obj, match):
    with pytest.raises(TypeError, match=match):
        gs.save(obj, tmp_path / "x.safetensors")
    assert not list(tmp_path.iterdir())  # nothing written, no temporary left


def test_files_get_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        gs.save({"w": gs.ones(2)}, tmp_path / "w.safetensors")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "w.safetensors").st_mode) == 0o644


def test_file_objects_map_location_weights_only_and_safe_globals():
    buf = io.BytesIO()
    gs.save({"w": gs.arange(3)}, buf)
    buf.seek(0)
    with gs.serialization.safe_globals([object]):
        back = gs.load(buf, map_location="cpu", weights_only=True)
    assert back["w"].tolist() == [0, 1, 2]


def test_bfloat16_from_pytorch_is_upcast_to_float32(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    t = torch.randn(3, 4).to(torch.bfloat16)
    save_file({"w": t}, tmp_path / "bf.safetensors")
    with pytest.warns(UserWarning, match="bfloat16; upcast to float32"):
        back = gs.load(tmp_path / "bf.safetensors")
    assert back["w"].dtype == np.float32 and np.array_equal(back["w"].numpy(), t.float().numpy())
    lin = nn.Linear(4, 3)
    lin.load_state_dict({"weight": t, "bias": torch.zeros(3)})  # torch bf16 tensors load too


def _crafted(tmp_path, header, body=b""):
    raw = json.dumps(header).encode()
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + body)
    return path


@pytest.mark.parametrize(
    "header, body",
    [
        ({"__metadata__": {"gradstudent.structure": json.dumps({"__tensor__": "missing"})}}, b""),
        ({"__metadata__": {"gradstudent.structure": "[" * 100000 + "]" * 100000}}, b""),
        ({"__metadata__": {"gradstudent.structure": json.dumps({"__dict__": [[["a"], 1]]})}}, b""),
        ({"__metadata__": {"gradstudent.structure": "{not json"}}, b""),
        ({"__metadata__": {"x": 1}}, b""),
        ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 100]}}, b"\0" * 8),
        ({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
        ({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8),
        ({"w": {"dtype": "F32", "shape": [65536] * 4, "data_offsets": [0, 8]}}, b"\0" * 8),
        ({"w": "nonsense"}, b""),
        ([1, 2], b""),
    ],
)
def test_crafted_files_give_clear_errors(tmp_path, header, body):
    with pytest.raises(ValueError, match="load: "):
        gs.load(_crafted(tmp_path, header, body))


def test_unknown_dtype_is_named(tmp_path):
    with pytest.raises(ValueError, match="dtype 'F8_E4M3'"):
        gs.load(_crafted(tmp_path, {"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, b"\0"))


def test_devices_fifos_and_huge_headers_do_not_hang_or_exhaust_memory(tmp_path):
    with pytest.raises(ValueError, match="not a regular file"):
        gs.load("/dev/zero")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = []
    worker = threading.Thread(target=lambda: result.append(pytest.raises(ValueError, gs.load, fifo)), daemon=True)
    worker.start()
    worker.join(5)
    assert result, "loading a FIFO hung"
    (tmp_path / "huge").write_bytes((10**15).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="header claims"):
        gs.load(tmp_path / "huge")
    with pytest.raises(ValueError, match="header claims"):
        gs.load(io.BytesIO((10**15).to_bytes(8, "little")))
    with pytest.raises(ValueError, match="directory"):
        gs.load(tmp_path)


def test_module_load_state_dict_validates_before_changing_anything():
    lin = nn.Linear(2, 2)
    before = lin.weight.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="expected a Tensor or array in the checkpoint, got str"):
        lin.load_state_dict({"weight": "x", "bias": gs.zeros(2)})
    big = gs.tensor([[1e300, 0.0], [0.0, 0.0]], dtype=gs.float64)
    with pytest.raises(RuntimeError, match="does not fit in the model's dtype float32"):
        lin.load_state_dict({"weight": big, "bias": gs.ones(2)})
    with pytest.raises(RuntimeError, match="shape"):
        lin.load_state_dict({"weight": gs.ones(2, 2), "bias": gs.ones(3)})
    assert np.array_equal(lin.weight.detach().numpy(), before)  # a failed load changed nothing
    bn = nn.BatchNorm1d(2)
    with pytest.raises(RuntimeError, match="does not fit"):
        bn.load_state_dict({**bn.state_dict(), "num_batches_tracked": gs.tensor(1e30, dtype=gs.float64)})


def test_optimizer_load_state_dict_validates_shapes():
    w = gs.zeros(3, requires_grad=True)
    opt = optim.Adam([w])
    w.grad = gs.ones(3)
    opt.step()
    sd = opt.state_dict()
    other = optim.Adam([gs.zeros(4, requires_grad=True)])
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(3,\), the parameter has shape \(4,\)"):
        other.load_state_dict(sd)
    assert not other.state  # unchanged
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        other.load_state_dict({"foo": 1})
