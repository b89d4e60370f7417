"""The layering of the package, checked mechanically (docs/engine.md, "Layers").

Every module of ``src/gradstudent`` belongs to one layer; its module-level imports (read with
``ast``, ``if TYPE_CHECKING:`` blocks left out) may reach its own layer and the ones below, never a
higher one. The core (backend, autograd, tensor, ops) has no function-level imports except the
allowed ones below (optional or slow-to-load dependencies), and the Tensor class reaches every
op through the registration table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import gradstudent  # noqa: F401  (loads the ops: they fill the registration table)
from gradstudent.autograd.function import TENSOR_METHODS

SRC = Path(__file__).resolve().parents[2] / "src" / "gradstudent"

#: Bottom to top. A module belongs to the layer of its longest listed prefix.
LAYERS: list[tuple[str, list[str]]] = [
    ("backend", ["backend", "backends", "dtypes", "_tensor_data", "_axes", "devices", "cuda", "accelerator", "random"]),
    ("autograd", ["autograd", "autograd.grad_mode", "autograd.engine", "autograd.function", "profiler"]),
    ("tensor", ["tensor", "tensor_ops", "tensor_api", "tensor_inplace"]),
    ("ops", ["ops", "amp", "creation", "functions", "linalg", "legacy", "autograd.functional", "autograd.jacobians",
             "autograd.gradcheck", "autograd.custom_function", "autograd.graph"]),
    ("nn", ["nn"]),
    ("optim/data", ["optim", "distributed", "utils", "datasets", "transforms", "serialization", "metrics", "metrics_generative",
                    "integrate"]),
    ("models", ["models", "generative", "graph", "physics", "inference", "classical", "equivariant", "sampling",
                "text", "viz", "onnx",
                "datasets.graphs"]),  # the graph loaders' old import path, a re-export of graph.datasets
    ("experiments", ["experiments"]),
    ("cli", ["cli", "bench", "cli_distributed", "cli_sweep", "playground", "exercises", "quiz", "notebook_tools"]),
]
CORE = ("backend", "autograd", "tensor", "ops")
#: ``import gradstudent as gs`` (the package's namespace, resolved when a function runs) is allowed
#: from this layer up: the modules students read there write ``gs.zeros(...)``. Never in the core.
FACADE_FROM = "nn"

#: Function-level imports allowed in the core: (module, imported module) -> why.
ALLOWED_LAZY = {
    ("gradstudent.backend", "scipy.special"): "SciPy is slow to load; only ops with special functions need it",
    ("gradstudent.backend", "scipy.sparse"): "SciPy is slow to load; only the scatter-add fast path needs it",
    ("gradstudent.backend", "cupyx.scipy.special"): "CuPy is optional (CuPyBackend only exists with it)",
    ("gradstudent.backend", "cupyx"): "CuPy is optional (CuPyBackend only exists with it)",
    ("gradstudent.devices", "gradstudent.cuda"): "no cycle (cuda imports backend only); left to the device branch",
    ("gradstudent.accelerator", "gradstudent.cuda"): "no cycle (cuda imports backend only); left to the device branch",
}

_RANK = {name: i for i, (name, _) in enumerate(LAYERS)}
_PREFIXES = {f"gradstudent.{p}": name for name, prefixes in LAYERS for p in prefixes}


def layer_of(module: str) -> str:
    """The layer of a module (``gradstudent`` itself, the package's namespace, sits on top)."""
    if module == "gradstudent":
        return "package"
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        found = _PREFIXES.get(".".join(parts[:n]))
        if found is not None:
            return found
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/core/test_layers.py and docs/engine.md")


def rank(layer: str) -> int:
    return len(LAYERS) if layer == "package" else _RANK[layer]


def modules() -> list[tuple[str, Path, bool]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        if "templates" in path.parts:  # students' starting files (not library code)
            continue
        parts = ["gradstudent", *path.relative_to(SRC).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        out.append((".".join(parts[:-1] if is_package else parts), path, is_package))
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (SRC / rel).with_suffix(".py").exists() or (SRC / rel / "__init__.py").exists()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The gradstudent modules an import statement loads (a name imported from a package is its submodule
    when there is one, else the package)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "gradstudent"]
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base.split(".")[0] != "gradstudent":
        return []
    return [f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


def function_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
    return list({id(n): n for n in found}.values())


def test_every_module_has_a_layer() -> None:
    for module, _, _ in modules():
        layer_of(module)


def test_module_level_imports_never_reach_a_higher_layer() -> None:
    wrong = []
    for module, path, is_package in modules():
        if module == "gradstudent":
            continue  # the package's namespace gathers everything
        mine = layer_of(module)
        for node in module_level_imports(ast.parse(path.read_text())):
            for target in _targets(node, module, is_package):
                theirs = layer_of(target)
                if theirs == "package" and rank(mine) >= rank(FACADE_FROM):
                    continue
                if rank(theirs) > rank(mine):
                    wrong.append(f"{module} ({mine}) imports {target} ({theirs}) at line {node.lineno}")
    assert not wrong, "imports reaching a higher layer:\n" + "\n".join(wrong)


def test_a_package_is_not_above_its_modules() -> None:
    """Importing ``a.b.c`` first runs ``a/b/__init__.py``: a package may not sit above its own modules
    (``gradstudent.autograd`` holds only the core; its API modules load with ``_load_api``)."""
    wrong = []
    for module, _, _ in modules():
        parts = module.split(".")
        for n in range(2, len(parts)):
            package = ".".join(parts[:n])
            if rank(layer_of(package)) > rank(layer_of(module)):
                wrong.append(f"{package} ({layer_of(package)}) is above its module {module} ({layer_of(module)})")
    assert not wrong, "\n".join(wrong)


def test_the_core_has_no_function_level_imports_but_the_allowed_ones() -> None:
    found = {}
    for module, path, is_package in modules():
        if layer_of(module) not in CORE:
            continue
        for node in function_level_imports(ast.parse(path.read_text())):
            names = _targets(node, module, is_package) or (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
            for name in names:
                found[(module, name)] = node.lineno
    extra = {key: line for key, line in found.items() if key not in ALLOWED_LAZY}
    assert not extra, "function-level imports in the core (import at module level, or break the cycle):\n" + "\n".join(
        f"{m}:{line} imports {name}" for (m, name), line in sorted(extra.items()))


@pytest.mark.parametrize("filename", ["tensor.py", "tensor_ops.py", "tensor_inplace.py"])
def test_every_op_the_tensor_class_looks_up_is_registered(filename: str) -> None:
    names = set(re.findall(r'_OPS\["(\w+)"\]', (SRC / filename).read_text()))
    assert names, f"{filename} looks up no op"
    missing = sorted(names - set(TENSOR_METHODS))
    assert not missing, f"{filename} looks up ops nobody registered: {missing}"


def test_the_checks_catch_a_violation() -> None:
    """The import check itself works: an ops import in tensor.py would be reported."""
    tree = ast.parse("from .ops.elementwise import add\nfrom . import ops\n")
    targets = [t for n in module_level_imports(tree) for t in _targets(n, "gradstudent.tensor", False)]
    assert targets == ["gradstudent.ops.elementwise", "gradstudent.ops"]
    assert all(rank(layer_of(t)) > rank(layer_of("gradstudent.tensor")) for t in targets)
    lazy = ast.parse("def f():\n    from .ops import inplace\n")
    assert len(function_level_imports(lazy)) == 1


def test_op_results_are_plain_tensors_also_for_a_parameter() -> None:
    """The core makes results with ``inputs[0]._make``, which always makes a ``Tensor`` (never a
    ``Parameter``, as in PyTorch), for recorded ops, comparisons and views alike."""
    p = gradstudent.nn.Parameter(gradstudent.tensor([1.0, -2.0]))
    for result in (p * 2, p.sum(), p == 1.0, p.view(1, 2), p.all(), p.detach(), p.data):
        assert type(result) is gradstudent.Tensor


def test_private_table_entries_are_not_tensor_methods() -> None:
    x = gradstudent.zeros(2)
    assert "_cast" in TENSOR_METHODS and not hasattr(x, "_cast")
    assert not hasattr(x, "_setitem")
