"""Apps and their current files. Ownership is checked here: another vendor's app is
indistinguishable from a missing one, and so is a deleted app (until it is restored)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import NotFound
from appwright.files.content import FileContent, content_type
from appwright.log_names import app_log
from appwright.store.ids import new_id, now
from appwright.store.logs import create_log
from appwright.store.schema import apps, files
from appwright.store.versions import loaded


@dataclass(frozen=True)
class AppRecord:
    id: str
    vendor_id: str
    name: str
    created_at: datetime
    head_version: int
    total_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "version_count": self.head_version,
            "total_bytes": self.total_bytes,
        }


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    version_id: str
    updated_at: datetime
    content: FileContent | None = None
    content_type: str = "text/plain"
    binary: bool = False

    def to_json(self, *, with_content: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "version_id": self.version_id,
            "updated_at": self.updated_at.isoformat(),
            "content_type": self.content_type,
            "binary": self.binary,
        }
        if with_content:
            if isinstance(self.content, bytes):
                data["base64"] = base64.b64encode(self.content).decode("ascii")
            else:
                data["content"] = self.content
        return data


_APP_COLUMNS = (
    apps.c.id,
    apps.c.vendor_id,
    apps.c.name,
    apps.c.created_at,
    apps.c.head_version,
    apps.c.total_bytes,
)


def _app(row: Any) -> AppRecord:
    return AppRecord(
        id=row.id,
        vendor_id=row.vendor_id,
        name=row.name,
        created_at=row.created_at,
        head_version=row.head_version,
        total_bytes=row.total_bytes,
    )


async def insert_app(conn: AsyncConnection, vendor_id: str, name: str) -> AppRecord:
    app_id = new_id("app")
    await conn.execute(
        sa.insert(apps).values(
            id=app_id,
            vendor_id=vendor_id,
            name=name,
            created_at=now(),
            head_version=0,
            total_bytes=0,
            undo_stack=[],
            redo_stack=[],
        )
    )
    await create_log(conn, app_log(app_id))
    return await get_app(conn, app_id, vendor_id)


async def get_app(conn: AsyncConnection, app_id: str, vendor_id: str | None) -> AppRecord:
    """The app, if it exists and (when `vendor_id` is given) belongs to that vendor."""
    query = sa.select(*_APP_COLUMNS).where(apps.c.id == app_id, apps.c.deleted_at.is_(None))
    if vendor_id is not None:
        query = query.where(apps.c.vendor_id == vendor_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(f"No app {app_id!r}.", code="app_not_found")
    return _app(row)


async def list_apps(conn: AsyncConnection, vendor_id: str) -> list[AppRecord]:
    rows = await conn.execute(
        sa.select(*_APP_COLUMNS)
        .where(apps.c.vendor_id == vendor_id, apps.c.deleted_at.is_(None))
        .order_by(apps.c.created_at)
    )
    return [_app(r) for r in rows]


async def rename_app(conn: AsyncConnection, app_id: str, vendor_id: str, name: str) -> AppRecord:
    await get_app(conn, app_id, vendor_id)
    await conn.execute(sa.update(apps).where(apps.c.id == app_id).values(name=name))
    return await get_app(conn, app_id, vendor_id)


async def mark_deleted(conn: AsyncConnection, app_id: str, vendor_id: str) -> datetime:
    """The app answers 404 from now on; its data stays until it is purged."""
    await get_app(conn, app_id, vendor_id)
    when = now()
    await conn.execute(sa.update(apps).where(apps.c.id == app_id).values(deleted_at=when))
    return when


async def deleted_apps(
    conn: AsyncConnection, vendor_id: str, since: datetime
) -> list[tuple[AppRecord, datetime]]:
    """The vendor's apps deleted at or after `since` (still restorable), newest first."""
    rows = await conn.execute(
        sa.select(*_APP_COLUMNS, apps.c.deleted_at)
        .where(apps.c.vendor_id == vendor_id, apps.c.deleted_at >= since)
        .order_by(apps.c.deleted_at.desc())
    )
    return [(_app(r), r.deleted_at) for r in rows]


async def unmark_deleted(
    conn: AsyncConnection, app_id: str, vendor_id: str, since: datetime
) -> AppRecord:
    """Restores an app deleted at or after `since`; anything else is not found."""
    done = await conn.execute(
        sa.update(apps)
        .where(
            apps.c.id == app_id,
            apps.c.vendor_id == vendor_id,
            apps.c.deleted_at >= since,
        )
        .values(deleted_at=None)
    )
    if done.rowcount != 1:
        raise NotFound(
            f"No deleted app {app_id!r} to restore (apps can be restored for a while only).",
            code="app_not_found",
        )
    return await get_app(conn, app_id, vendor_id)


def _record(row: Any, *, with_content: bool = True) -> FileRecord:
    return FileRecord(
        row.path,
        row.size,
        row.version_id,
        row.updated_at,
        loaded(row.content, row.data) if with_content else None,
        row.content_type or content_type(row.path),
        row.binary,
    )


_LISTED = (
    files.c.path,
    files.c.size,
    files.c.version_id,
    files.c.updated_at,
    files.c.content_type,
    files.c.data.is_not(None).label("binary"),
)


async def list_files(conn: AsyncConnection, app_id: str) -> list[FileRecord]:
    rows = await conn.execute(
        sa.select(*_LISTED).where(files.c.app_id == app_id).order_by(files.c.path)
    )
    return [_record(r, with_content=False) for r in rows]


async def read_file(conn: AsyncConnection, app_id: str, path: str) -> FileRecord:
    row = (
        await conn.execute(
            sa.select(*_LISTED, files.c.content, files.c.data).where(
                files.c.app_id == app_id, files.c.path == path
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"No file {path!r} in this app.", code="file_not_found", path=path)
    return _record(row)


async def read_files(conn: AsyncConnection, app_id: str, paths: list[str]) -> dict[str, FileRecord]:
    """`paths` that exist, with their content."""
    rows = await conn.execute(
        sa.select(*_LISTED, files.c.content, files.c.data).where(
            files.c.app_id == app_id, files.c.path.in_(paths)
        )
    )
    return {r.path: _record(r) for r in rows}


async def read_contents(
    conn: AsyncConnection, app_id: str, paths: list[str] | None = None
) -> dict[str, str]:
    """Current text of `paths` (all text files when None); absent paths and binary files
    are left out."""
    query = sa.select(files.c.path, files.c.content).where(
        files.c.app_id == app_id, files.c.data.is_(None)
    )
    if paths is not None:
        query = query.where(files.c.path.in_(paths))
    return {r.path: r.content for r in await conn.execute(query)}


async def read_all(conn: AsyncConnection, app_id: str) -> dict[str, FileContent]:
    """Every file's content, text and binary (an export, an archive)."""
    query = sa.select(files.c.path, files.c.content, files.c.data).where(files.c.app_id == app_id)
    return {r.path: loaded(r.content, r.data) or "" for r in await conn.execute(query)}
