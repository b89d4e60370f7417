"""Run a torch program unchanged, once on PyTorch and once with ``torch`` bound to gradstudent.

``load(name, "gradstudent")`` executes ``programs/<name>.py`` while ``sys.modules``
maps ``torch``, ``torch.nn``, ``torch.nn.functional``, ``torch.optim``,
``torch.utils.data``... to gradstudent's modules, so the program's own
``import torch`` statements bind gradstudent; the mapping is removed right
after the import (the program keeps the names it bound). Programs import at
the top and expose ``main(seed) -> dict`` of final metrics.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

HERE = os.path.dirname(os.path.abspath(__file__))

#: torch module name -> gradstudent module name
SHIM = {
    "torch": "gradstudent",
    "torch.nn": "gradstudent.nn",
    "torch.nn.functional": "gradstudent.nn.functional",
    "torch.nn.init": "gradstudent.nn.init",
    "torch.nn.utils": "gradstudent.nn.utils",
    "torch.optim": "gradstudent.optim",
    "torch.optim.lr_scheduler": "gradstudent.optim.lr_scheduler",
    "torch.utils": "gradstudent.utils",
    "torch.utils.data": "gradstudent.utils.data",
    "torch.autograd": "gradstudent.autograd",
}

PROGRAMS = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".py") and f not in ("runner.py", "__init__.py"))


def load(name: str, framework: str) -> ModuleType:
    """Import ``programs/<name>.py`` with ``torch`` meaning ``framework`` ("torch" or "gradstudent")."""
    path = os.path.join(HERE, f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"compat_program_{framework}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if framework == "torch":
        spec.loader.exec_module(module)
        return module
    if framework != "gradstudent":
        raise ValueError(f"framework must be 'torch' or 'gradstudent', got {framework!r}")
    saved = {key: sys.modules.get(key) for key in SHIM}
    try:
        for key, target in SHIM.items():
            sys.modules[key] = importlib.import_module(target)
        spec.loader.exec_module(module)
    finally:
        for key, previous in saved.items():
            if previous is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = previous
    return module


def run(name: str, framework: str, seed: int) -> dict[str, float]:
    return load(name, framework).main(seed)


if __name__ == "__main__":  # python tests/compat/programs/runner.py [names...]: print both frameworks' metrics
    import time

    for program in sys.argv[1:] or PROGRAMS:
        for fw, seeds in (("gradstudent", (0,)), ("torch", (0, 1, 2))):
            for s in seeds:
                start = time.perf_counter()
                try:
                    result = run(program, fw, s)
                except Exception as error:  # noqa: BLE001 - a report, not a test
                    result = {"error": f"{type(error).__name__}: {error}"[:200]}
                print(f"{program:24s} {fw:12s} seed {s}: {result}  ({time.perf_counter() - start:.1f} s)")
