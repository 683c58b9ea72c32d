"""The operations on vendors, apps and files that every entry point shares (HTTP, tools,
CLI): each validates its input and runs one transaction through the journal, which appends
the new version's events to the app's log in it and publishes them after the commit
(`journal/journal.py`)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from appwright import text as text_rule
from appwright.config import Settings
from appwright.errors import EditConflict, InvalidInput
from appwright.events.bus import Bus
from appwright.events.mapping import version_written
from appwright.files.archive import ArchiveLimits, read_zip
from appwright.files.content import FileContent, content_type, size_of, to_bytes
from appwright.files.importing import Skipped
from appwright.files.validation import decode_value, validate_path
from appwright.journal.journal import Journal, Transaction
from appwright.log_names import app_log
from appwright.store import apps as app_store
from appwright.store import edit_base, review
from appwright.store import vendors as vendor_store
from appwright.store import versions as version_store
from appwright.store.database import Database
from appwright.store.versions import Limits, NoChange, Source, Written

VersionListener = Callable[[Written], None]


@dataclass(frozen=True)
class Snapshot:
    """What an edit decides from, read under the app's lock."""

    files: dict[str, app_store.FileRecord]  # the paths asked for that exist, with content
    paths: frozenset[str]  # every file of the app
    total_bytes: int

    def content(self, path: str) -> FileContent | None:
        record = self.files.get(path)
        return None if record is None else record.content


R = TypeVar("R")


