"""Real `appwright serve` processes (subprocesses), a real scripted model server, and the
real PostgreSQL and Redis: what several production processes look like."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from appwright.sim import SimServer

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin-process-test"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        """Start (or, after `kill9`, restart on the same port)."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appwright.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        return self

    async def ready(self, timeout: float = 30) -> None:
        async with httpx.AsyncClient() as client, asyncio.timeout(timeout):
            while True:
                assert self.proc is not None and self.proc.poll() is None, (
                    self.log_path.read_text()[-3000:]
                )
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


@pytest.fixture
def serve_env(tmp_path: Path, sim: SimServer) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_"))
    }
    env.update(
        {
            "APPWRIGHT_DATA_DIR": str(tmp_path / "data"),
            "APPWRIGHT_ADMIN_TOKEN": ADMIN,
            "ANTHROPIC_API_KEY": "sk-ant-process-test",
            "ANTHROPIC_BASE_URL": sim.url,
            "APPWRIGHT_RUN_LEASE_SECONDS": "2",
            "APPWRIGHT_RUN_HEARTBEAT_SECONDS": "0.5",
            "APPWRIGHT_TIMEOUT_MODEL_IDLE": "5",
            "APPWRIGHT_LOG_JSON": "true",
        }
    )
    return env


@pytest.fixture
def spawn(tmp_path: Path):
    started: list[ServeProcess] = []

    async def start(env: dict[str, str], name: str) -> ServeProcess:
        process = ServeProcess(env, tmp_path / f"{name}.log").start()
        started.append(process)
        await process.ready()
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def make_vendor():
    async def make(url: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=url) as client:
            r = await client.post(
                "/api/vendors", json={"name": "v"}, headers={"Authorization": f"Bearer {ADMIN}"}
            )
            assert r.status_code == 201, r.text
            return r.json()

    return make
