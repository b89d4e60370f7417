"""tools/api_coverage.py: the name list stays honest and the measurement runs."""

from __future__ import annotations

import os
import sys

import gradstudent as gs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import api_coverage  # noqa: E402
import api_names  # noqa: E402


def test_every_listed_name_exists_in_pytorch() -> None:
    assert api_coverage.check_names_exist_in_torch() == []


def test_left_out_names_are_listed_and_missing() -> None:
    listed = {name.removeprefix("nn.functional.") for area in api_names.AREAS for name in api_coverage.names(area)}
    assert set(api_names.LEFT_OUT) <= listed
    instances = api_coverage._gradstudent_instances(gs)
    for name in api_names.LEFT_OUT:
        full = next(n for area in api_names.AREAS for n in api_coverage.names(area) if n.removeprefix("nn.functional.") == name)
        assert api_coverage.resolve(gs, full, instances) is api_coverage._MISSING, name


def test_measurement_and_markdown() -> None:
    table = api_coverage.measure(gs, api_coverage._gradstudent_instances(gs))
    have, lack = table["devices"]
    assert {"device", "cuda.is_available", "nn.Module.to"} <= set(have)
    text = api_coverage.markdown(table)
    assert "| devices |" in text and "Deliberately left out" in text
