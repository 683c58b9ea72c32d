"""A real server (uvicorn on a free port, in the test's event loop) for WebSocket tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from appwright.api.app import create_app
from appwright.runtime import Runtime
from appwright.testing.fake_search import FakeSearch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, runtime: Runtime, port: int, token: str) -> None:
        self.runtime = runtime
        self.port = port
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        )

    def ws_url(self, path: str, token: str | None = None) -> str:
        return f"ws://127.0.0.1:{self.port}{path}?token={token or self.token}"

    async def app(self, files: dict[str, str] | None = None) -> str:
        r = await self.http.post(
            "/api/apps", json={"name": "a", "files": files or {"index.html": "<p>x</p>"}}
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def session(self, app_id: str) -> str:
        r = await self.http.post(f"/api/apps/{app_id}/sessions")
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def log(self, path: str) -> list[dict[str, Any]]:
        r = await self.http.get(path)
        assert r.status_code == 200, r.text
        return r.json()["events"]


async def receive_until(
    ws: Any, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> list[dict[str, Any]]:
    """Frames with a seq, up to and including the first matching `predicate`."""
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if "seq" not in frame:
                continue
            got.append(frame)
            if predicate(frame):
                return got


@pytest.fixture
def live_factory(make_settings) -> Callable[..., Any]:
    stack = contextlib.AsyncExitStack()

    async def start(model: Any = None, wrap: Any = None, **settings: Any) -> LiveServer:
        """`wrap`: ASGI middleware put in front of the service (to break connections)."""
        values: dict[str, Any] = {"retry_base": 0.01, "retry_cap": 0.05, "timeout_model_idle": 1.0}
        values.update(settings)
        runtime = Runtime(make_settings(**values), model=model, search=FakeSearch())
        await runtime.start()
        port = free_port()
        app = create_app(runtime=runtime)
        config = uvicorn.Config(
            wrap(app) if wrap else app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            ws_ping_interval=5,
            ws_ping_timeout=5,
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        admin = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
        r = await admin.post(
            "/api/vendors", json={"name": "v"}, headers={"Authorization": "Bearer admin-test-token"}
        )
        await admin.aclose()
        live = LiveServer(runtime, port, r.json()["token"])

        async def stop() -> None:
            await live.http.aclose()
            server.should_exit = True
            await task
            await runtime.stop()

        stack.push_async_callback(stop)
        return live

    start.stack = stack  # type: ignore[attr-defined]
    return start


@pytest.fixture
async def live(live_factory) -> AsyncIterator[Callable[..., Any]]:
    try:
        yield live_factory
    finally:
        await live_factory.stack.aclose()


@pytest.fixture
def until() -> Callable[..., Any]:
    return receive_until


@pytest.fixture
def connect() -> Callable[..., Any]:
    def open_socket(url: str) -> Any:
        return websockets.connect(url, open_timeout=5, close_timeout=1, max_size=2**24)

    return open_socket
