"""Run leases on both databases: a claim is exclusive and bumps the epoch, a renewal reports
the leases lost meanwhile, and the fence refuses every write of a lease no longer current."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from appwright.agent.journal import RunJournal
from appwright.errors import LeaseLost
from appwright.events.types import ErrorInfo, TextDelta
from appwright.log_names import session_log
from appwright.models.types import Message, TextPart
from appwright.runtime import Runtime
from appwright.store import leases, logs
from appwright.store import sessions as session_store
from appwright.store.ids import now
from appwright.store.schema import runs


async def running(runtime: Runtime) -> tuple[str, str, str, leases.Lease]:
    """(vendor, app, session, lease): a run owned by "proc_a", its lease already expired."""
    vendor, _token = await runtime.workspace.create_vendor("v")
    app = await runtime.workspace.create_app(vendor.id, "a", {"index.html": "<p>x</p>"})
    session = await runtime.sessions.create_session(vendor.id, app.id)

    async def work(conn: Any) -> str:
        run = await session_store.insert_run(conn, session.id, "hi", None, "proc_a")
        await conn.execute(
            sa.update(runs)
            .where(runs.c.id == run.id)
            .values(lease_until=now() - timedelta(seconds=1))
        )
        return run.id

    run_id = await runtime.db.run(work)
    return vendor.id, app.id, session.id, leases.Lease(run_id, "proc_a", 0)


async def test_one_of_two_claims_wins_and_fences_the_previous_owner(idle_runtime) -> None:
    _vendor, _app, _session, lease = await running(idle_runtime)
    until = now() + timedelta(seconds=10)

    async def claim(owner: str) -> leases.Lease | None:
        return await idle_runtime.db.run(
            lambda conn: leases.claim(conn, lease.run_id, owner, now(), until)
        )

    claims = await asyncio.gather(claim("proc_b"), claim("proc_c"))
    won = [c for c in claims if c is not None]
    assert len(won) == 1 and won[0].epoch == 1
    with pytest.raises(LeaseLost):
        await idle_runtime.db.run(lambda conn: leases.hold(conn, lease, until))
    await idle_runtime.db.run(lambda conn: leases.hold(conn, won[0], until))
    renewal = await idle_runtime.db.run(lambda conn: leases.renew(conn, [lease, won[0]], until))
    assert renewal.lost == [lease.run_id]
    expired = await idle_runtime.db.read(lambda conn: leases.expired(conn, now(), []))
    assert lease.run_id not in expired


async def test_a_run_reclaimed_by_its_old_owner_still_fences_the_old_epoch(idle_runtime) -> None:
    _vendor, _app, _session, lease = await running(idle_runtime)
    moment = now() + timedelta(seconds=30)  # every lease has run out by then
    again = await idle_runtime.db.run(
        lambda conn: leases.claim(conn, lease.run_id, "proc_a", moment, moment)
    )
    assert again is not None and again.owner == lease.owner and again.epoch == 1
    with pytest.raises(LeaseLost):
        await idle_runtime.db.run(lambda conn: leases.hold(conn, lease, moment))


async def test_a_renewal_never_waits_for_a_write_of_the_run_under_way(
    idle_runtime, backend
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: there is no row lock to wait for")
    _vendor, _app, _session, lease = await running(idle_runtime)
    until = now() + timedelta(seconds=10)
    locked, release = asyncio.Event(), asyncio.Event()

    async def a_long_write(conn: Any) -> None:
        await leases.hold(conn, lease, until)
        locked.set()
        await release.wait()

    writing = asyncio.create_task(idle_runtime.db.run(a_long_write))
    await locked.wait()
    try:
        async with asyncio.timeout(5):
            renewal = await idle_runtime.db.run(lambda conn: leases.renew(conn, [lease], until))
        assert renewal.lost == []
    finally:
        release.set()
        await writing
    after = await idle_runtime.db.read(lambda conn: session_store.get_run(conn, lease.run_id))
    assert after.owner == "proc_a"


async def test_every_write_of_a_journal_whose_lease_was_taken_is_refused(idle_runtime) -> None:
    vendor_id, app_id, session_id, lease = await running(idle_runtime)
    journal = RunJournal(idle_runtime.db, idle_runtime.bus, session_id, lease, lease_seconds=10)
    lost: list[bool] = []
    journal.on_lost = lambda: lost.append(True)
    journal.start()
    taken = await idle_runtime.db.run(
        lambda conn: leases.claim(conn, lease.run_id, "proc_b", now(), now() + timedelta(hours=1))
    )
    assert taken is not None

    journal.emit(TextDelta(text="late", run_id=lease.run_id))
    await journal.flush()
    with pytest.raises(LeaseLost):
        await idle_runtime.workspace.edit(
            vendor_id,
            app_id,
            ["index.html"],
            lambda current: ({"index.html": "<p>late</p>"}, None),
            source="ai",
            run_id=lease.run_id,
            fence=journal.hold,
        )
    with pytest.raises(LeaseLost):
        await journal.save_turn(1, [Message(role="assistant", parts=(TextPart("late"),))], [])
    error = ErrorInfo(code="x", message="x")
    assert await journal.finish("failed", error, [], on_first=lambda: None) is False
    await journal.close()

    assert lost and journal.lost
    log = session_log(session_id)
    assert await idle_runtime.db.read(lambda conn: logs.read(conn, log, 0)) == []
    assert (
        await idle_runtime.workspace.file(vendor_id, app_id, "index.html")
    ).content == "<p>x</p>"
    assert [v.source for v in await idle_runtime.workspace.versions(vendor_id, app_id)] == [
        "initial"
    ]
    run = await idle_runtime.db.read(lambda conn: session_store.get_run(conn, lease.run_id))
    assert (run.status, run.turns, run.owner) == ("running", 0, "proc_b")
