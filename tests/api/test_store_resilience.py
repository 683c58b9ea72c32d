"""The store under a real PostgreSQL restart, and against a database that is not there.

The restart test restarts the machine's PostgreSQL cluster (it needs root and the local
cluster the suite runs against); pytest runs tests one at a time, so no other test is
using the server meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from appwright.errors import Unavailable
from appwright.store.database import Database

pytestmark = pytest.mark.postgres
postgres_only = pytest.mark.parametrize("backend", ["postgres"])

WRITERS = 3
WRITES_BEFORE = 6  # per writer, before the restart starts
WRITES_AFTER = 4  # per writer, after the server is back


def _cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    return versions[-1], "main"


async def _restart_postgres() -> None:
    version, name = _cluster()
    process = await asyncio.create_subprocess_exec(
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        version,
        name,
        "restart",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def _wait_until_postgres_answers(dsn: str, deadline: float = 60.0) -> None:
    give_up = time.monotonic() + deadline
    while True:
        try:
            conn = await asyncpg.connect(dsn, timeout=2)
        except (OSError, asyncpg.PostgresError) as error:
            if time.monotonic() > give_up:
                raise AssertionError(f"PostgreSQL did not come back: {error!r}") from error
            await asyncio.sleep(0.1)
            continue
        try:
            await conn.fetchval("SELECT 1")
            return
        finally:
            await conn.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@postgres_only
@pytest.mark.skipif(
    os.geteuid() != 0
    or shutil.which("pg_ctlcluster") is None
    or not Path("/etc/postgresql").is_dir(),
    reason="restarting PostgreSQL needs root and a local pg_ctlcluster cluster",
)
async def test_a_postgres_restart_loses_no_write_and_fails_no_request(
    new_vendor, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="appwright.store.database")
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "<h1>before</h1>"})
    url = f"/api/apps/{app_id}/files"

    results: list[tuple[int, int, float, float, Any]] = []
    done_before = [0] * WRITERS
    done_after = [0] * WRITERS
    enough_before = asyncio.Event()
    restarted_at: list[float] = []
    back_at: list[float] = []
    stop = asyncio.Event()

    async def writer(w: int) -> None:
        i = 0
        while not stop.is_set():
            started = time.monotonic()
            response = await vendor.put(f"{url}/w{w}.txt", json={"content": f"{w}:{i}"})
            results.append((w, i, started, time.monotonic(), response))
            if response.status_code != 200:
                stop.set()
                enough_before.set()
                return
            i += 1
            if back_at and started > back_at[0]:
                done_after[w] += 1
            else:
                done_before[w] += 1
            if min(done_before) >= WRITES_BEFORE:
                enough_before.set()
            if back_at and min(done_after) >= WRITES_AFTER:
                stop.set()

    reads: list[Any] = []

    async def reader() -> None:
        while not stop.is_set():
            reads.append(await vendor.get(url))
            if reads[-1].status_code != 200:
                stop.set()

    async def restart() -> None:
        await enough_before.wait()
        if stop.is_set():
            return
        restarted_at.append(time.monotonic())
        await _restart_postgres()
        await _wait_until_postgres_answers(pg_url.replace("+asyncpg", "", 1))
        back_at.append(time.monotonic())

    async with asyncio.timeout(90):
        await asyncio.gather(*(writer(w) for w in range(WRITERS)), reader(), restart())

    failed = [r.text for *_, r in results if r.status_code != 200]
    failed += [r.text for r in reads if r.status_code != 200]
    assert not failed, failed
    # Writes were in flight while the server went away and came back.
    assert any(s < back_at[0] and e > restarted_at[0] for _, _, s, e, _ in results)

    versions = (await vendor.get(f"/api/apps/{app_id}/versions")).json()
    assert [v["number"] for v in versions] == list(range(len(results) + 1, 0, -1))
    for newer, older in zip(versions, versions[1:], strict=False):
        assert newer["parent_id"] == older["id"]
    for w in range(WRITERS):
        last = max(i for writer_id, i, *_ in results if writer_id == w)
        content = (await vendor.get(f"{url}/w{w}.txt")).json()["content"]
        assert content == f"{w}:{last}"
    events = (await vendor.get(f"/api/apps/{app_id}/events")).json()["events"]
    assert [e["seq"] for e in events] == list(range(1, 2 * len(versions) + 1))
    # The restart was felt: store calls failed underneath, and were retried, not reported.
    retried = [r for r in caplog.records if r.getMessage() == "store call failed, retrying"]
    assert retried, "no store call noticed the restart"


async def test_an_unreachable_database_gives_up_in_bounded_time() -> None:
    """With the budget the service runs with, a store that refuses connections answers
    store_unavailable after the retries, not after a hang."""
    db = Database(
        f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere", op_timeout=5.0
    )
    budget = sum(min(db.backoff.cap, db.backoff.base * 2 ** (a - 1)) for a in range(1, db.attempts))
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable) as refused:
            await db.run(lambda conn: conn.execute(sa.text("SELECT 1")))
    finally:
        await db.dispose()
    elapsed = time.monotonic() - started
    assert refused.value.code == "store_unavailable"
    assert refused.value.status == 503
    assert elapsed < budget + 2.0, (elapsed, budget)


@postgres_only
async def test_the_api_answers_503_when_the_store_is_down(runtime, client, new_vendor) -> None:
    vendor = await new_vendor()
    down = Database(
        f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere",
        op_timeout=1.0,
        attempts=3,
        backoff_base=0.05,
        backoff_cap=0.1,
    )
    healthy = runtime.db
    runtime.db = runtime.workspace.db = down
    try:
        for method, path in [("GET", "/api/apps"), ("POST", "/api/apps")]:
            response = await vendor.request(method, path, json={"name": "x", "files": {}})
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert set(response.json()) == {"error"} and set(error) == {"code", "message"}
            assert error["code"] == "store_unavailable" and error["message"]
            assert vendor.token not in response.text
        health = await client.get("/healthz")
        assert health.status_code == 503
    finally:
        runtime.db = runtime.workspace.db = healthy
        await down.dispose()
    assert (await vendor.get("/api/apps")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
