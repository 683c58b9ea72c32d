"""Versions: every change to an app's files, undo and redo included, as a new version.

Nothing is rewritten or deleted. A version records, per path it changed, the content before
and after (NULL = absent), its source and its parent (the version before it). Undo and redo
are versions too: an undo restores the "before" of the newest version still on the app's
undo stack and moves it to the redo stack; a redo re-applies the "after" of the top of the
redo stack. Any other change clears the redo stack, as in every editor.

`write_version` runs inside the caller's transaction and begins by taking the app's row lock
(SELECT ... FOR UPDATE; on SQLite the single-writer lock plays that part): writes to one app
are serialised across sessions and processes, so two writers never interleave half of their
changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import Conflict, InvalidInput, NotFound
from appwright.files.content import FileContent, content_type, size_of
from appwright.files.tree import clash, folders_of
from appwright.store.ids import new_id, now
from appwright.store.schema import apps, files, outbox, version_changes, versions

Source = Literal["initial", "ai", "manual", "undo", "redo", "revert"]


class NoChange(Exception):
    """Every requested change left its file as it was; no version is made."""


@dataclass(frozen=True)
class VersionRecord:
    id: str
    app_id: str
    number: int
    parent_id: str | None
    source: str
    target_id: str | None
    paths: list[str]
    message: str
    run_id: str | None
    created_at: datetime
    commit_state: str
    commit_sha: str | None
    commit_error: dict[str, Any] | None
    accepted_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "parent_id": self.parent_id,
            "source": self.source,
            "target_id": self.target_id,
            "paths": self.paths,
            "message": self.message,
            "run_id": self.run_id,
            "created_at": self.created_at.isoformat(),
            "commit": {
                "state": self.commit_state,
                "sha": self.commit_sha,
                "error": self.commit_error,
            },
            "accepted_at": self.accepted_at.isoformat() if self.accepted_at else None,
        }


@dataclass(frozen=True)
class Written:
    """A version written: the fact the journal's events are made of (`events/mapping.py`)."""

    version: VersionRecord
    changes: dict[str, FileContent | None]  # path -> new content, None where deleted


@dataclass(frozen=True)
class Limits:
    max_app_bytes: int
    max_app_files: int


def _version(row: Any) -> VersionRecord:
    return VersionRecord(
        id=row.id,
        app_id=row.app_id,
        number=row.number,
        parent_id=row.parent_id,
        source=row.source,
        target_id=row.target_id,
        paths=list(row.paths),
        message=row.message,
        run_id=row.run_id,
        created_at=row.created_at,
        commit_state=row.commit_state,
        commit_sha=row.commit_sha,
        commit_error=row.commit_error,
        accepted_at=row.accepted_at,
    )


def _size(content: FileContent | None) -> int:
    return size_of(content)


def loaded(text: str | None, data: bytes | None) -> FileContent | None:
    """A file's content as its row stores it: the bytes of a binary file, else its text."""
    return data if data is not None else text


def _sides(before: FileContent | None, after: FileContent | None) -> dict[str, Any]:
    def text(c: FileContent | None) -> str | None:
        return c if isinstance(c, str) else None

    def data(c: FileContent | None) -> bytes | None:
        return c if isinstance(c, bytes) else None

    return {
        "before": text(before),
        "after": text(after),
        "before_data": data(before),
        "after_data": data(after),
    }


