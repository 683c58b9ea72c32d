"""`SimServer`: the sim on a free port of 127.0.0.1, in a background thread, for tests and
benchmarks.

    with SimServer() as sim:                 # or: async with SimServer() as sim:
        sim.script("m1", [{"content": [{"type": "text", "text": "hi"}]}])
        client = AsyncAnthropic(base_url=sim.url, api_key="k")
        ...
        sim.requests("m1")                    # what the sim received

The server runs its own event loop, so it serves both sync and async clients, and blocking
calls on it (`script`, `requests`) never deadlock against the test's loop. A server is
started once and stopped once.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from appwright.sim.app import SimState
from appwright.sim.script import ScriptBook, parse_script
from appwright.sim.serve import SimUvicorn, sim_config

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


class SimServer:
    def __init__(self, scripts: Mapping[str, Any] | None = None, host: str = "127.0.0.1") -> None:
        """`scripts`: `{model: {"turns": [...]}}` to preload."""
        book = ScriptBook(scripts={m: parse_script(s) for m, s in (scripts or {}).items()})
        self._state = SimState(book=book)
        self._host = host
        self._server: SimUvicorn | None = None
        self._thread: threading.Thread | None = None
        self._control: httpx.Client | None = None
        self.url = ""

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SimServer:
        if self._server is not None:
            raise RuntimeError("a SimServer is started once")
        # Bound here, not by uvicorn, so the port is known before the thread starts.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, 0))
        port = sock.getsockname()[1]
        config = sim_config(self._state, self._host, port, quiet=True)
        server = self._server = SimUvicorn(config, self._state)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"appwright-sim-{port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the sim server did not start")
            time.sleep(0.005)
        self.url = f"http://{self._host}:{port}"
        # One client for the control calls: a new one per call costs an SSL context each.
        # A fresh connection per call: a kept-alive one the server closes as idle, just as
        # the next call reuses it, would fail that call ("disconnected without a response").
        self._control = httpx.Client(
            base_url=f"{self.url}/_sim", limits=httpx.Limits(max_keepalive_connections=0)
        )
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        if self._control is not None:
            self._control.close()
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(_STOP_TIMEOUT)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> SimServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    # --- control API --------------------------------------------------------------------------

    def script(self, model: str, turns: list[dict[str, Any]], **options: Any) -> None:
        """`options`: the script's model settings (`context_window`, `max_output_tokens`,
        `cache_min_tokens`, `turns_by`)."""
        response = self._client().put(f"/scripts/{model}", json={"turns": turns, **options})
        if response.status_code != 200:
            raise ValueError(response.json().get("error", response.text))

    def requests(self, model: str) -> list[dict[str, Any]]:
        response = self._client().get(f"/requests/{model}")
        response.raise_for_status()
        return response.json()

    def forget(self, model: str) -> None:
        self._client().delete(f"/scripts/{model}")

    def _client(self) -> httpx.Client:
        if self._control is None:
            raise RuntimeError("the SimServer is not started")
        return self._control
