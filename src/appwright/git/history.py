"""An app's repository is a cache of the database: any process can write it again.

Each committed version row holds its commit's sha and meta (author, time, message), and
its recorded changes give the files, so the commits can be written again byte for byte:
same trees, same parents, same shas. The rebuilt branch is therefore the very branch the
remote already has, and the next push is a fast-forward, never forced.

`bring_up_to_date` runs before every drain, on whichever process holds the app's drain
lease. It compares the local tip with what the database says was committed:

- the same tip (or one commit ahead, made but not yet recorded): nothing to do;
- an older tip of the same history (another process drained meanwhile): the missing
  commits are written on top of it;
- no repository, an empty one, a damaged one, or a tip the database does not know: the
  repository is made anew beside it and renamed into place (a damaged one is kept aside).

A commit that does not come out as the recorded sha stops it (`history_mismatch`): pushing
a different history would need a force, which the outbox never does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.files.content import FileContent
from appwright.git.errors import GitError
from appwright.git.policy import commit_message
from appwright.git.repository import AppRepository, CommitMeta, Replayed
from appwright.store import commits
from appwright.store import history as store
from appwright.store.database import Database

log = logging.getLogger(__name__)

Outcome = Literal["current", "extended", "rebuilt"]


class VersionFacts(Protocol):
    @property
    def version_id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def paths(self) -> list[str]: ...
    @property
    def author_id(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def meta_for(version: VersionFacts) -> CommitMeta:
    """The meta of a version's commit, from its row alone: the author is the vendor who
    made it, the time is when it was made (never when it was committed)."""
    return CommitMeta.of(
        commit_message(version.source, version.message, version.paths),
        version.author_name or version.author_id,
        f"{version.author_id}@vendors.appwright",
        version.version_id,
        version.created_at.timestamp(),
    )


def _recorded_meta(version: store.CommittedVersion) -> CommitMeta:
    return CommitMeta.from_json(version.meta) if version.meta else meta_for(version)


async def bring_up_to_date(db: Database, repo: AppRepository, app_id: str) -> Outcome:
    """Make the local repository hold every commit the database records for the app."""
    done = await db.read(lambda conn: store.committed_versions(conn, app_id))
    head = None
    if repo.path.exists():
        try:
            head = await repo.head()
        except GitError as error:
            log.warning("git repository of app %s is damaged (%s); rebuilding", app_id, error)
            return await _rebuild(db, repo, app_id, done)
    if not done:
        await repo.ensure()
        return "current"
    last = done[-1]
    if head is not None:
        sha, parent, version = head
        if sha == last.sha:
            return "current"
        if parent == last.sha and version is not None:
            return "current"  # committed, not yet recorded: the next commit step reuses it
        known = {v.sha: i for i, v in enumerate(done)}
        if sha in known:
            start = known[sha] + 1
            entries = await _replayed(db, app_id, done, start)
            await repo.replay(sha, entries)
            log.info(
                "git repository of app %s brought up to date from the database (%d commits)",
                app_id,
                len(entries),
            )
            return "extended"
    return await _rebuild(db, repo, app_id, done)


async def _rebuild(
    db: Database, repo: AppRepository, app_id: str, done: Sequence[store.CommittedVersion]
) -> Outcome:
    entries = await _replayed(db, app_id, done, 0)
    await repo.rebuild(entries)
    log.info(
        "git repository of app %s rebuilt from the database (%d commits)", app_id, len(entries)
    )
    return "rebuilt"


async def _replayed(
    db: Database, app_id: str, done: Sequence[store.CommittedVersion], start: int
) -> list[Replayed]:
    """The commits of `done[start:]`, each with its full set of files."""
    todo = list(done[start:])
    if not todo:
        return []
    base = done[start - 1].number if start > 0 else 0

    async def read(
        conn: AsyncConnection,
    ) -> tuple[dict[str, FileContent], dict[str, dict[str, FileContent | None]]]:
        files = await commits.snapshot_at(conn, app_id, base) if base else {}
        changes = await store.changes_between(conn, app_id, base, todo[-1].number)
        return files, changes

    files, changes = await db.read(read)
    entries = []
    for version in todo:
        for path, after in changes.get(version.version_id, {}).items():
            if after is None:
                files.pop(path, None)
            else:
                files[path] = after
        entries.append(
            Replayed(version.version_id, dict(files), _recorded_meta(version), version.sha)
        )
    return entries
