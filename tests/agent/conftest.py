"""Fixtures for run-loop tests: a runtime with a test model and a test search provider,
and helpers that wait for a run's end by watching its session log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from appwright.api.app import create_app
from appwright.events.log import session_log
from appwright.runtime import Runtime
from appwright.search.testing import FakeSearch


class Harness:
    def __init__(self, runtime: Runtime, client: httpx.AsyncClient, token: str) -> None:
        self.runtime = runtime
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def app(self, files: dict[str, str]) -> str:
        r = await self.client.post(
            "/api/apps", json={"name": "shop", "files": files}, headers=self.headers
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def session(self, app_id: str) -> str:
        r = await self.client.post(f"/api/apps/{app_id}/sessions", headers=self.headers)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def send(
        self, session_id: str, text: str, client_msg_id: str | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/sessions/{session_id}/messages",
            json={"text": text, "client_msg_id": client_msg_id},
            headers=self.headers,
        )

    async def events(self, session_id: str, after: int = 0) -> list[dict[str, Any]]:
        r = await self.client.get(
            f"/api/sessions/{session_id}/events?after={after}", headers=self.headers
        )
        assert r.status_code == 200, r.text
        return r.json()["events"]

    async def file(self, app_id: str, path: str) -> str | None:
        r = await self.client.get(f"/api/apps/{app_id}/files/{path}", headers=self.headers)
        return r.json()["content"] if r.status_code == 200 else None

    async def wait_for(
        self, session_id: str, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10
    ) -> dict[str, Any]:
        """The first event of the session's log matching `predicate`, waiting for it live."""
        async with self.runtime.bus.subscribe(session_log(session_id)) as subscription:
            for event in await self.events(session_id):
                if predicate(event):
                    return event
            async with asyncio.timeout(timeout):
                while True:
                    event = await subscription.get()
                    if predicate(event):
                        return event

    async def finished(self, session_id: str, run_id: str, timeout: float = 10) -> dict[str, Any]:
        return await self.wait_for(
            session_id,
            lambda e: e["type"] == "run.finished" and e["run_id"] == run_id,
            timeout,
        )

    async def run(self, session_id: str, text: str, timeout: float = 10) -> dict[str, Any]:
        r = await self.send(session_id, text)
        assert r.status_code == 202, r.text
        return await self.finished(session_id, r.json()["run_id"], timeout)


@pytest.fixture
def harness_factory(make_settings) -> Callable[..., Any]:
    runtimes: list[Runtime] = []

    async def make(model: Any, search: Any | None = None, **settings: Any) -> Harness:
        defaults: dict[str, Any] = {
            "retry_base": 0.01,
            "retry_cap": 0.05,
            "timeout_model_idle": 1.0,
        }
        defaults.update(settings)
        runtime = Runtime(make_settings(**defaults), model=model, search=search or FakeSearch())
        await runtime.start()
        runtimes.append(runtime)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(runtime=runtime)), base_url="http://t"
        )
        r = await client.post(
            "/api/vendors", json={"name": "v"}, headers={"Authorization": "Bearer admin-test-token"}
        )
        return Harness(runtime, client, r.json()["token"])

    return make


@pytest.fixture
async def harness(harness_factory) -> AsyncIterator[Callable[..., Any]]:
    yield harness_factory
