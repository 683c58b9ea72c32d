"""The outbox's bookkeeping: which versions still need committing or pushing, and every
change of a version's commit state (with its `commit.updated` event, in the same
transaction, so the log and `GET /versions` never disagree).

An outbox row exists while its version is not yet where it should be: not committed, or
committed but not on the app's remote. Rows leave when the version is pushed, or when it is
committed and the app has no remote. A remote set later re-creates the rows
(`remotes.make_unpushed_due`, with the other effects of the vendor changing the remote).

`next_attempt_at` is when the row's next step is due; `attempts` counts that step's failures
(the backoff exponent). Two invariants keep "is this app due?" a single `MIN()`:

- committed rows of an app share one push gate (same `next_attempt_at`/`attempts`): a
  push sends the whole branch, so they succeed or fail together, and a version committed
  while the push is backing off joins the wait instead of forcing an early retry;
- pending rows behind a failed commit are moved to that commit's retry time (`align`).

`PARKED` (far future) means "waits for the vendor": setting the remote or pushing now makes
the rows due again.
Every function runs inside `Database.run` and may be run twice: each re-reads the state and
only changes (and reports) what differs from the target state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.events.mapping import commit_updates
from appwright.events.types import Wire, to_wire
from appwright.files.content import FileContent
from appwright.log_names import app_log
from appwright.store import logs
from appwright.store.ids import now
from appwright.store.schema import outbox, remotes, vendors, version_changes, versions
from appwright.store.versions import loaded, lock_app

PARKED = datetime(9999, 1, 1, tzinfo=UTC)
# Bound on bound parameters per statement (SQLite's limit is far above this).
_CHUNK = 500


async def remote_target(conn: AsyncConnection, app_id: str) -> tuple[str, str] | None:
    """The remote's (url, branch), read here rather than through `remotes.py`, which builds
    on this module; the token is not needed to decide anything in here."""
    row = (
        await conn.execute(
            sa.select(remotes.c.url, remotes.c.branch).where(remotes.c.app_id == app_id)
        )
    ).first()
    return (row.url, row.branch) if row else None


@dataclass(frozen=True)
class OutboxItem:
    version_id: str
    number: int
    attempts: int
    next_attempt_at: datetime
    commit_state: str
    commit_sha: str | None
    commit_error: dict[str, Any] | None
    source: str
    message: str
    paths: list[str]
    author_id: str
    author_name: str
    created_at: datetime


@dataclass(frozen=True)
class Work:
    items: list[OutboxItem]  # in version order
    target: tuple[str, str] | None  # the remote's (url, branch)
    previous_sha: str | None  # the commit of the version before the first uncommitted one


async def load_work(conn: AsyncConnection, app_id: str) -> Work:
    rows = await conn.execute(
        sa.select(
            outbox.c.version_id,
            outbox.c.number,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            versions.c.commit_state,
            versions.c.commit_sha,
            versions.c.commit_error,
            versions.c.source,
            versions.c.message,
            versions.c.paths,
            versions.c.author_vendor_id,
            versions.c.created_at,
            vendors.c.name.label("author_name"),
        )
        .join(versions, versions.c.id == outbox.c.version_id)
        .join(vendors, vendors.c.id == versions.c.author_vendor_id, isouter=True)
        .where(outbox.c.app_id == app_id)
        .order_by(outbox.c.number)
    )
    items = [
        OutboxItem(
            version_id=r.version_id,
            number=r.number,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            commit_state=r.commit_state,
            commit_sha=r.commit_sha,
            commit_error=r.commit_error,
            source=r.source,
            message=r.message or "",
            paths=list(r.paths or []),
            author_id=r.author_vendor_id,
            author_name=r.author_name or "",
            created_at=r.created_at,
        )
        for r in rows
    ]
    first = next((i for i in items if i.commit_sha is None), None)
    previous = None
    if first is not None and first.number > 1:
        previous = await conn.scalar(
            sa.select(versions.c.commit_sha).where(
                versions.c.app_id == app_id, versions.c.number == first.number - 1
            )
        )
    return Work(items=items, target=await remote_target(conn, app_id), previous_sha=previous)


async def snapshot_at(conn: AsyncConnection, app_id: str, number: int) -> dict[str, FileContent]:
    """The app's files as of version `number`, replayed from the recorded changes. Used
    only when the repository cannot supply the previous version's tree."""
    rows = await conn.execute(
        sa.select(version_changes.c.path, version_changes.c.after, version_changes.c.after_data)
        .join(versions, versions.c.id == version_changes.c.version_id)
        .where(versions.c.app_id == app_id, versions.c.number <= number)
        .order_by(versions.c.number)
    )
    files: dict[str, FileContent] = {}
    for r in rows:
        after = loaded(r.after, r.after_data)
        if after is None:
            files.pop(r.path, None)
        else:
            files[r.path] = after
    return files


