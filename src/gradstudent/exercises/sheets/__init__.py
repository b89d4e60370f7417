"""The exercise sheets, in the order of the course."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

from ..core import TEMPLATES, solution_source, student_source


@dataclass
class Task:
    """One graded task: ``check(module)`` raises CheckFailed (or any error) when it is wrong."""

    name: str
    points: int
    check: Callable[[ModuleType], None]
    description: str = ""
    target: str = ""  # the function or class the student writes (default: the task's name)

    @property
    def obj(self) -> str:
        return self.target or self.name


@dataclass
class Sheet:
    number: int
    slug: str
    title: str
    template: str  # file name in templates/
    tasks: list[Task] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"sheet{self.number:02d}_{self.slug}.py"

    def template_text(self) -> str:
        return (TEMPLATES / self.template).read_text(encoding="utf-8")

    def solution(self) -> str:
        return solution_source(self.template_text())

    def student(self) -> str:
        return student_source(self.solution(), self.number)

    def task(self, name: str) -> Task:
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(f"sheet {self.number} has no task {name!r}; tasks: {', '.join(t.name for t in self.tasks)}")


_MODULES = ["s01_backprop", "s02_autodiff", "s03_mlp", "s04_regularization", "s05_cnn", "s06_sequence", "s07_graphs", "s08_generative"]


def all_sheets() -> dict[int, Sheet]:
    sheets: dict[int, Sheet] = {}
    for name in _MODULES:
        sheet = importlib.import_module(f"{__name__}.{name}").SHEET
        sheets[sheet.number] = sheet
    return sheets


def get_sheet(number: int) -> Sheet:
    sheets = all_sheets()
    if number not in sheets:
        raise KeyError(f"exercise: no sheet {number}; sheets: {', '.join(map(str, sheets))}")
    return sheets[number]
