"""The playground's web server: Starlette routes and one websocket per browser tab.

The page sends its settings and play/pause/step/export commands over the websocket;
the server trains in a worker thread (so the event loop stays responsive) and sends
back a snapshot after every few steps. CSV uploads and model downloads are plain HTTP.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .config import ConfigError, PlaygroundConfig
from .session import Session, parse_csv

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 1_000_000
STEPS_PER_FRAME = 10


class _Store:
    """A small bounded store of uploads and exports, by random token (oldest dropped first)."""

    def __init__(self, size: int = 32) -> None:
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.size = size

    def put(self, value: Any) -> str:
        token = secrets.token_urlsafe(12)
        self.items[token] = value
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return token

    def get(self, token: str | None) -> Any:
        return self.items.get(token) if token else None


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def script(request: Request) -> Response:
    return FileResponse(STATIC / "app.js", media_type="text/javascript")


async def upload(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        return JSONResponse({"error": f"upload: the file is {len(body):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}"}, status_code=400)
    try:
        data = parse_csv(body.decode("utf-8"))
    except UnicodeDecodeError:
        return JSONResponse({"error": "upload: the file is not UTF-8 text; upload a CSV with columns x,y,label"}, status_code=400)
    except ConfigError as err:
        return JSONResponse({"error": str(err)}, status_code=400)
    return JSONResponse({"token": request.app.state.uploads.put(data), "rows": len(data)})


async def download(request: Request) -> Response:
    data = request.app.state.exports.get(request.path_params["token"])
    if data is None:
        return JSONResponse({"error": "export: unknown or expired link; press Export again"}, status_code=404)
    return Response(data, media_type="application/octet-stream", headers={"Content-Disposition": 'attachment; filename="playground.safetensors"'})


class Connection:
    """One browser tab: its session, and whether it is playing."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws, self.playing = ws, False
        self.session: Session | None = None
        self.lock = asyncio.Lock()
        self.player: asyncio.Task[None] | None = None

    async def send_snapshot(self) -> None:
        if self.session is not None:
            await self.ws.send_json({"type": "snapshot", **self.session.snapshot()})

    async def configure(self, message: dict[str, Any]) -> None:
        try:
            config = PlaygroundConfig.from_dict(message.get("config", {}))
            upload_data = self.ws.app.state.uploads.get(message.get("upload"))
            async with self.lock:
                session = await asyncio.to_thread(lambda: Session(config, upload_data))
                self.session = session
        except ConfigError as err:
            await self.ws.send_json({"type": "error", "message": str(err)})
            return
        await self.ws.send_json({"type": "reset", "query": config.to_query(), "points": session.points()})
        await self.send_snapshot()

    async def play(self) -> None:
        while self.playing and self.session is not None:
            async with self.lock:
                await asyncio.to_thread(self.session.step, STEPS_PER_FRAME)
                snap = self.session.snapshot()
            if not np.isfinite(snap["train_loss"]):
                self.playing = False
                await self.ws.send_json({"type": "error", "message": "training diverged (the loss is NaN or inf): lower the learning rate and press Reset"})
            await self.ws.send_json({"type": "snapshot", **snap})
            await asyncio.sleep(0.01)

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "config":
            await self.configure(message)
        elif kind == "play" and not self.playing:
            self.playing = True
            self.player = asyncio.create_task(self.play())
        elif kind == "pause":
            self.playing = False
        elif kind == "step" and self.session is not None:
            async with self.lock:
                await asyncio.to_thread(self.session.step, STEPS_PER_FRAME)
            await self.send_snapshot()
        elif kind == "export" and self.session is not None:
            token = self.ws.app.state.exports.put(self.session.export())
            await self.ws.send_json({"type": "export", "url": f"/export/{token}"})
        else:
            await self.ws.send_json({"type": "error", "message": f"unknown command {kind!r}"})


async def websocket(ws: WebSocket) -> None:
    await ws.accept()
    conn = Connection(ws)
    try:
        while True:
            await conn.handle(await ws.receive_json())
    except WebSocketDisconnect:
        pass
    finally:
        conn.playing = False
        if conn.player is not None:
            conn.player.cancel()


def create_app() -> Starlette:
    app = Starlette(routes=[
        Route("/", index), Route("/app.js", script), Route("/upload", upload, methods=["POST"]),
        Route("/export/{token}", download), WebSocketRoute("/ws", websocket),
    ])
    app.state.uploads, app.state.exports = _Store(), _Store()
    return app


def serve(port: int = 8765, open_browser: bool = True, host: str = "127.0.0.1") -> None:
    """Run the playground until Ctrl-C (``gradstudent playground``)."""
    import uvicorn

    url = f"http://{host}:{port}/"
    print(f"gradstudent playground at {url} (Ctrl-C stops it)")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
