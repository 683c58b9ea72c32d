"""Run leases: which process runs a run, and the fence every write of a run goes through.

A run's row says who runs it (`owner`), until when that claim holds without a heartbeat
(`lease_until`), and how many times another process took it over (`takeovers`). The owner
and the takeover count together are the lease: `Lease(run, owner, epoch)`. A process that
takes a run over bumps `takeovers`, so the epoch of every earlier holder, even one that
re-claims the run later, no longer matches.

Fencing: a process paused long enough (GC, a network partition) can lose its lease to
another process and then wake up still running the run. Every write of a run (its events,
its turns, its edits, its end) therefore starts with `hold`, a conditional UPDATE of the
run's row that matches only while this lease is current. Being an UPDATE, it takes the
row's lock on PostgreSQL (a takeover's claim, also an UPDATE of the row, waits for the write
to commit, or the write waits for the claim and then matches nothing) and opens SQLite's
write transaction, so the check and the write are one atomic step on both databases.
A write whose `hold` fails raises `LeaseLost` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import LeaseLost
from appwright.store.schema import runs


@dataclass(frozen=True)
class Lease:
    run_id: str
    owner: str
    epoch: int  # `runs.takeovers` when `owner` got the run


@dataclass(frozen=True)
class Renewal:
    cancel_requested: list[str]
    lost: list[str]  # runs whose lease another process holds now, or that have ended


def _current(lease: Lease) -> sa.ColumnElement[bool]:
    return sa.and_(
        runs.c.id == lease.run_id,
        runs.c.owner == lease.owner,
        runs.c.takeovers == lease.epoch,
        runs.c.status == "running",
    )


async def hold(conn: AsyncConnection, lease: Lease, until: datetime) -> None:
    """The fence: raises LeaseLost unless `lease` is still current, and otherwise keeps it
    current until the transaction ends (see the module docstring). A process that writes is
    alive, so the lease is extended to `until` on the way."""
    result = await conn.execute(sa.update(runs).where(_current(lease)).values(lease_until=until))
    if result.rowcount != 1:
        raise LeaseLost(f"Run {lease.run_id} is no longer run by this process.")


async def renew(conn: AsyncConnection, leases: Sequence[Lease], until: datetime) -> Renewal:
    """Extend the current ones among `leases`; report the runs someone asked to cancel and
    the leases lost meanwhile. Never waits for a row lock: a run's row is locked only by a
    write of the run (which extends the lease itself) or by a takeover (which will end it)."""
    if not leases:
        return Renewal(cancel_requested=[], lost=[])
    rows = {
        row.id: row
        for row in await conn.execute(
            sa.select(
                runs.c.id, runs.c.owner, runs.c.takeovers, runs.c.status, runs.c.cancel_requested
            ).where(runs.c.id.in_([lease.run_id for lease in leases]))
        )
    }
    current = [lease for lease in leases if _matches(rows.get(lease.run_id), lease)]
    if current:
        unlocked = (
            sa.select(runs.c.id)
            .where(sa.or_(*(_current(lease) for lease in current)))
            .with_for_update(skip_locked=True)
        )
        await conn.execute(
            sa.update(runs)
            .where(runs.c.id.in_(unlocked.scalar_subquery()))
            .values(lease_until=until)
        )
    return Renewal(
        cancel_requested=[row.id for row in rows.values() if row.cancel_requested],
        lost=[lease.run_id for lease in leases if lease not in current],
    )


def _matches(row: Any, lease: Lease) -> bool:
    return row is not None and (row.owner, row.takeovers, row.status) == (
        lease.owner,
        lease.epoch,
        "running",
    )


async def release(conn: AsyncConnection, lease: Lease) -> None:
    """Give the run up (shutting down) for the next process to take over at once."""
    await conn.execute(sa.update(runs).where(_current(lease)).values(owner=None, lease_until=None))


def _expired(moment: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        runs.c.status == "running",
        sa.or_(runs.c.lease_until.is_(None), runs.c.lease_until < moment),
    )


async def expired(conn: AsyncConnection, moment: datetime, exclude: Sequence[str]) -> list[str]:
    """Running runs whose owner stopped renewing its lease (none of `exclude`)."""
    query = sa.select(runs.c.id).where(_expired(moment)).order_by(runs.c.created_at)
    if exclude:
        query = query.where(runs.c.id.not_in(list(exclude)))
    return [row.id for row in await conn.execute(query)]


async def claim(
    conn: AsyncConnection, run_id: str, owner: str, moment: datetime, until: datetime
) -> Lease | None:
    """Take an expired run over; None if it is not expired any more (its owner renewed, or
    another process claimed it first: the conditional update makes a claim exclusive)."""
    result = await conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id, _expired(moment))
        .values(owner=owner, lease_until=until, takeovers=runs.c.takeovers + 1)
        .returning(runs.c.takeovers)
    )
    epoch = result.scalar_one_or_none()
    return None if epoch is None else Lease(run_id, owner, epoch)
