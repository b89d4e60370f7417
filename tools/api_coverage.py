"""Measure how much of PyTorch's commonly used API gradstudent provides.

    python tools/api_coverage.py                 # the table on stdout
    python tools/api_coverage.py --markdown docs/api-coverage.md

The names come from ``tools/api_names.py`` (grouped by area, each relative to
``torch``). A name counts as provided when the same dotted path resolves on
``gradstudent`` (``nn.functional.relu`` -> ``gradstudent.nn.functional.relu``);
``Tensor.x`` and ``nn.Module.x`` are also looked up on an instance, for
attributes set in ``__init__``. If PyTorch is installed, every listed name is
first checked to exist there (so the list cannot drift into names PyTorch
does not have).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from api_names import AREAS, LEFT_OUT  # noqa: E402

_MISSING = object()


def resolve(root: Any, dotted: str, instances: dict[str, Any]) -> Any:
    """Follow ``dotted`` from ``root`` (importing submodules on the way); ``_MISSING`` if absent."""
    obj = root
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        nxt = getattr(obj, part, _MISSING)
        if nxt is _MISSING and hasattr(obj, "__path__"):  # a package: the name may be a submodule
            try:
                nxt = importlib.import_module(f"{obj.__name__}.{part}")
            except ImportError:
                nxt = _MISSING
        if nxt is _MISSING:
            prefix = ".".join(parts[:i])
            if prefix in instances and i == len(parts) - 1:  # e.g. Tensor.grad, set in __init__
                return getattr(instances[prefix], part, _MISSING)
            return _MISSING
        obj = nxt
    return obj


def names(area: str) -> list[str]:
    """The area's names; the functional area lists ``torch.nn.functional`` names bare."""
    prefix = "nn.functional." if area == "functional" else ""
    return [prefix + name for name in AREAS[area].split()]


def measure(framework: Any, instances: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """For each area: (provided names, missing names)."""
    table = {}
    for area in AREAS:
        have, lack = [], []
        for name in names(area):
            (have if resolve(framework, name, instances) is not _MISSING else lack).append(name)
        table[area] = (have, lack)
    return table


def _gradstudent_instances(gs: Any) -> dict[str, Any]:
    return {"Tensor": gs.ones(1, requires_grad=True) * 1, "nn.Module": gs.nn.Linear(1, 1)}


def check_names_exist_in_torch() -> list[str]:
    try:
        import torch
    except ImportError:
        return []
    instances = {"Tensor": torch.ones(1, requires_grad=True) * 1, "nn.Module": torch.nn.Linear(1, 1)}
    return [n for area in AREAS for n in names(area) if resolve(torch, n, instances) is _MISSING]


def _prefixed(area: str, name: str) -> str:
    return name.replace("nn.functional.", "F.")


def markdown(table: dict[str, tuple[list[str], list[str]]]) -> str:
    total_have = sum(len(h) for h, _ in table.values())
    total = sum(len(h) + len(missing) for h, missing in table.values())
    lines = [
        "# PyTorch compatibility, measured",
        "",
        f"`python tools/api_coverage.py` ({datetime.date.today().isoformat()}): of {total} PyTorch names that "
        f"tutorials and examples commonly use (the list is `tools/api_names.py`), gradstudent provides "
        f"**{total_have} ({100 * total_have / total:.0f}%)**. A name counts when the same path exists in "
        "gradstudent; deliberately left-out names count as missing.",
        "",
        "| area | provided | share | missing (deliberately left out in *italics*) |",
        "|---|---|---|---|",
    ]
    for area, (have, lack) in table.items():
        n = len(have) + len(lack)
        shown = [f"*{_prefixed(area, x)}*" if x.replace("nn.functional.", "") in LEFT_OUT else f"`{_prefixed(area, x)}`" for x in lack]
        lines.append(f"| {area} | {len(have)}/{n} | {100 * len(have) / n:.0f}% | {', '.join(shown) or '—'} |")
    lines += ["", "Deliberately left out:", ""]
    for name, why in LEFT_OUT.items():
        lines.append(f"- `{name}`: {why}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    args = parser.parse_args()
    bad = check_names_exist_in_torch()
    if bad:
        raise SystemExit(f"api_names.py lists names PyTorch does not have: {bad}")
    import gradstudent as gs

    table = measure(gs, _gradstudent_instances(gs))
    for area, (have, lack) in table.items():
        n = len(have) + len(lack)
        print(f"{area:20s} {len(have):4d}/{n:<4d} {100 * len(have) / n:5.1f}%   missing: {' '.join(lack)}")
    if args.markdown:
        text = markdown(table)
        tmp = args.markdown + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.markdown)


if __name__ == "__main__":
    main()
