"""Rewriting a session's stored conversation after it was condensed, and the facts a
summary of it names (the versions its runs made).

The rewrite touches only what changed: the summarised oldest rows go, the summary takes
the place just before the first row kept (the `idx` order is all that matters), and rows
whose body changed (elided results) are updated. Counts of earlier requests no longer
describe a prefix of the conversation, so they are cleared in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.models.types import Message
from appwright.store.schema import messages, runs, versions
from appwright.store.usage import forget_measures


async def rewrite(
    conn: AsyncConnection,
    session_id: str,
    run_id: str,
    condensed: list[Message],
    summarised: int,
) -> None:
    """`condensed`: the whole new conversation; its first message replaces the stored
    conversation's `summarised` oldest messages when `summarised` > 0."""
    rows = (
        await conn.execute(
            sa.select(messages.c.idx, messages.c.body)
            .where(messages.c.session_id == session_id)
            .order_by(messages.c.idx)
        )
    ).all()
    kept = condensed[1:] if summarised else condensed
    if len(rows) - summarised != len(kept):
        raise ValueError("the condensed conversation does not match the stored one")
    if summarised:
        dropped = [r.idx for r in rows[:summarised]]
        await conn.execute(
            sa.delete(messages).where(
                messages.c.session_id == session_id, messages.c.idx.in_(dropped)
            )
        )
        await conn.execute(
            sa.insert(messages).values(
                session_id=session_id,
                idx=rows[summarised].idx - 1 if summarised < len(rows) else dropped[-1],
                run_id=run_id,
                body=condensed[0].to_json(),
            )
        )
    for row, message in zip(rows[summarised:], kept, strict=True):
        body = message.to_json()
        if body != row.body:
            await conn.execute(
                sa.update(messages)
                .where(messages.c.session_id == session_id, messages.c.idx == row.idx)
                .values(body=body)
            )
    await forget_measures(conn, session_id)


async def versions_made(conn: AsyncConnection, session_id: str, limit: int = 50) -> list[str]:
    """The newest `limit` versions the session's runs made, oldest first: "v3 (a.html, b.css)"."""
    rows = (
        await conn.execute(
            sa.select(versions.c.number, versions.c.paths)
            .join(runs, versions.c.run_id == runs.c.id)
            .where(runs.c.session_id == session_id)
            .order_by(versions.c.number.desc())
            .limit(limit)
        )
    ).all()
    return [f"v{r.number} ({', '.join(r.paths)})" for r in reversed(rows)]