async def due_apps(conn: AsyncConnection) -> dict[str, datetime]:
    """Each app with work that is not parked, and when its earliest step is due."""
    rows = await conn.execute(
        sa.select(outbox.c.app_id, sa.func.min(outbox.c.next_attempt_at).label("due"))
        .where(outbox.c.next_attempt_at < PARKED)
        .group_by(outbox.c.app_id)
    )
    return {r.app_id: r.due for r in rows}


async def resume_backoffs(conn: AsyncConnection) -> int:
    """At start-up, make every backing-off row due now: whatever was down may be back, and
    waiting out a long backoff across a restart helps nobody. Parked rows stay parked."""
    current = now()
    result = await conn.execute(
        sa.update(outbox)
        .where(outbox.c.next_attempt_at > current, outbox.c.next_attempt_at < PARKED)
        .values(next_attempt_at=current)
    )
    return int(result.rowcount or 0)


# -- state changes ----------------------------------------------------------------------


async def emit(
    conn: AsyncConnection, app_id: str, changes: Iterable[tuple[str, str, str | None, Any]]
) -> list[Wire]:
    # Appended here, not by the caller, only until `git/outbox.py` (being reworked) records
    # its outcomes through the journal; the events themselves come from the one mapper.
    return await logs.append(conn, app_log(app_id), [to_wire(e) for e in commit_updates(changes)])


def chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def _version_rows(conn: AsyncConnection, ids: Sequence[str]) -> list[Any]:
    found: list[Any] = []
    for chunk in chunks(ids):
        found += list(
            await conn.execute(
                sa.select(
                    versions.c.id,
                    versions.c.number,
                    versions.c.commit_state,
                    versions.c.commit_sha,
                    versions.c.commit_error,
                ).where(versions.c.id.in_(chunk))
            )
        )
    return sorted(found, key=lambda r: r.number)


async def _push_gate(conn: AsyncConnection, app_id: str, but: str) -> tuple[datetime, int] | None:
    row = (
        await conn.execute(
            sa.select(sa.func.max(outbox.c.next_attempt_at), sa.func.max(outbox.c.attempts))
            .join(versions, versions.c.id == outbox.c.version_id)
            .where(
                outbox.c.app_id == app_id,
                outbox.c.version_id != but,
                versions.c.commit_sha.is_not(None),
            )
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return row[0], int(row[1] or 0)


async def record_committed(
    conn: AsyncConnection,
    app_id: str,
    version_id: str,
    sha: str,
    meta: dict[str, Any] | None = None,
) -> list[Wire]:
    """`meta` is what the commit was written with (git/history.py writes it again)."""
    await lock_app(conn, app_id)
    row = (
        await conn.execute(
            sa.select(versions.c.commit_state, versions.c.commit_sha).where(
                versions.c.id == version_id
            )
        )
    ).first()
    if row is None or (row.commit_sha == sha and row.commit_state != "failed"):
        return []
    await conn.execute(
        sa.update(versions)
        .where(versions.c.id == version_id)
        .values(commit_state="committed", commit_sha=sha, commit_error=None, commit_meta=meta)
    )
    mine = outbox.c.version_id == version_id
    # Read under the app lock, which setting or removing the remote also takes: a remote set now
    # either sees this row still here, or is seen here.
    if await remote_target(conn, app_id) is None:
        await conn.execute(sa.delete(outbox).where(mine))
    else:
        gate = await _push_gate(conn, app_id, but=version_id)
        current = now()
        at, attempts = gate if gate and gate[0] > current else (current, 0)
        await conn.execute(
            sa.update(outbox).where(mine).values(next_attempt_at=at, attempts=attempts)
        )
    return await emit(conn, app_id, [(version_id, "committed", sha, None)])


async def record_commit_failed(
    conn: AsyncConnection,
    app_id: str,
    version_id: str,
    error: dict[str, str],
    delay: Callable[[int], float | None],
) -> tuple[list[Wire], datetime | None]:
    """The version could not be committed. `delay(attempts)` is the backoff in seconds, or
    None to park. Later pending rows wait behind it (order is kept)."""
    await lock_app(conn, app_id)
    row = (
        await conn.execute(
            sa.select(outbox.c.number, outbox.c.attempts).where(outbox.c.version_id == version_id)
        )
    ).first()
    if row is None:
        return [], None
    attempts = row.attempts + 1
    seconds = delay(attempts)
    at = PARKED if seconds is None else now() + timedelta(seconds=seconds)
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.app_id == app_id, outbox.c.number >= row.number)
        .values(next_attempt_at=at, attempts=attempts)
    )
    return await _fail(conn, app_id, [version_id], error), at


