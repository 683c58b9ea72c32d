"""Which process drains an app's outbox: a lease in the database, so that processes on
different machines (no shared disk, no file lock between them) still drain each app one
at a time, and another process takes over when the holder dies.

A drain claims the app's lease, keeps it alive while it works (`hold`, every few seconds),
and releases it when the pass ends. A holder that dies stops renewing; once `lease_until`
passes, any process may claim it. Each claim bumps `epoch`, and every write of a drain
starts with `hold` (a conditional UPDATE of the lease row matching this owner and epoch), so
a holder that was only paused, and lost its lease meanwhile, writes nothing: its `hold`
raises `LeaseLost` and its transaction rolls back. Being an UPDATE, `hold` takes the row's
lock on PostgreSQL and SQLite's write lock, so the check and the write are one atomic step
(the same fence as the run leases in `store/leases.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import LeaseLost
from appwright.store.schema import drain_leases


@dataclass(frozen=True)
class DrainLease:
    app_id: str
    owner: str
    epoch: int


def _mine(lease: DrainLease) -> sa.ColumnElement[bool]:
    return sa.and_(
        drain_leases.c.app_id == lease.app_id,
        drain_leases.c.owner == lease.owner,
        drain_leases.c.epoch == lease.epoch,
    )


async def claim(
    conn: AsyncConnection, app_id: str, owner: str, moment: datetime, until: datetime
) -> DrainLease | datetime:
    """The app's drain lease if nobody holds it (or the holder's lease ran out), else the
    moment the current holder's lease ends."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(drain_leases)
        .values(app_id=app_id, owner=None, epoch=0, lease_until=None)
        .on_conflict_do_nothing(index_elements=["app_id"])
    )
    free = sa.or_(
        drain_leases.c.owner.is_(None),
        drain_leases.c.lease_until.is_(None),
        drain_leases.c.lease_until < moment,
    )
    epoch = (
        await conn.execute(
            sa.update(drain_leases)
            .where(drain_leases.c.app_id == app_id, free)
            .values(owner=owner, lease_until=until, epoch=drain_leases.c.epoch + 1)
            .returning(drain_leases.c.epoch)
        )
    ).scalar_one_or_none()
    if epoch is not None:
        return DrainLease(app_id, owner, epoch)
    held = await conn.scalar(
        sa.select(drain_leases.c.lease_until).where(drain_leases.c.app_id == app_id)
    )
    return held if held is not None else moment


async def hold(conn: AsyncConnection, lease: DrainLease, until: datetime) -> None:
    """The fence: raises LeaseLost unless `lease` is still the app's current one, and keeps
    it so (extended to `until`) until the transaction ends."""
    result = await conn.execute(
        sa.update(drain_leases).where(_mine(lease)).values(lease_until=until)
    )
    if result.rowcount != 1:
        raise LeaseLost(f"The outbox of app {lease.app_id} is drained by another process now.")


async def release(conn: AsyncConnection, lease: DrainLease) -> None:
    """The pass is over: any process may drain the app next."""
    await conn.execute(
        sa.update(drain_leases).where(_mine(lease)).values(owner=None, lease_until=None)
    )