async def write_version(
    conn: AsyncConnection,
    *,
    app_id: str,
    author_vendor_id: str,
    changes: Mapping[str, FileContent | None],
    source: Source,
    limits: Limits,
    message: str = "",
    run_id: str | None = None,
    target_id: str | None = None,
    stacks: tuple[list[str], list[str]] | None = None,
) -> Written:
    """Apply `changes` (path -> new content, None deletes) as one version.

    Paths and contents must already be validated. `stacks` replaces the undo/redo stacks
    (undo and redo pass theirs); otherwise the version is pushed on the undo stack and the
    redo stack is cleared. Raises NoChange when nothing would change.
    """
    locked = (
        await conn.execute(
            sa.select(apps.c.head_version, apps.c.total_bytes, apps.c.undo_stack)
            .where(apps.c.id == app_id)
            .with_for_update()
        )
    ).first()
    if locked is None:
        raise NotFound(f"No app {app_id!r}.", code="app_not_found")
    number = locked.head_version + 1
    paths = sorted(changes)
    before = {
        r.path: loaded(r.content, r.data)
        for r in await conn.execute(
            sa.select(files.c.path, files.c.content, files.c.data).where(
                files.c.app_id == app_id, files.c.path.in_(paths)
            )
        )
    }
    effective = {p: changes[p] for p in paths if before.get(p) != changes[p]}
    if not effective:
        raise NoChange()
    total = locked.total_bytes + sum(_size(c) - _size(before.get(p)) for p, c in effective.items())
    if total > limits.max_app_bytes:
        raise InvalidInput(
            f"This change would make the app {total} bytes; apps are limited to "
            f"{limits.max_app_bytes} bytes. Nothing was changed.",
            code="app_too_large",
            limit=limits.max_app_bytes,
        )
    await _refuse_too_many_files(conn, app_id, before, effective, limits.max_app_files)
    await _refuse_file_inside_file(conn, app_id, before, effective)

    parent_id = await conn.scalar(
        sa.select(versions.c.id).where(versions.c.app_id == app_id, versions.c.number == number - 1)
    )
    version = VersionRecord(
        id=new_id("ver"),
        app_id=app_id,
        number=number,
        parent_id=parent_id,
        source=source,
        target_id=target_id,
        paths=sorted(effective),
        message=message,
        run_id=run_id,
        created_at=now(),
        commit_state="pending",
        commit_sha=None,
        commit_error=None,
    )
    version_id = version.id
    await conn.execute(
        sa.insert(versions).values(**vars(version), author_vendor_id=author_vendor_id)
    )
    await conn.execute(
        sa.insert(version_changes),
        [
            {"version_id": version_id, "path": p, **_sides(before.get(p), c)}
            for p, c in effective.items()
        ],
    )
    for path, content in effective.items():
        await _store_file(conn, app_id, path, content, version_id, exists=path in before)

    if stacks is None:
        undo_stack = [*locked.undo_stack, version_id] if source != "initial" else []
        redo_stack: list[str] = []
    else:
        undo_stack, redo_stack = stacks
    await conn.execute(
        sa.update(apps)
        .where(apps.c.id == app_id)
        .values(
            head_version=number, total_bytes=total, undo_stack=undo_stack, redo_stack=redo_stack
        )
    )
    await conn.execute(
        sa.insert(outbox).values(
            version_id=version_id,
            app_id=app_id,
            number=number,
            attempts=0,
            next_attempt_at=version.created_at,
        )
    )
    return Written(version=version, changes=effective)


async def _refuse_too_many_files(
    conn: AsyncConnection,
    app_id: str,
    before: Mapping[str, FileContent | None],
    effective: Mapping[str, FileContent | None],
    limit: int,
) -> None:
    added = sum(1 for p, c in effective.items() if c is not None and p not in before)
    if not added:
        return
    removed = sum(1 for p, c in effective.items() if c is None and p in before)
    count = await conn.scalar(
        sa.select(sa.func.count()).select_from(files).where(files.c.app_id == app_id)
    )
    total = int(count or 0) + added - removed
    if total > limit:
        raise InvalidInput(
            f"This change would make the app {total} files; apps are limited to {limit} "
            "files. Nothing was changed.",
            code="too_many_files",
            limit=limit,
        )


async def _refuse_file_inside_file(
    conn: AsyncConnection,
    app_id: str,
    before: Mapping[str, FileContent | None],
    effective: Mapping[str, FileContent | None],
) -> None:
    """A version that would make a path a file and a folder at once is refused whole (see
    files/tree.py). Only a new path can clash."""
    added = [p for p, c in effective.items() if c is not None and p not in before]
    if not added:
        return
    existing = {
        r.path for r in await conn.execute(sa.select(files.c.path).where(files.c.app_id == app_id))
    }
    final = (existing | set(added)) - {p for p, c in effective.items() if c is None}
    folders = {folder for path in final for folder in folders_of(path)}
    for path in sorted(added):
        problem = clash(path, final, folders)
        if problem is not None:
            raise InvalidInput(
                f"{problem.message} Nothing was changed.", code=problem.code, **problem.data
            )


