"""An edit's starting point: has a file changed since the version an editor started from?

A manual save names the version its text started from (`base_version`). If any later
version touched the file (an AI edit, another tab's save, an undo, a delete), saving over it
would silently drop that change, so the save is refused with what the file is now.
Read under the app's lock (the caller's transaction), so the answer still holds when the
write follows.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import InvalidInput, NotFound
from appwright.store.schema import version_changes, versions
from appwright.store.versions import get_version


async def base_number(conn: AsyncConnection, app_id: str, base_version: str) -> int:
    """The number of `base_version`, which must be a version of this app."""
    try:
        return (await get_version(conn, app_id, base_version)).number
    except NotFound:
        raise InvalidInput(
            f"base_version {base_version!r} is not a version of this app.",
            code="base_version_unknown",
        ) from None


async def changed_since(conn: AsyncConnection, app_id: str, path: str, number: int) -> str | None:
    """The newest version after version `number` that changed `path`, or None."""
    return await conn.scalar(
        sa.select(versions.c.id)
        .join(version_changes, version_changes.c.version_id == versions.c.id)
        .where(
            versions.c.app_id == app_id,
            versions.c.number > number,
            version_changes.c.path == path,
        )
        .order_by(versions.c.number.desc())
        .limit(1)
    )
