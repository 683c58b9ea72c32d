"""Searching an app's conversations by what was said in them: every word of the query, in
any case, somewhere in the session's messages or the model's answers.

The session log is the record searched (not the stored conversation, which condensing
rewrites): its `run.started` texts are the messages, its `text.delta`s the answers, joined
per session so that a word split across two deltas is still found.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.log_names import session_log
from appwright.store.schema import events

_SEARCHED = ("run.started", "text.delta")


def query_words(query: str) -> list[str]:
    return [w.casefold() for w in query.split() if w]


async def sessions_mentioning(
    conn: AsyncConnection, session_ids: list[str], words: list[str]
) -> set[str]:
    """The sessions (of `session_ids`) whose messages and answers hold every word."""
    if not words or not session_ids:
        return set(session_ids)
    logs = {session_log(s): s for s in session_ids}
    rows = await conn.execute(
        sa.select(events.c.log, events.c.type, events.c.body)
        .where(events.c.log.in_(list(logs)), events.c.type.in_(_SEARCHED))
        .order_by(events.c.log, events.c.seq)
    )
    texts: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        text = (row.body or {}).get("text") or ""
        # A message stands apart from the answers around it; deltas join as streamed.
        texts[row.log].append(f"\n{text}\n" if row.type == "run.started" else text)
    found = set()
    for log, parts in texts.items():
        haystack = "".join(parts).casefold()
        if all(w in haystack for w in words):
            found.add(logs[log])
    return found