class Workspace:
    def __init__(self, settings: Settings, db: Database, bus: Bus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.journal = Journal(db, bus)
        self.limits = Limits(
            max_app_bytes=settings.max_app_bytes, max_app_files=settings.max_app_files
        )
        self._version_listeners: list[VersionListener] = []

    def on_version(self, listener: VersionListener) -> None:
        self._version_listeners.append(listener)

    # --- vendors ----------------------------------------------------------------------------

    async def create_vendor(self, name: str) -> tuple[vendor_store.Vendor, str]:
        name = _required_name(name, "vendor")
        return await self.db.run(lambda conn: vendor_store.create_vendor(conn, name))

    async def vendor_for_token(self, token: str) -> vendor_store.Vendor | None:
        return await self.db.read(lambda conn: vendor_store.vendor_by_token(conn, token))

    # --- apps -------------------------------------------------------------------------------

    async def create_app(
        self, vendor_id: str, name: str, files: Mapping[str, Any]
    ) -> app_store.AppRecord:
        name = _required_name(name, "app")
        self._refuse_too_many_files(files)
        changes = self.validate_changes(files, deletions=False)
        total = sum(size_of(c) for c in changes.values())
        if total > self.settings.max_app_bytes:
            raise InvalidInput(
                f"These files add up to {total} bytes; apps are limited to "
                f"{self.settings.max_app_bytes} bytes.",
                code="app_too_large",
                limit=self.settings.max_app_bytes,
            )

        async def work(tx: Transaction) -> tuple[app_store.AppRecord, Written | None]:
            conn = tx.conn
            app = await app_store.insert_app(conn, vendor_id, name)
            written = None
            if changes:
                written = await version_store.write_version(
                    conn,
                    app_id=app.id,
                    author_vendor_id=vendor_id,
                    changes=changes,
                    source="initial",
                    limits=self.limits,
                    message="Initial version",
                )
                await _append_version(tx, written)
            return await app_store.get_app(conn, app.id, vendor_id), written

        app, written = await self.journal.commit(work)
        if written is not None:
            self._tell_listeners(written)
        return app

    async def import_archive(
        self, vendor_id: str, name: str, data: bytes
    ) -> tuple[app_store.AppRecord, Skipped]:
        """An app made from a zip archive's files (see files/archive.py), and what was left
        out of it with why. Any refused entry refuses the whole import."""
        name = _required_name(name, "app")
        limits = ArchiveLimits(
            max_file_bytes=self.settings.max_file_bytes,
            max_app_bytes=self.settings.max_app_bytes,
            max_app_files=self.settings.max_app_files,
            max_path_length=self.settings.max_path_length,
        )
        archive = await asyncio.to_thread(read_zip, data, limits)
        return await self.create_app(vendor_id, name, archive.files), archive.skipped

    async def app(self, vendor_id: str | None, app_id: str) -> app_store.AppRecord:
        return await self.db.read(lambda conn: app_store.get_app(conn, app_id, vendor_id))

    async def apps(self, vendor_id: str) -> list[app_store.AppRecord]:
        return await self.db.read(lambda conn: app_store.list_apps(conn, vendor_id))

    async def files(self, vendor_id: str | None, app_id: str) -> list[app_store.FileRecord]:
        async def work(conn: Any) -> list[app_store.FileRecord]:
            await app_store.get_app(conn, app_id, vendor_id)
            return await app_store.list_files(conn, app_id)

        return await self.db.read(work)

    async def file(self, vendor_id: str | None, app_id: str, path: str) -> app_store.FileRecord:
        path = validate_path(path, max_length=self.settings.max_path_length)

        async def work(conn: Any) -> app_store.FileRecord:
            await app_store.get_app(conn, app_id, vendor_id)
            return await app_store.read_file(conn, app_id, path)

        return await self.db.read(work)

    async def contents(self, app_id: str, paths: list[str] | None = None) -> dict[str, str]:
        """The text files' contents (binary files left out)."""
        return await self.db.read(lambda conn: app_store.read_contents(conn, app_id, paths))

    async def all_contents(self, app_id: str) -> dict[str, FileContent]:
        """Every file, text and binary."""
        return await self.db.read(lambda conn: app_store.read_all(conn, app_id))

    # --- versions ---------------------------------------------------------------------------

    def _refuse_too_many_files(self, files: Any) -> None:
        """Before any per-file work: a request with more files than an app may hold is
        refused at once, however much else is wrong with it."""
        limit = self.settings.max_app_files
        if isinstance(files, Mapping) and len(files) > limit:
            raise InvalidInput(
                f"{len(files)} files were sent; apps are limited to {limit} files.",
                code="too_many_files",
                limit=limit,
            )

    def validate_changes(
        self, changes: Mapping[str, Any], *, deletions: bool = True
    ) -> dict[str, FileContent | None]:
        """Paths and contents checked and normalised; None (a deletion) only where
        `deletions` allows it. A value is text, bytes, or `{"base64": ...}` for a binary
        file. Two spellings of one path in one request are refused, as neither could be
        said to win."""
        if not isinstance(changes, Mapping):
            raise InvalidInput("`files` must map paths to text.", code="invalid_files")
        valid: dict[str, FileContent | None] = {}
        for raw_path, content in changes.items():
            path = validate_path(raw_path, max_length=self.settings.max_path_length)
            if path in valid:
                raise InvalidInput(
                    f"{path!r} is named twice (in two spellings) in one request.",
                    code="path_duplicate",
                )
            if content is None and not deletions:
                raise InvalidInput(f"The content of {path} is missing.", code="content_required")
            valid[path] = (
                None
                if content is None
                else decode_value(path, content, max_bytes=self.settings.max_file_bytes)
            )
        return valid

    async def write(
        self,
        vendor_id: str,
        app_id: str,
        changes: Mapping[str, Any],
        *,
        source: Source,
        message: str = "",
        run_id: str | None = None,
        base_version: str | None = None,
    ) -> Written | None:
        """One version with `changes`, or None when they change nothing. With
        `base_version`, a file changed by any later version refuses the whole write
        (EditConflict, carrying the file as it is now) unless it already holds the same
        content."""
        valid = self.validate_changes(changes)

        async def check(conn: Any, snapshot: Snapshot) -> None:
            if base_version is None:
                return
            number = await edit_base.base_number(conn, app_id, base_version)
            for path, content in sorted(valid.items()):
                newer = await edit_base.changed_since(conn, app_id, path, number)
                record = snapshot.files.get(path)
                if newer is None or (record.content if record else None) == content:
                    continue
                current: dict[str, Any] = (
                    record.to_json(with_content=True) if record else {"path": path, "content": None}
                )
                current.update(version_id=newer, deleted=record is None)
                raise EditConflict(
                    f"{path} was changed since this edit began; nothing was saved. "
                    "Compare both versions and choose what to keep.",
                    current=current,
                )

        written, _ = await self.edit(
            vendor_id,
            app_id,
            sorted(valid),
            lambda _snapshot: (valid, None),
            source=source,
            message=message,
            run_id=run_id,
            check=check,
        )
        return written

    async def edit(
        self,
        vendor_id: str,
        app_id: str,
        paths: list[str],
        compute: Callable[[Snapshot], tuple[dict[str, FileContent | None], R]],
        *,
        source: Source,
        message: str = "",
        run_id: str | None = None,
        fence: Callable[[Any], Awaitable[None]] | None = None,
        record: Callable[[Any, Written, R], Awaitable[None]] | None = None,
        check: Callable[[Any, Snapshot], Awaitable[None]] | None = None,
    ) -> tuple[Written | None, R]:
        """Read `paths`, let `compute` (pure) decide the changes, and write them as one
        version, all in one transaction under the app's lock: nothing can change the files
        between the read and the write. A run's edit passes its lease as `fence` (first in
        the transaction; raising writes nothing) and what the run must remember about the
        version as `record` (last in the transaction). `check` sees the snapshot under the
        lock and may refuse the edit by raising."""

        async def work(tx: Transaction) -> tuple[Written | None, R]:
            conn = tx.conn
            if fence is not None:
                await fence(conn)
            app = await app_store.get_app(conn, app_id, vendor_id)
            await version_store.lock_app(conn, app_id)
            snapshot = Snapshot(
                files=await app_store.read_files(conn, app_id, paths),
                paths=frozenset(f.path for f in await app_store.list_files(conn, app_id)),
                total_bytes=app.total_bytes,
            )
            if check is not None:
                await check(conn, snapshot)
            # Pure, but can take a moment on a large file (a refusal's closest lines):
            # off the event loop, while the transaction keeps the files as they were read.
            changes, extra = await asyncio.to_thread(compute, snapshot)
            if not changes:
                return None, extra
            try:
                written = await version_store.write_version(
                    conn,
                    app_id=app_id,
                    author_vendor_id=vendor_id,
                    changes=changes,
                    source=source,
                    limits=self.limits,
                    message=message,
                    run_id=run_id,
                )
            except NoChange:
                return None, extra
            await _append_version(tx, written)
            if record is not None:
                await record(conn, written, extra)
            return written, extra

        written, extra = await self.journal.commit(work)
        if written is not None:
            self._tell_listeners(written)
        return written, extra

    async def undo(self, vendor_id: str, app_id: str) -> Written:
        return await self._step(vendor_id, app_id, version_store.undo)

    async def redo(self, vendor_id: str, app_id: str) -> Written:
        return await self._step(vendor_id, app_id, version_store.redo)

    async def _step(self, vendor_id: str, app_id: str, step: Any) -> Written:
        async def work(tx: Transaction) -> Written:
            await app_store.get_app(tx.conn, app_id, vendor_id)
            written: Written = await step(tx.conn, app_id, vendor_id, self.limits)
            await _append_version(tx, written)
            return written

        written = await self.journal.commit(work)
        self._tell_listeners(written)
        return written

    async def revert(
        self,
        vendor_id: str,
        app_id: str,
        version_id: str,
        *,
        paths: list[str] | None = None,
        files: Mapping[str, Any] | None = None,
        base_version: str | None = None,
    ) -> Written | None:
        """Take back a version's changes: all of them, those to `paths`, or, for a partial
        (per-hunk) rejection, exactly the contents the client computed in `files` (from the
        files as of `base_version`, when given: see `write`)."""

        async def work(conn: Any) -> dict[str, FileContent | None]:
            await app_store.get_app(conn, app_id, vendor_id)
            await version_store.get_version(conn, app_id, version_id)
            return {
                p: b for p, (b, _a) in (await version_store.changes_of(conn, version_id)).items()
            }

        befores = await self.db.read(work)
        changes: dict[str, Any] = {}
        if files:
            unknown = sorted(set(files) - set(befores))
            if unknown:
                raise InvalidInput(
                    f"Version {version_id} did not change {', '.join(unknown)}.",
                    code="path_not_in_version",
                )
            changes.update(files)
        else:
            wanted = paths if paths else sorted(befores)
            for path in wanted:
                if path not in befores:
                    raise InvalidInput(
                        f"Version {version_id} did not change {path}.", code="path_not_in_version"
                    )
                changes[path] = befores[path]
        return await self.write(
            vendor_id,
            app_id,
            changes,
            source="revert",
            message=f"Revert of {version_id}",
            base_version=base_version,
        )

    async def versions(
        self, vendor_id: str | None, app_id: str, *, limit: int = 500, before: str | None = None
    ) -> list[version_store.VersionRecord]:
        """Newest first: a page of at most `limit`, older than version `before` if given."""

        async def work(conn: Any) -> list[version_store.VersionRecord]:
            await app_store.get_app(conn, app_id, vendor_id)
            return await version_store.list_versions(conn, app_id, limit, before)

        return await self.db.read(work)

    async def version_diff(self, vendor_id: str, app_id: str, version_id: str) -> dict[str, Any]:
        async def work(conn: Any) -> dict[str, Any]:
            await app_store.get_app(conn, app_id, vendor_id)
            version = await version_store.get_version(conn, app_id, version_id)
            changes = await version_store.changes_of(conn, version_id)
            return {
                "version_id": version.id,
                "parent_id": version.parent_id,
                "source": version.source,
                "files": [diff_entry(p, b, a) for p, (b, a) in sorted(changes.items())],
            }

        return await self.db.read(work)

    async def accept(
        self, vendor_id: str, app_id: str, version_id: str
    ) -> version_store.VersionRecord:
        async def work(conn: Any) -> version_store.VersionRecord:
            await app_store.get_app(conn, app_id, vendor_id)
            return await review.accept(conn, app_id, version_id)

        return await self.db.run(work)

    async def app_events(
        self, vendor_id: str | None, app_id: str, after: int
    ) -> list[dict[str, Any]]:
        return await self.journal.read(
            app_log(app_id), after, check=lambda conn: app_store.get_app(conn, app_id, vendor_id)
        )

    def _tell_listeners(self, written: Written) -> None:
        for listener in self._version_listeners:
            listener(written)


async def _append_version(tx: Transaction, written: Written) -> None:
    version = written.version
    events = version_written(version.id, version.source, written.changes, version.run_id)
    await tx.append(app_log(version.app_id), events)


def diff_entry(path: str, before: FileContent | None, after: FileContent | None) -> dict[str, Any]:
    """One file of a version's diff. A binary side is not text to diff: the entry says
    `binary`, with each side's size and bytes (base64, for a thumbnail), and `before` /
    `after` stay null."""
    if not isinstance(before, bytes) and not isinstance(after, bytes):
        return {"path": path, "before": before, "after": after}

    def side(content: FileContent | None) -> str | None:
        return None if content is None else base64.b64encode(to_bytes(content)).decode("ascii")

    return {
        "path": path,
        "before": None,
        "after": None,
        "binary": True,
        "content_type": content_type(path, after if after is not None else before),
        "before_size": None if before is None else size_of(before),
        "after_size": None if after is None else size_of(after),
        "before_base64": side(before),
        "after_base64": side(after),
    }


def _required_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"A {what} name is required.", code="name_required")
    name = text_rule.name(name.strip(), f"The {what} name")
    if len(name) > 200:
        raise InvalidInput(f"A {what} name is at most 200 characters.", code="name_too_long")
    return name
