"""The allocator tuning (backend.tune_allocator, applied by ``import gradstudent``) is harmless,
is not an import side effect of ``gradstudent.backend`` itself, and can be switched off."""

from __future__ import annotations

import os
import subprocess
import sys

import gradstudent.backend as backend


def test_import_with_and_without_malloc_tuning() -> None:
    code = (
        "import gradstudent as gs; from gradstudent import backend; x = gs.randn(2000, 2000); "
        "print(float((x @ x).sum()) == float((x @ x).sum()), backend.tune_allocator())"
    )
    applies = sys.platform.startswith("linux")
    for flag, expect in (("1", applies), ("0", False)):
        env = dict(os.environ, GRADSTUDENT_MALLOC_TUNING=flag)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        same, applied = out.stdout.split()
        assert same == "True"
        assert applied == str(expect) or (flag == "1" and applied == "False")  # (a non-glibc Linux: not applied)


def test_backend_module_has_no_allocator_side_effect() -> None:
    """The setting lives in one documented function; importing the backend module does not call it."""
    import inspect

    source = inspect.getsource(backend)
    calls = [line for line in source.splitlines() if line.strip().startswith("tune_allocator(")]
    assert calls == []
