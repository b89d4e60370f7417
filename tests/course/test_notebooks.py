"""The lecture notebooks: each runs in its fast mode, and renders to a valid .ipynb."""

from __future__ import annotations

import json

import pytest

from gradstudent.cli import main as cli_main
from gradstudent.notebook_tools import build, find_notebooks, parse_percent, run, to_ipynb

NOTEBOOKS = find_notebooks()
#: curriculum rows with a notebook
ROWS = set(range(1, 25))  # rows 1-24: every topic the library covers (25 is the frameworks experiment, 26 this tooling)


def test_one_notebook_per_built_curriculum_row():
    assert {int(name[:2]) for name in NOTEBOOKS} >= ROWS


@pytest.fixture(scope="module")
def fast_runs(tmp_path_factory):
    """Every notebook run once in FAST mode, two at a time (one per core), each in its own folder."""
    from concurrent.futures import ThreadPoolExecutor

    root = tmp_path_factory.mktemp("notebooks")

    def one(name):
        folder = root / name
        folder.mkdir()
        return name, run(name, fast=True, cwd=folder, timeout=600), folder

    with ThreadPoolExecutor(max_workers=2) as pool:
        return {name: (proc, folder) for name, proc, folder in pool.map(one, NOTEBOOKS)}


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_notebook_runs_in_fast_mode(name, fast_runs):
    proc, folder = fast_runs[name]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert list((folder / "figures").glob("*.png")), "every notebook draws at least one figure"


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_notebook_structure(name):
    text = NOTEBOOKS[name].read_text(encoding="utf-8")
    cells = parse_percent(text)
    kinds = [k for k, _ in cells]
    assert kinds[0] == "markdown" and cells[0][1].startswith("# "), "starts with a title cell"
    assert kinds.count("markdown") >= 3 and kinds.count("code") >= 3
    assert "PyTorch" in text or "scikit-learn" in text, "has a 'same thing in PyTorch' (or scikit-learn) cell"
    assert "$" in text, "has math"


def test_percent_format_parsing():
    cells = parse_percent("# %% [markdown]\n# # Title\n# text $x$\n\n# %%\nx = 1\n\n# %%\ny = 2\n")
    assert cells == [("markdown", "# Title\ntext $x$"), ("code", "x = 1"), ("code", "y = 2")]
    nb = to_ipynb("# %% [markdown]\n# hi\n# %%\nprint(1)\n")
    assert nb["nbformat"] == 4 and [c["cell_type"] for c in nb["cells"]] == ["markdown", "code"]


def test_build_writes_valid_notebooks(tmp_path):
    paths = build(tmp_path)
    assert len(paths) == len(NOTEBOOKS)
    nb = json.loads(paths[0].read_text())
    assert nb["cells"][0]["cell_type"] == "markdown"
    try:
        import nbformat
    except ImportError:
        return
    for p in paths:
        nbformat.validate(nbformat.read(p, as_version=4))


def test_cli(tmp_path, capsys):
    assert cli_main(["notebooks", "list"]) == 0
    assert "02_autodiff" in capsys.readouterr().out
    assert cli_main(["notebooks", "build", str(tmp_path)]) == 0
    assert cli_main(["notebooks", "run", "nope"]) == 2