async def _store_file(
    conn: AsyncConnection,
    app_id: str,
    path: str,
    content: FileContent | None,
    version_id: str,
    exists: bool,
) -> None:
    where = (files.c.app_id == app_id) & (files.c.path == path)
    if content is None:
        await conn.execute(sa.delete(files).where(where))
        return
    binary = isinstance(content, bytes)
    values = {
        "content": "" if binary else content,
        "data": content if binary else None,
        "content_type": content_type(path, content),
        "size": _size(content),
        "version_id": version_id,
        "updated_at": now(),
    }
    if exists:
        await conn.execute(sa.update(files).where(where).values(**values))
    else:
        await conn.execute(sa.insert(files).values(app_id=app_id, path=path, **values))


async def lock_app(conn: AsyncConnection, app_id: str) -> None:
    await _stacks(conn, app_id)


async def _stacks(conn: AsyncConnection, app_id: str) -> tuple[list[str], list[str]]:
    row = (
        await conn.execute(
            sa.select(apps.c.undo_stack, apps.c.redo_stack)
            .where(apps.c.id == app_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(f"No app {app_id!r}.", code="app_not_found")
    return list(row.undo_stack), list(row.redo_stack)


async def changes_of(
    conn: AsyncConnection, version_id: str
) -> dict[str, tuple[FileContent | None, FileContent | None]]:
    rows = await conn.execute(
        sa.select(version_changes).where(version_changes.c.version_id == version_id)
    )
    return {r.path: (loaded(r.before, r.before_data), loaded(r.after, r.after_data)) for r in rows}


async def undo(
    conn: AsyncConnection, app_id: str, author_vendor_id: str, limits: Limits
) -> Written:
    return await _step(conn, app_id, author_vendor_id, limits, "undo")


async def redo(
    conn: AsyncConnection, app_id: str, author_vendor_id: str, limits: Limits
) -> Written:
    return await _step(conn, app_id, author_vendor_id, limits, "redo")


async def _step(
    conn: AsyncConnection,
    app_id: str,
    author_vendor_id: str,
    limits: Limits,
    direction: Literal["undo", "redo"],
) -> Written:
    """Move the newest version of one stack to the other, writing its "before" (undo) or
    its "after" (redo). A version whose step would change nothing is passed over."""
    undo_stack, redo_stack = await _stacks(conn, app_id)
    source, destination = (
        (undo_stack, redo_stack) if direction == "undo" else (redo_stack, undo_stack)
    )
    while source:
        target = source.pop()
        side = 0 if direction == "undo" else 1
        contents = {p: pair[side] for p, pair in (await changes_of(conn, target)).items()}
        moved = [*destination, target]
        try:
            return await write_version(
                conn,
                app_id=app_id,
                author_vendor_id=author_vendor_id,
                changes=contents,
                source=direction,
                limits=limits,
                message=f"{direction.capitalize()} version {await _number(conn, target)}",
                target_id=target,
                stacks=(undo_stack, moved) if direction == "undo" else (moved, redo_stack),
            )
        except NoChange:
            continue
    raise Conflict(f"There is nothing to {direction}.", code=f"nothing_to_{direction}")


async def _number(conn: AsyncConnection, version_id: str) -> int:
    number = await conn.scalar(sa.select(versions.c.number).where(versions.c.id == version_id))
    return int(number or 0)


async def list_versions(
    conn: AsyncConnection, app_id: str, limit: int = 500, before: str | None = None
) -> list[VersionRecord]:
    """Newest first, at most `limit`, only those older than version `before` if given
    (a version of another app, or none at all, answers version_not_found)."""
    query = sa.select(versions).where(versions.c.app_id == app_id)
    if before is not None:
        query = query.where(versions.c.number < (await get_version(conn, app_id, before)).number)
    rows = await conn.execute(query.order_by(versions.c.number.desc()).limit(limit))
    return [_version(r) for r in rows]


async def get_version(conn: AsyncConnection, app_id: str, version_id: str) -> VersionRecord:
    row = (
        await conn.execute(
            sa.select(versions).where(versions.c.app_id == app_id, versions.c.id == version_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"No version {version_id!r} in this app.", code="version_not_found")
    return _version(row)
