"""The app's full set of files at each version, for the outbox to commit.

A version records only what it changed, and the `files` table holds only the newest state,
so the snapshot at version N is rebuilt: the tree of version N-1's commit plus N's changes.
Consecutive versions reuse the previous result, so a backlog reads one tree, not one per
version. If the repository cannot give that tree, or it disagrees with what the version
says it changed from, the snapshot is replayed from the recorded changes instead: a
commit must hold exactly the version's files, never a guess.
"""

from __future__ import annotations

import logging

from appwright.files.content import FileContent
from appwright.git.errors import GitError
from appwright.git.repository import AppRepository
from appwright.store import commits
from appwright.store.database import Database
from appwright.store.versions import changes_of

log = logging.getLogger(__name__)


class Snapshots:
    """Snapshots of one app's versions, asked for in version order."""

    def __init__(
        self, db: Database, repo: AppRepository, app_id: str, previous_sha: str | None
    ) -> None:
        self.db = db
        self.repo = repo
        self.app_id = app_id
        self._previous_sha = previous_sha  # the commit of the version before the first asked
        self._files: dict[str, FileContent] | None = None

    async def at(self, item: commits.OutboxItem) -> dict[str, FileContent]:
        if self._files is None:
            await self.repo.ensure()
            self._files = await self._before(item)
        changes = await self.db.read(lambda conn: changes_of(conn, item.version_id))
        if any(self._files.get(path) != before for path, (before, _a) in changes.items()):
            log.warning("git outbox: base of version %s disagrees; replaying", item.version_id)
            self._files = await self._replay(item.number)
            return dict(self._files)
        for path, (_before, after) in changes.items():
            if after is None:
                self._files.pop(path, None)
            else:
                self._files[path] = after
        return dict(self._files)

    async def _before(self, item: commits.OutboxItem) -> dict[str, FileContent]:
        if item.number <= 1:
            return {}
        if self._previous_sha is not None:
            try:
                return await self.repo.read_tree(self._previous_sha)
            except GitError as error:
                log.warning(
                    "git outbox: no tree %s (%s); replaying", self._previous_sha, error.code
                )
        return await self._replay(item.number - 1)

    async def _replay(self, number: int) -> dict[str, FileContent]:
        return await self.db.read(lambda conn: commits.snapshot_at(conn, self.app_id, number))
