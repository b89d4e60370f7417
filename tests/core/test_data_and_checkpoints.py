"""utils.data, datasets and safetensors checkpoints."""

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import datasets, nn
from gradstudent.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split


def test_tensor_dataset_and_loader_batches():
    X, y = gs.arange(10).reshape(10, 1).float(), gs.arange(10)
    ds = TensorDataset(X, y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    batches = list(DataLoader(ds, batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert len(DataLoader(ds, batch_size=4)) == 3
    assert [len(b[1]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    with pytest.raises(ValueError, match="tensor 1 has 3 rows but tensor 0 has 10"):
        TensorDataset(X, gs.zeros(3))


def test_shuffle_is_seedable_and_covers_everything():
    ds = TensorDataset(gs.arange(50))
    order = lambda seed: np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=7, shuffle=True, generator=gs.Generator().manual_seed(seed))])  # noqa: E731
    assert np.array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    assert sorted(order(3).tolist()) == list(range(50))
    gs.manual_seed(5)
    a = np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=7, shuffle=True)])
    gs.manual_seed(5)
    b = np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=7, shuffle=True)])
    assert np.array_equal(a, b)


class DictDataset(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "label": i, "pair": (gs.tensor(float(i)), i * 2)}


def test_collate_tuples_and_dicts():
    batch = next(iter(DataLoader(DictDataset(), batch_size=5)))
    assert batch["x"].shape == (5, 3)
    assert batch["label"].tolist() == [0, 1, 2, 3, 4]
    assert batch["pair"][0].shape == (5,) and batch["pair"][1].tolist() == [0, 2, 4, 6, 8]


def test_subset_and_random_split():
    ds = TensorDataset(gs.arange(10))
    a, b = random_split(ds, [0.7, 0.3], generator=gs.Generator().manual_seed(0))
    assert len(a) == 7 and len(b) == 3
    assert sorted([int(a[i][0]) for i in range(7)] + [int(b[i][0]) for i in range(3)]) == list(range(10))
    assert int(Subset(ds, [4, 2])[1][0]) == 2
    with pytest.raises(ValueError, match="do not add up"):
        random_split(ds, [3, 3])


def test_digits_split_fixed_by_seed_and_stratified():
    Xa, ya = datasets.load_digits_arrays("train", seed=0)
    Xb, yb = datasets.load_digits_arrays("train", seed=0)
    Xt, yt = datasets.load_digits_arrays("test", seed=0)
    assert np.array_equal(Xa, Xb) and len(ya) + len(yt) == 1797
    assert Xa.dtype == np.float32 and ya.dtype == np.int64 and Xa.max() <= 1.0
    assert np.bincount(yt).min() >= 30  # every class in the test split
    assert not np.array_equal(datasets.load_digits_arrays("test", seed=1)[1], yt)


@pytest.mark.parametrize("maker", ["make_moons", "make_circles", "make_spirals", "make_xor", "make_blobs"])
def test_synthetic_sets(maker):
    X, y = getattr(datasets, maker)(n=200, seed=3)
    X2, _ = getattr(datasets, maker)(n=200, seed=3)
    assert X.shape == (200, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(X, X2)


def test_save_load_state_dict_readable_by_pytorch(tmp_path):
    from safetensors.torch import load_file

    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    gs.save(m.state_dict(), tmp_path / "m.safetensors")
    loaded = gs.load(tmp_path / "m.safetensors")
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy())
    theirs = load_file(str(tmp_path / "m.safetensors"))
    np.testing.assert_array_equal(theirs["0.weight"].numpy(), m[0].weight.detach().numpy())
    assert not (tmp_path / "m.safetensors").read_bytes().startswith(b"\x80")  # not a pickle


def test_nested_checkpoint_round_trip(tmp_path):
    ck = {"model": nn.Linear(2, 2).state_dict(), "epoch": 7, "rng": gs.get_rng_state(), "hist": [{"loss": 0.5}], "t": (1, "a"), "state": {0: {"m": gs.ones(3)}}}
    gs.save(ck, tmp_path / "ck.safetensors")
    back = gs.load(tmp_path / "ck.safetensors")
    assert back["epoch"] == 7 and back["hist"] == [{"loss": 0.5}] and back["t"] == (1, "a")
    assert back["state"][0]["m"].tolist() == [1.0, 1.0, 1.0]
    gs.set_rng_state(back["rng"])


def test_corrupted_and_truncated_checkpoints_give_clear_errors(tmp_path):
    path = tmp_path / "m.safetensors"
    gs.save({"w": gs.ones(100)}, path)
    raw = path.read_bytes()
    (tmp_path / "cut").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        gs.load(tmp_path / "cut")
    (tmp_path / "junk").write_bytes(b"hello world, not a checkpoint")
    with pytest.raises(ValueError, match="truncated or corrupted"):
        gs.load(tmp_path / "junk")
    with pytest.raises(FileNotFoundError):
        gs.load(tmp_path / "missing")


def test_atomic_write_leaves_no_temp_files(tmp_path):
    gs.save({"w": gs.ones(3)}, tmp_path / "a.safetensors")
    gs.save({"w": gs.zeros(3)}, tmp_path / "a.safetensors")
    assert [p.name for p in tmp_path.iterdir()] == ["a.safetensors"]
    with pytest.raises(TypeError, match="cannot store"):
        gs.save({"x": object()}, tmp_path / "b.safetensors")
    assert [p.name for p in tmp_path.iterdir()] == ["a.safetensors"]