async def hold_behind_failed_commit(conn: AsyncConnection, app_id: str, head: OutboxItem) -> None:
    """Rows written after a failed commit wait for its retry instead of making the app look
    due (which would wake the worker for nothing)."""
    await conn.execute(
        sa.update(outbox)
        .where(
            outbox.c.app_id == app_id,
            outbox.c.number > head.number,
            outbox.c.next_attempt_at < head.next_attempt_at,
        )
        .values(next_attempt_at=head.next_attempt_at, attempts=head.attempts)
    )


async def _fail(
    conn: AsyncConnection, app_id: str, ids: Sequence[str], error: dict[str, str]
) -> list[Wire]:
    changed = [
        r
        for r in await _version_rows(conn, ids)
        if r.commit_state != "failed" or r.commit_error != error
    ]
    for chunk in chunks([r.id for r in changed]):
        await conn.execute(
            sa.update(versions)
            .where(versions.c.id.in_(chunk))
            .values(commit_state="failed", commit_error=error)
        )
    return await emit(conn, app_id, [(r.id, "failed", r.commit_sha, error) for r in changed])


async def record_pushed(
    conn: AsyncConnection, app_id: str, ids: Sequence[str], target: tuple[str, str]
) -> list[Wire]:
    """`ids` are on the remote `target`. Ignored if the remote changed meanwhile: the change
    re-armed the rows, and what is on the old remote says nothing about the new one."""
    await lock_app(conn, app_id)
    if await remote_target(conn, app_id) != target:
        return []
    changed = [r for r in await _version_rows(conn, ids) if r.commit_state != "pushed"]
    for chunk in chunks([r.id for r in changed]):
        await conn.execute(
            sa.update(versions)
            .where(versions.c.id.in_(chunk))
            .values(commit_state="pushed", commit_error=None)
        )
    for chunk in chunks(list(ids)):
        await conn.execute(sa.delete(outbox).where(outbox.c.version_id.in_(chunk)))
    return await emit(conn, app_id, [(r.id, "pushed", r.commit_sha, None) for r in changed])


async def record_push_failed(
    conn: AsyncConnection,
    app_id: str,
    ids: Sequence[str],
    error: dict[str, str],
    delay: Callable[[int], float | None],
    target: tuple[str, str],
) -> tuple[list[Wire], datetime | None]:
    await lock_app(conn, app_id)
    if await remote_target(conn, app_id) != target or not ids:
        return [], None
    attempts = 1
    for chunk in chunks(list(ids)):
        most = await conn.scalar(
            sa.select(sa.func.max(outbox.c.attempts)).where(outbox.c.version_id.in_(chunk))
        )
        attempts = max(attempts, int(most or 0) + 1)
    seconds = delay(attempts)
    at = PARKED if seconds is None else now() + timedelta(seconds=seconds)
    for chunk in chunks(list(ids)):
        await conn.execute(
            sa.update(outbox)
            .where(outbox.c.version_id.in_(chunk))
            .values(next_attempt_at=at, attempts=attempts)
        )
    return await _fail(conn, app_id, ids, error), at


async def drop_unpushable(conn: AsyncConnection, app_id: str) -> None:
    """Committed rows of an app without a remote have nothing left to do."""
    await lock_app(conn, app_id)
    if await remote_target(conn, app_id) is not None:
        return
    committed = sa.select(versions.c.id).where(
        versions.c.app_id == app_id, versions.c.commit_sha.is_not(None)
    )
    await conn.execute(
        sa.delete(outbox).where(outbox.c.app_id == app_id, outbox.c.version_id.in_(committed))
    )
