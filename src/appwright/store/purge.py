"""Purging apps deleted longer ago than they can be restored: every row that belongs to
them goes, children before parents (the foreign keys say the order)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.log_names import app_log, session_log
from appwright.store.schema import (
    apps,
    drain_leases,
    events,
    files,
    logs,
    messages,
    model_calls,
    outbox,
    remotes,
    runs,
    sessions,
    version_changes,
    versions,
)


async def purge_deleted(conn: AsyncConnection, before: datetime) -> list[str]:
    """Deletes every app deleted before `before`, with all it holds; returns their ids."""
    app_ids = list(
        await conn.scalars(
            sa.select(apps.c.id).where(apps.c.deleted_at.is_not(None), apps.c.deleted_at < before)
        )
    )
    if not app_ids:
        return []
    session_ids = list(
        await conn.scalars(sa.select(sessions.c.id).where(sessions.c.app_id.in_(app_ids)))
    )
    version_ids = sa.select(versions.c.id).where(versions.c.app_id.in_(app_ids))
    log_names = [app_log(a) for a in app_ids] + [session_log(s) for s in session_ids]
    if session_ids:
        await conn.execute(sa.delete(model_calls).where(model_calls.c.session_id.in_(session_ids)))
        await conn.execute(sa.delete(runs).where(runs.c.session_id.in_(session_ids)))
        await conn.execute(sa.delete(messages).where(messages.c.session_id.in_(session_ids)))
        await conn.execute(sa.delete(sessions).where(sessions.c.id.in_(session_ids)))
    await conn.execute(sa.delete(events).where(events.c.log.in_(log_names)))
    await conn.execute(sa.delete(logs).where(logs.c.log.in_(log_names)))
    await conn.execute(sa.delete(outbox).where(outbox.c.app_id.in_(app_ids)))
    await conn.execute(sa.delete(drain_leases).where(drain_leases.c.app_id.in_(app_ids)))
    await conn.execute(
        sa.delete(version_changes).where(version_changes.c.version_id.in_(version_ids))
    )
    await conn.execute(sa.delete(versions).where(versions.c.app_id.in_(app_ids)))
    await conn.execute(sa.delete(files).where(files.c.app_id.in_(app_ids)))
    await conn.execute(sa.delete(remotes).where(remotes.c.app_id.in_(app_ids)))
    await conn.execute(sa.delete(apps).where(apps.c.id.in_(app_ids)))
    return app_ids
