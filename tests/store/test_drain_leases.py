"""Drain leases on both databases: one process at a time drains an app, a lease that runs
out passes to another process with a new epoch, and the fence refuses the writes of the
holder that lost it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from appwright.errors import LeaseLost
from appwright.runtime import Runtime
from appwright.store import drain_leases as leases
from appwright.store.ids import now


@pytest.fixture
def app_id() -> str:
    return f"app_{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is shared by every test


async def claim(
    runtime: Runtime, app_id: str, owner: str, seconds: float
) -> leases.DrainLease | datetime:
    until = now() + timedelta(seconds=seconds)
    return await runtime.db.run(lambda conn: leases.claim(conn, app_id, owner, now(), until))


async def test_one_process_drains_an_app_until_its_lease_runs_out(
    runtime: Runtime, app_id: str
) -> None:
    claims = await asyncio.gather(
        claim(runtime, app_id, "proc_a", 0.5), claim(runtime, app_id, "proc_b", 0.5)
    )
    won = [c for c in claims if isinstance(c, leases.DrainLease)]
    assert len(won) == 1 and won[0].epoch == 1
    refused = next(c for c in claims if isinstance(c, datetime))
    assert refused > now()  # when the holder's lease ends: when to look again

    first = won[0]
    await asyncio.sleep(0.6)  # the holder died: no renewal
    other = "proc_b" if first.owner == "proc_a" else "proc_a"
    taken = await claim(runtime, app_id, other, 10)
    assert isinstance(taken, leases.DrainLease) and taken.epoch == 2
    with pytest.raises(LeaseLost):  # the old holder wakes up: its writes are refused
        await runtime.db.run(lambda conn: leases.hold(conn, first, now()))
    await runtime.db.run(lambda conn: leases.hold(conn, taken, now() + timedelta(seconds=10)))


async def test_a_released_lease_is_free_at_once(runtime: Runtime, app_id: str) -> None:
    held = await claim(runtime, app_id, "proc_a", 60)
    assert isinstance(held, leases.DrainLease)
    assert isinstance(await claim(runtime, app_id, "proc_b", 60), datetime)
    await runtime.db.run(lambda conn: leases.release(conn, held))
    taken = await claim(runtime, app_id, "proc_b", 60)
    assert isinstance(taken, leases.DrainLease) and taken.epoch == held.epoch + 1
