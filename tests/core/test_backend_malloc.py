"""The allocator tuning at import (backend._keep_freed_memory) is harmless and can be switched off."""

from __future__ import annotations

import os
import subprocess
import sys


def test_import_with_and_without_malloc_tuning() -> None:
    code = "import gradstudent as gs; x = gs.randn(2000, 2000); print(float((x @ x).sum()) == float((x @ x).sum()))"
    for flag in ("1", "0"):
        env = dict(os.environ, GRADSTUDENT_MALLOC_TUNING=flag)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "True"
