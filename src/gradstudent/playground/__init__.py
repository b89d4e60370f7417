"""``gradstudent playground``: a TensorFlow-Playground-style page with gradstudent training on the server.

    gradstudent playground               # opens http://127.0.0.1:8765/ in your browser
    gradstudent playground --port 9000 --no-browser

Needs the ``playground`` extra (``pip install -e ".[playground]"``: Starlette, uvicorn, websockets).
"""

from __future__ import annotations

import argparse
from typing import Sequence

from .config import ConfigError, PlaygroundConfig

__all__ = ["ConfigError", "PlaygroundConfig", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="gradstudent playground", description="Train small networks on 2-D data in your browser.")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = p.parse_args(argv)
    try:
        from .server import serve
    except ImportError as err:
        print(f"gradstudent: the playground needs its extra: pip install 'gradstudent[playground]' ({err})")
        return 2
    serve(args.port, not args.no_browser, args.host)
    return 0
