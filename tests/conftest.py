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
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from appwright.api.app import create_app
from appwright.config import Settings
from appwright.runtime import Runtime

PG_ADMIN_DSN = os.environ.get("APPWRIGHT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("APPWRIGHT_TEST_REDIS", "redis://127.0.0.1:6379/0")


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"appwright_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Callable[..., Settings]:
    database_url = request.getfixturevalue("pg_url") if backend == "postgres" else None

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "admin_token": "admin-test-token",
            "anthropic_api_key": None,
            "openai_api_key": None,
            "openai_base_url": None,
            "anthropic_base_url": None,
            "exa_api_key": None,
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
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
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
        return await self.client.request(method, url, headers=self.headers, **kwargs)

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
        response = await client.post(
            "/api/vendors", json={"name": name}, headers={"Authorization": "Bearer admin-test-token"}
        )
        assert response.status_code == 201, response.text
        return VendorClient(client, response.json())

    return make
