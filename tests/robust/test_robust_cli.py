"""Issue 11 (the command): settings validated, resume refuses changes, clear one-line errors."""

import json
import os
from pathlib import Path

import pytest

from gradstudent.cli import main
from gradstudent.experiments import ConfigError, experiment, run_experiment
from gradstudent.experiments.runner import _new_run_dir
from gradstudent.experiments.settings import check_settings

TINY = {"epochs": 1, "hidden": [8]}


def _only(root: Path) -> Path:
    (d,) = [p for p in root.iterdir() if p.is_dir()]
    return d


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "hiddne=[8]"], "no setting 'hiddne'. Did you mean hidden?"),
        (["--set", "lr=fast"], "'lr' must be a number, got 'fast'"),
        (["--set", "hidden=[0]"], "'hidden[0]' must be >= 1"),
        (["--set", "epochs=2.5"], "'epochs' must be an integer, got 2.5"),
        (["--epochs", "-1"], "'epochs' must be >= 1"),
        (["--lr", "inf"], "'lr' must be a finite number"),
        (["--lr", "nan"], "'lr' must be a finite number"),
        (["--set", "weight_decay=-1.0"], "'weight_decay' must be >= 0"),
        (["--set", "epochs=True"], "'epochs' must be an integer"),
        (["--set", "=3"], "--set expects KEY=VALUE"),
    ],
)
def test_bad_settings_are_one_clear_line_and_exit_2(tmp_path, capsys, args, message):
    assert main(["run", "digits-mlp", "--quiet", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing was created


def test_settings_types_are_normalized():
    out = check_settings("x", {"lr": 1, "pair": [0.1, 2], "flag": False}, {"lr": 0.1, "pair": (0.1, 3.0), "flag": True})
    assert out == {"lr": 1.0, "pair": (0.1, 2.0), "flag": False} and isinstance(out["lr"], float)
    with pytest.raises(ConfigError, match="beta2' must be in"):
        check_settings("x", {"beta2": 1.0}, {"beta2": 0.999})


def test_out_that_is_a_file_readonly_or_proc(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    cases = [str(tmp_path / "f"), "/proc"]
    if os.geteuid() != 0:  # root may write anywhere
        cases.append(str(ro))
    for out in cases:
        assert main(["run", "digits-mlp", "--quiet", "--epochs", "1", "--out", out]) == 2
        assert "--out" in capsys.readouterr().err


def test_two_runs_in_the_same_second_take_different_folders(tmp_path):
    dirs = {_new_run_dir(tmp_path, "x") for _ in range(5)}
    assert len(dirs) == 5 and all(d.is_dir() for d in dirs)


def test_divergence_is_reported_not_completed(tmp_path, capsys):
    code = main(["run", "digits-mlp", "--quiet", "--out", str(tmp_path), "--epochs", "2", "--lr", "1e30", "--set", "hidden=[8]"])
    assert code == 1 and "diverged" in capsys.readouterr().err
    metrics = json.loads((_only(tmp_path) / "metrics.json").read_text())
    assert metrics["status"] == "diverged" and "nan" in metrics["diverged"]


def test_resume_refuses_changed_settings_and_keeps_config(tmp_path, capsys):
    run_experiment("digits-mlp", TINY, out_root=tmp_path, quiet=True)
    d = _only(tmp_path)
    before = (d / "config.json").read_text()
    for args in (["--seed", "99"], ["--lr", "0.5"], ["--set", "hidden=[32]"], ["--set", "hiddne=[32]"]):
        assert main(["run", "--resume", str(d), "--quiet", *args]) == 2
        err = capsys.readouterr().err
        assert "--resume" in err or "no setting" in err
        assert (d / "config.json").read_text() == before
    # repeating a saved value is not a change; more epochs are allowed and recorded
    (d / ".checkpoint.safetensors.k1l2.tmp").write_bytes(b"half a checkpoint")
    assert main(["run", "--resume", str(d), "--quiet", "--seed", "0", "--epochs", "2"]) == 0
    assert json.loads((d / "config.json").read_text())["config"]["epochs"] == 2
    assert len(json.loads((d / "metrics.json").read_text())["history"]) == 2
    assert not list(d.glob(".checkpoint*.tmp"))  # stale temporaries are cleaned up
    assert main(["run", "--resume", str(d), "--quiet", "--epochs", "1"]) == 2  # fewer than done


def test_corrupted_config_json_is_a_clear_message(tmp_path, capsys):
    run_experiment("digits-mlp", TINY, out_root=tmp_path, quiet=True)
    d = _only(tmp_path)
    for text in ("{garbage", '{"experiment": "digits-mlp", "config": {"batch_size": "x"}}', "[1, 2]", '{"experiment": 3}'):
        (d / "config.json").write_text(text)
        assert main(["run", "--resume", str(d), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert "config.json" in err and "Traceback" not in err


@experiment("robust-test-bn", "a tiny batch-norm model trained on random data", epochs=2, lr=0.1)
def _bn_run(ctx):
    import gradstudent as gs
    from gradstudent import nn, optim

    gen = gs.Generator().manual_seed(0)
    x, y = gs.randn(32, 3, generator=gen), gs.randint(0, 2, (32,), generator=gen)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=ctx.config["lr"])
    for epoch in ctx.epochs(model, opt):
        for xb, yb in zip(x.split(8), y.split(8)):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        ctx.log_metrics(epoch, train_loss=loss.item())
    return {"loss": loss.item(), "tracked": int(model[1].num_batches_tracked.item())}


def test_batch_norm_model_resumes_bit_identically(tmp_path):
    full = run_experiment("robust-test-bn", {"epochs": 2}, out_root=tmp_path / "full", quiet=True)
    run_experiment("robust-test-bn", {"epochs": 1}, out_root=tmp_path / "part", quiet=True)
    resumed = run_experiment(None, {"epochs": 2}, resume=_only(tmp_path / "part"), quiet=True)
    assert resumed["final"] == full["final"] and resumed["final"]["tracked"] == 8
    assert resumed["history"] == full["history"]


@pytest.mark.slow
def test_batch_norm_experiment_resumes(tmp_path):
    settings = {"epochs": 1, "widths": [4, 8], "augment": False}
    run_experiment("digits-cnn", settings, out_root=tmp_path, quiet=True)
    d = _only(tmp_path)
    result = run_experiment(None, {}, resume=d, quiet=True)  # loads BatchNorm's 0-d num_batches_tracked
    assert result["status"] == "completed"
    with pytest.raises(ConfigError, match="schedule is fixed by its length"):  # one-cycle LR: no exact extension
        run_experiment(None, {"epochs": 2}, resume=d, quiet=True)


@experiment("robust-test-bug", "raises a student's shape bug", epochs=1)
def _buggy(ctx):
    raise ValueError("matmul: shapes (2, 3) and (4, 5) do not match")


def test_non_configuration_errors_show_their_traceback(tmp_path):
    with pytest.raises(ValueError, match="shapes"):
        main(["run", "robust-test-bug", "--quiet", "--out", str(tmp_path)])


def test_resume_with_a_foreign_or_crafted_checkpoint_is_one_line(tmp_path, capsys):
    import gradstudent as gs

    run_experiment("digits-mlp", TINY, out_root=tmp_path / "a", quiet=True)
    run_experiment("digits-mlp", {"epochs": 1, "hidden": [4]}, out_root=tmp_path / "b", quiet=True)
    a, b = _only(tmp_path / "a"), _only(tmp_path / "b")
    (a / "checkpoint.safetensors").write_bytes((b / "checkpoint.safetensors").read_bytes())  # another model's weights
    assert main(["run", "--resume", str(a), "--quiet"]) == 2
    assert "does not match this run's model" in capsys.readouterr().err
    for bad in ({"epoch": 1}, {"epoch": -1, "model": {}, "rng": {}}, [1, 2]):
        gs.save(bad, a / "checkpoint.safetensors")
        assert main(["run", "--resume", str(a), "--quiet"]) == 2
        assert "not a run checkpoint" in capsys.readouterr().err
    (a / "checkpoint.safetensors").write_bytes(b"garbage")
    assert main(["run", "--resume", str(a), "--quiet"]) == 2
    assert "truncated or corrupted" in capsys.readouterr().err
