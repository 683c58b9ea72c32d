"""Append-only event logs in the database: one per app and one per session (their names:
`events/names.py`).

`append` stamps events with the next `seq` values while holding the log's counter row, so
`seq` is contiguous per log however many writers and processes append at once, and an event
is visible to readers exactly when the transaction that appended it commits. The events
arrive here already in their wire form (`journal/`, which builds them, owns the types): the
store keeps JSON objects and knows nothing of what they mean beyond `type` and `run_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright import text
from appwright.store.schema import events, logs

# `seq` is a 32-bit column on PostgreSQL: no log gets further, and an `after` beyond this
# is refused at the boundary rather than overflowing the query.
MAX_SEQ = 2**31 - 1


async def create_log(conn: AsyncConnection, log_name: str) -> None:
    await conn.execute(sa.insert(logs).values(log=log_name, last_seq=0))


async def append(
    conn: AsyncConnection, log_name: str, new_events: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Append `new_events` (wire form) to `log_name`; returns them with their `seq`."""
    if not new_events:
        return []
    count = len(new_events)
    result = await conn.execute(
        sa.update(logs)
        .where(logs.c.log == log_name)
        .values(last_seq=logs.c.last_seq + count)
        .returning(logs.c.last_seq)
    )
    last = result.scalar_one()
    first = last - count + 1
    wire = [{**e, "seq": first + i} for i, e in enumerate(new_events)]
    await conn.execute(
        sa.insert(events),
        [
            {
                "log": log_name,
                "seq": w["seq"],
                "type": w["type"],
                "run_id": w.get("run_id"),
                "body": w,
            }
            for w in wire
        ],
    )
    return wire


async def read(
    conn: AsyncConnection, log_name: str, after: int, limit: int | None = None
) -> list[dict[str, Any]]:
    query = (
        sa.select(events.c.body)
        .where(events.c.log == log_name, events.c.seq > after)
        .order_by(events.c.seq)
    )
    rows = await conn.execute(query if limit is None else query.limit(limit))
    return _bodies(rows)


async def read_run(conn: AsyncConnection, log_name: str, run_id: str) -> list[dict[str, Any]]:
    """The events of one run in `log_name`, in order."""
    rows = await conn.execute(
        sa.select(events.c.body)
        .where(events.c.log == log_name, events.c.run_id == run_id)
        .order_by(events.c.seq)
    )
    return _bodies(rows)


def _bodies(rows: Any) -> list[dict[str, Any]]:
    # Repaired again on the way out: a row written before `to_wire` repaired everything
    # must not make its whole log unreadable.
    return [text.repair_tree(row.body) for row in rows]
