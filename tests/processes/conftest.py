"""Real `appwright serve` processes (subprocesses), a real scripted model server, and the
real PostgreSQL and Redis: what several production processes look like."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serving import ServeProcess

from appwright.sim import SimServer

ADMIN = "admin-process-test"


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
