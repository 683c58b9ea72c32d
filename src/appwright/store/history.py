"""What an app's git history is made of, read from the database: the committed versions in
order, each with what its commit was written with, and every version's changes to replay
the files. `git/history.py` rebuilds a repository from these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.files.content import FileContent
from appwright.store.schema import vendors, version_changes, versions
from appwright.store.versions import loaded


@dataclass(frozen=True)
class CommittedVersion:
    version_id: str
    number: int
    sha: str
    meta: dict[str, Any] | None  # None for versions committed before it was recorded
    source: str
    message: str
    paths: list[str]
    author_id: str
    author_name: str
    created_at: datetime


async def committed_versions(conn: AsyncConnection, app_id: str) -> list[CommittedVersion]:
    """Every version of the app that has a commit, in version order."""
    rows = await conn.execute(
        sa.select(
            versions.c.id,
            versions.c.number,
            versions.c.commit_sha,
            versions.c.commit_meta,
            versions.c.source,
            versions.c.message,
            versions.c.paths,
            versions.c.author_vendor_id,
            versions.c.created_at,
            vendors.c.name.label("author_name"),
        )
        .join(vendors, vendors.c.id == versions.c.author_vendor_id, isouter=True)
        .where(versions.c.app_id == app_id, versions.c.commit_sha.is_not(None))
        .order_by(versions.c.number)
    )
    return [
        CommittedVersion(
            version_id=r.id,
            number=r.number,
            sha=r.commit_sha,
            meta=r.commit_meta,
            source=r.source,
            message=r.message or "",
            paths=list(r.paths or []),
            author_id=r.author_vendor_id,
            author_name=r.author_name or "",
            created_at=r.created_at,
        )
        for r in rows
    ]


async def changes_between(
    conn: AsyncConnection, app_id: str, after: int, upto: int
) -> dict[str, dict[str, FileContent | None]]:
    """{version id: {path: content after (None: deleted)}} of versions after..upto."""
    rows = await conn.execute(
        sa.select(
            version_changes.c.version_id,
            version_changes.c.path,
            version_changes.c.after,
            version_changes.c.after_data,
        )
        .join(versions, versions.c.id == version_changes.c.version_id)
        .where(versions.c.app_id == app_id, versions.c.number > after, versions.c.number <= upto)
    )
    changes: dict[str, dict[str, FileContent | None]] = {}
    for r in rows:
        changes.setdefault(r.version_id, {})[r.path] = loaded(r.after, r.after_data)
    return changes
