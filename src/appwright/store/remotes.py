"""Each app's git remote (URL, branch, optional token to push with), and what setting,
changing or removing it does to the versions' commit states.

The token is write-only from the outside: `RemoteRecord.to_json` says whether there is one
and never what it is, and `__repr__` leaves it out so a stray log line or traceback cannot
carry it either. The column holds it sealed (`git.policy.TokenSeal`, applied by the outbox),
never the raw token. Callers take the app's row lock first (`versions.lock_app`) so a change of
remote is serialised with the outbox's bookkeeping for the same app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.store.commits import Wire, emit
from appwright.store.ids import now
from appwright.store.schema import outbox, remotes, versions


@dataclass(frozen=True)
class RemoteRecord:
    app_id: str
    url: str
    branch: str
    updated_at: datetime
    token: str | None = field(default=None, repr=False)

    @property
    def target(self) -> tuple[str, str]:
        """Where pushes land. Equal targets mean "the same remote branch" (the token may
        differ), so what was pushed to one is on the other."""
        return self.url, self.branch

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "branch": self.branch,
            "has_token": bool(self.token),
            "updated_at": self.updated_at.isoformat(),
        }


def _record(row: Any) -> RemoteRecord:
    return RemoteRecord(
        app_id=row.app_id,
        url=row.url,
        branch=row.branch,
        updated_at=row.updated_at,
        token=row.token,
    )


async def get_remote(conn: AsyncConnection, app_id: str) -> RemoteRecord | None:
    row = (await conn.execute(sa.select(remotes).where(remotes.c.app_id == app_id))).first()
    return _record(row) if row else None


async def put_remote(
    conn: AsyncConnection, app_id: str, *, url: str, branch: str, token: str | None
) -> RemoteRecord:
    """Insert or replace the app's remote (the caller holds the app's row lock)."""
    record = RemoteRecord(app_id=app_id, url=url, branch=branch, updated_at=now(), token=token)
    values = {"url": url, "branch": branch, "token": token or None, "updated_at": record.updated_at}
    exists = await conn.scalar(sa.select(remotes.c.app_id).where(remotes.c.app_id == app_id))
    if exists:
        await conn.execute(sa.update(remotes).where(remotes.c.app_id == app_id).values(**values))
    else:
        await conn.execute(sa.insert(remotes).values(app_id=app_id, **values))
    return record


async def delete_remote(conn: AsyncConnection, app_id: str) -> bool:
    result = await conn.execute(sa.delete(remotes).where(remotes.c.app_id == app_id))
    return bool(result.rowcount)


# -- the vendor's actions (the caller holds the app's row lock) -------------------------


async def make_unpushed_due(conn: AsyncConnection, app_id: str) -> int:
    """Make everything not yet on the remote due now: re-create rows for committed versions
    (a remote set after they were committed must still receive them) and clear every
    backoff and park. Returns how many versions are now waiting."""
    if await get_remote(conn, app_id) is not None:
        has_row = sa.select(outbox.c.version_id).where(outbox.c.app_id == app_id)
        missing = await conn.execute(
            sa.select(versions.c.id, versions.c.number).where(
                versions.c.app_id == app_id,
                versions.c.commit_state != "pushed",
                versions.c.id.not_in(has_row),
            )
        )
        current = now()
        new_rows = [
            {
                "version_id": r.id,
                "app_id": app_id,
                "number": r.number,
                "attempts": 0,
                "next_attempt_at": current,
            }
            for r in missing
        ]
        if new_rows:
            await conn.execute(sa.insert(outbox), new_rows)
    result = await conn.execute(
        sa.update(outbox).where(outbox.c.app_id == app_id).values(next_attempt_at=now(), attempts=0)
    )
    return int(result.rowcount or 0)


async def mark_pushed_as_committed(conn: AsyncConnection, app_id: str) -> list[Wire]:
    """A different remote (or branch): nothing is on it yet as far as we know."""
    rows = list(
        await conn.execute(
            sa.select(versions.c.id, versions.c.commit_sha)
            .where(versions.c.app_id == app_id, versions.c.commit_state == "pushed")
            .order_by(versions.c.number)
        )
    )
    if not rows:
        return []
    await conn.execute(
        sa.update(versions)
        .where(versions.c.app_id == app_id, versions.c.commit_state == "pushed")
        .values(commit_state="committed")
    )
    return await emit(conn, app_id, [(r.id, "committed", r.commit_sha, None) for r in rows])


async def drop_push_work(conn: AsyncConnection, app_id: str) -> list[Wire]:
    """The remote was removed: committed versions have nowhere to go, and a push error
    about a remote that no longer exists is no longer true of them."""
    committed = sa.select(versions.c.id).where(
        versions.c.app_id == app_id, versions.c.commit_sha.is_not(None)
    )
    await conn.execute(
        sa.delete(outbox).where(outbox.c.app_id == app_id, outbox.c.version_id.in_(committed))
    )
    failed = sa.and_(
        versions.c.app_id == app_id,
        versions.c.commit_state == "failed",
        versions.c.commit_sha.is_not(None),
    )
    rows = list(
        await conn.execute(
            sa.select(versions.c.id, versions.c.commit_sha)
            .where(failed)
            .order_by(versions.c.number)
        )
    )
    if not rows:
        return []
    await conn.execute(
        sa.update(versions).where(failed).values(commit_state="committed", commit_error=None)
    )
    return await emit(conn, app_id, [(r.id, "committed", r.commit_sha, None) for r in rows])


async def summary(conn: AsyncConnection, app_id: str) -> dict[str, Any]:
    counts = {"pending": 0, "committed": 0, "pushed": 0, "failed": 0}
    rows = await conn.execute(
        sa.select(versions.c.commit_state, sa.func.count())
        .where(versions.c.app_id == app_id)
        .group_by(versions.c.commit_state)
    )
    for state, count in rows:
        counts[state] = int(count)
    head = (
        await conn.execute(
            sa.select(
                versions.c.id,
                versions.c.commit_state,
                versions.c.commit_sha,
                versions.c.commit_error,
            )
            .where(versions.c.app_id == app_id)
            .order_by(versions.c.number.desc())
            .limit(1)
        )
    ).first()
    latest = None
    if head is not None:
        latest = {
            "version_id": head.id,
            "commit": {
                "state": head.commit_state,
                "sha": head.commit_sha,
                "error": head.commit_error,
            },
        }
    return {"versions": counts, "latest": latest}
