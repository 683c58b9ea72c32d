"""Sessions (conversations about one app), their messages, and their runs.

A session's title is its first message on one line, stored when that message is submitted;
a session that had messages before titles were stored gets its title from its first run
when it is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import Conflict, NotFound
from appwright.log_names import session_log
from appwright.models.types import Message
from appwright.store.ids import new_id, now
from appwright.store.logs import create_log
from appwright.store.schema import apps, messages, runs, sessions

TITLE_CHARS = 80


@dataclass(frozen=True)
class SessionRecord:
    id: str
    app_id: str
    vendor_id: str
    created_at: datetime
    title: str = ""  # empty until the session has a message


@dataclass(frozen=True)
class RunRecord:
    id: str
    session_id: str
    client_msg_id: str | None
    text: str
    status: str
    turns: int
    edited_paths: list[str]
    error: dict[str, Any] | None
    owner: str | None
    cancel_requested: bool
    takeovers: int
    open_turn: dict[str, Any] | None
    created_at: datetime


def title_of(text: str, limit: int = TITLE_CHARS) -> str:
    """A message as a title: its first non-empty line, spaces collapsed, cut at a word."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    flat = " ".join(line.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit / 2 else cut).rstrip() + "…"


def _session(row: Any) -> SessionRecord:
    return SessionRecord(row.id, row.app_id, row.vendor_id, row.created_at, row.title or "")


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        session_id=row.session_id,
        client_msg_id=row.client_msg_id,
        text=row.text,
        status=row.status,
        turns=row.turns,
        edited_paths=list(row.edited_paths),
        error=row.error,
        owner=row.owner,
        cancel_requested=bool(row.cancel_requested),
        takeovers=int(row.takeovers or 0),
        open_turn=row.open_turn,
        created_at=row.created_at,
    )


async def create_session(conn: AsyncConnection, app_id: str, vendor_id: str) -> SessionRecord:
    session_id = new_id("ses")
    await conn.execute(
        sa.insert(sessions).values(
            id=session_id, app_id=app_id, vendor_id=vendor_id, created_at=now(), title=""
        )
    )
    await create_log(conn, session_log(session_id))
    return await get_session(conn, session_id, vendor_id)


async def get_session(
    conn: AsyncConnection, session_id: str, vendor_id: str | None, *, lock: bool = False
) -> SessionRecord:
    query = sa.select(sessions).where(sessions.c.id == session_id)
    if vendor_id is not None:
        # A vendor's request: a session of a deleted app is gone with it (until restored).
        live_apps = sa.select(apps.c.id).where(apps.c.deleted_at.is_(None))
        query = query.where(sessions.c.vendor_id == vendor_id, sessions.c.app_id.in_(live_apps))
    if lock:
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(f"No session {session_id!r}.", code="session_not_found")
    return _session(row)


async def list_sessions(conn: AsyncConnection, app_id: str) -> list[SessionRecord]:
    first_message = (
        sa.select(runs.c.text)
        .where(runs.c.session_id == sessions.c.id)
        .order_by(runs.c.created_at, runs.c.id)
        .limit(1)
        .scalar_subquery()
    )
    title = sa.case((sessions.c.title == "", first_message), else_=sessions.c.title)
    rows = await conn.execute(
        sa.select(
            sessions.c.id,
            sessions.c.app_id,
            sessions.c.vendor_id,
            sessions.c.created_at,
            title.label("title"),
        )
        .where(sessions.c.app_id == app_id)
        .order_by(sessions.c.created_at.desc())
    )
    return [replace(record, title=title_of(record.title)) for record in map(_session, rows)]


async def conversation(conn: AsyncConnection, session_id: str) -> list[Message]:
    rows = await conn.execute(
        sa.select(messages.c.body)
        .where(messages.c.session_id == session_id)
        .order_by(messages.c.idx)
    )
    return [Message.from_json(r.body) for r in rows]


async def append_messages(
    conn: AsyncConnection, session_id: str, run_id: str, new: Sequence[Message]
) -> None:
    if not new:
        return
    last = await conn.scalar(
        sa.select(sa.func.max(messages.c.idx)).where(messages.c.session_id == session_id)
    )
    start = 0 if last is None else last + 1
    await conn.execute(
        sa.insert(messages),
        [
            {"session_id": session_id, "idx": start + i, "run_id": run_id, "body": m.to_json()}
            for i, m in enumerate(new)
        ],
    )


async def last_message(conn: AsyncConnection, session_id: str) -> Message | None:
    row = (
        await conn.execute(
            sa.select(messages.c.body)
            .where(messages.c.session_id == session_id)
            .order_by(messages.c.idx.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else Message.from_json(row.body)


async def run_by_client_msg_id(
    conn: AsyncConnection, session_id: str, client_msg_id: str
) -> RunRecord | None:
    row = (
        await conn.execute(
            sa.select(runs).where(
                runs.c.session_id == session_id, runs.c.client_msg_id == client_msg_id
            )
        )
    ).first()
    return _run(row) if row else None


async def active_run(conn: AsyncConnection, session_id: str) -> RunRecord | None:
    row = (
        await conn.execute(
            sa.select(runs).where(runs.c.session_id == session_id, runs.c.status == "running")
        )
    ).first()
    return _run(row) if row else None


async def insert_run(
    conn: AsyncConnection, session_id: str, text: str, client_msg_id: str | None, owner: str
) -> RunRecord:
    active = await active_run(conn, session_id)
    if active is not None:
        raise Conflict(
            "A run is already active in this session; wait for it or cancel it.",
            code="run_active",
            run_id=active.id,
        )
    run_id = new_id("run")
    await conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id, sessions.c.title == "")
        .values(title=title_of(text))
    )
    await conn.execute(
        sa.insert(runs).values(
            id=run_id,
            session_id=session_id,
            client_msg_id=client_msg_id,
            text=text,
            status="running",
            turns=0,
            edited_paths=[],
            owner=owner,
            created_at=now(),
        )
    )
    return await get_run(conn, run_id)


async def get_run(conn: AsyncConnection, run_id: str) -> RunRecord:
    row = (await conn.execute(sa.select(runs).where(runs.c.id == run_id))).first()
    if row is None:
        raise NotFound(f"No run {run_id!r}.", code="run_not_found")
    return _run(row)


async def update_run(conn: AsyncConnection, run_id: str, **values: Any) -> None:
    await conn.execute(sa.update(runs).where(runs.c.id == run_id).values(**values))


async def finish_run(
    conn: AsyncConnection, run_id: str, status: str, error: dict[str, Any] | None, edited: list[str]
) -> bool:
    """Marks the run finished; False if it already was (so `run.finished` is written once)."""
    result = await conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id, runs.c.status == "running")
        .values(status=status, error=error, edited_paths=edited, finished_at=now())
    )
    return result.rowcount == 1
