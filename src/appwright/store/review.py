"""Review marks on versions: "accepted" is a fact about a version, stored with it, so the
workspace shows it after a reload and on every other tab."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.store.ids import now
from appwright.store.schema import versions
from appwright.store.versions import VersionRecord, get_version


async def accept(conn: AsyncConnection, app_id: str, version_id: str) -> VersionRecord:
    """Marks the version accepted (the first acceptance's time stays); 404 for a version of
    another app."""
    version = await get_version(conn, app_id, version_id)
    if version.accepted_at is None:
        await conn.execute(
            sa.update(versions)
            .where(versions.c.id == version_id, versions.c.accepted_at.is_(None))
            .values(accepted_at=now())
        )
    return await get_version(conn, app_id, version_id)
