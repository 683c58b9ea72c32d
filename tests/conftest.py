"""Fixtures shared by every test: settings, the two databases, a started runtime, vendors.

The API suite runs on both SQLite and the real PostgreSQL (`backend` is parametrised). Each
test session gets its own PostgreSQL database, created fresh and dropped at the end, so the
suite never touches data it did not make. Tests isolate from each other by making their own
vendors and apps, as real tenants do.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from appwright.api.app import create_app
from appwright.config import Settings
from appwright.log_names import session_log
from appwright.runtime import Runtime
from appwright.store.ids import now
from appwright.store.schema import runs
from appwright.testing.fake_search import FakeSearch

PG_ADMIN_DSN = os.environ.get("APPWRIGHT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("APPWRIGHT_TEST_REDIS", "redis://127.0.0.1:6379/0")


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _new_database() -> Iterator[str]:
    name = f"appwright_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """One database for the whole session: every service on it shares the secrets that
    `make_settings` gives (a process with others refuses to start, as in production)."""
    yield from _new_database()


@pytest.fixture
def own_pg_url() -> Iterator[str]:
    """A database of this test's own: for processes with settings of their own."""
    yield from _new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_settings(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> Callable[..., Settings]:
    database_url = request.getfixturevalue("pg_url") if backend == "postgres" else None

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "admin_token": "admin-test-token",
            # Shared by every service of the test database, as on several machines.
            "secret_key": "secret-test-key",
            "anthropic_api_key": None,
            "openai_api_key": None,
            "openai_base_url": None,
            "anthropic_base_url": None,
            "exa_api_key": None,
            # The commit/push worker appends to the app log on its own schedule; tests of
            # the log's other events run without it, and tests of git start it themselves.
            "git_worker": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
async def runtime(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    rt = Runtime(make_settings())
    await rt.start()
    try:
        yield rt
    finally:
        await rt.stop()


@pytest.fixture
async def idle_runtime(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    """A runtime whose run service looks for runs to take over only as it starts: for tests that
    make runs by hand. Runs made during the test and still running at its end are ended
    then, so that no later test's service (they share the PostgreSQL database) takes one
    over."""
    rt = Runtime(make_settings(run_heartbeat_seconds=3600))
    await rt.start()
    since = now()

    async def end_runs(conn: Any) -> None:
        await conn.execute(
            sa.update(runs)
            .where(runs.c.status == "running", runs.c.created_at >= since)
            .values(status="failed", owner=None)
        )

    try:
        yield rt
    finally:
        await rt.db.run(end_runs)
        await rt.stop()


@pytest.fixture
def asgi_app(runtime: Runtime) -> FastAPI:
    """The service's ASGI app over the test's runtime (what `client` talks to)."""
    return create_app(runtime=runtime)


@pytest.fixture
async def client(asgi_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://appwright.test") as c:
        yield c


class VendorClient:
    """A vendor's view of the API: its token on every request."""

    def __init__(self, client: httpx.AsyncClient, vendor: dict[str, str]) -> None:
        self.client = client
        self.id = vendor["id"]
        self.token = vendor["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def create_app(self, files: dict[str, str] | None = None, name: str = "shop") -> str:
        response = await self.post("/api/apps", json={"name": name, "files": files or {}})
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture
def new_vendor(client: httpx.AsyncClient) -> Callable[..., Any]:
    async def make(name: str = "vendor") -> VendorClient:
        return await register_vendor(client, name)

    return make


async def register_vendor(client: httpx.AsyncClient, name: str = "vendor") -> VendorClient:
    """A new vendor on `client`'s service, made through the admin API."""
    response = await client.post(
        "/api/vendors", json={"name": name}, headers={"Authorization": "Bearer admin-test-token"}
    )
    assert response.status_code == 201, response.text
    return VendorClient(client, response.json())


class Service:
    """Another running service (its own runtime, data dir and client) for one test."""

    def __init__(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime

    async def vendor(self, name: str = "vendor") -> VendorClient:
        return await register_vendor(self.client, name)


@pytest.fixture
async def make_service(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start a service with settings overrides (e.g. small size limits) on the test's
    backend; each gets its own data dir. Stopped when the test ends."""
    async with AsyncExitStack() as stack:
        count = 0

        async def make(**overrides: Any) -> Service:
            nonlocal count
            count += 1
            overrides.setdefault("data_dir", tmp_path / f"service-{count}")
            rt = Runtime(make_settings(**overrides))
            await rt.start()
            stack.push_async_callback(rt.stop)
            transport = httpx.ASGITransport(app=create_app(runtime=rt))
            c = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://appwright.test")
            )
            return Service(c, rt)

        yield make


def check_log_invariants(events: list[dict[str, Any]]) -> None:
    """What every session log must satisfy, whatever happened in it."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "contiguous seq"
    started = sorted(e["tool_id"] for e in events if e["type"] == "tool.started")
    finished = sorted(e["tool_id"] for e in events if e["type"] == "tool.finished")
    assert finished == started, "every tool.started has exactly one tool.finished"
    runs = sorted(e["run_id"] for e in events if e["type"] == "run.started")
    ends = sorted(e["run_id"] for e in events if e["type"] == "run.finished")
    assert ends == runs, "every run has exactly one run.finished"


class Harness:
    def __init__(self, runtime: Runtime, client: httpx.AsyncClient, token: str) -> None:
        self.runtime = runtime
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sessions: list[str] = []

    async def app(self, files: dict[str, str]) -> str:
        r = await self.client.post(
            "/api/apps", json={"name": "shop", "files": files}, headers=self.headers
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def session(self, app_id: str) -> str:
        r = await self.client.post(f"/api/apps/{app_id}/sessions", headers=self.headers)
        assert r.status_code == 201, r.text
        self.sessions.append(r.json()["id"])
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
async def harness_factory(make_settings) -> AsyncIterator[Callable[..., Any]]:
    """Makes harnesses; at the end of the test, lets their runs finish, checks that every
    session log they made satisfies the log invariants, and stops their runtimes."""
    harnesses: list[Harness] = []

    async def make(model_client: Any, search: Any | None = None, **settings: Any) -> Harness:
        defaults: dict[str, Any] = {
            "retry_base": 0.01,
            "retry_cap": 0.05,
            "timeout_model_idle": 1.0,
        }
        defaults.update(settings)
        runtime = Runtime(
            make_settings(**defaults), model=model_client, search=search or FakeSearch()
        )
        await runtime.start()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(runtime=runtime)), base_url="http://t"
        )
        r = await client.post(
            "/api/vendors", json={"name": "v"}, headers={"Authorization": "Bearer admin-test-token"}
        )
        harness = Harness(runtime, client, r.json()["token"])
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        try:
            async with asyncio.timeout(20):
                while harness.runtime.runs.active:
                    await asyncio.sleep(0.02)
            for session_id in harness.sessions:
                check_log_invariants(await harness.events(session_id))
        finally:
            await harness.client.aclose()
            await harness.runtime.stop()


@pytest.fixture
async def harness(harness_factory) -> AsyncIterator[Callable[..., Any]]:
    yield harness_factory
