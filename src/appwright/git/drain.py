"""One pass over one app's outbox, by the process holding the app's drain lease: bring
the local repository up to date with the database (`git/history.py`), commit every pending
version in order, then push once (the branch carries them all).

No transaction is held across git work: read, do the git step, then record the outcome and
its `commit.updated` events in one short transaction, published after it commits. Each of
those transactions starts with the lease's fence (`store/drain_leases.hold`), so a process
that lost the lease while it worked records nothing. Git steps are idempotent per version
and commits are the same whoever writes them, so a crash between the two is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.config import Settings
from appwright.events import log as event_log
from appwright.events.bus import Bus
from appwright.git.errors import AUTH_REFUSED, GitError
from appwright.git.history import bring_up_to_date, meta_for
from appwright.git.policy import TokenSeal
from appwright.git.reach import RemotePolicy
from appwright.git.remote import push
from appwright.git.repository import AppRepository
from appwright.git.snapshots import Snapshots
from appwright.git.transport import scrub
from appwright.ops.metrics import Metrics
from appwright.store import commits
from appwright.store import drain_leases as leases
from appwright.store import remotes as remote_store
from appwright.store.commits import Wire
from appwright.store.database import Database
from appwright.store.ids import now
from appwright.store.remotes import RemoteRecord

log = logging.getLogger(__name__)

StateChange = Callable[[AsyncConnection], Awaitable[list[Wire]]]
Delay = Callable[[GitError], Callable[[int], float | None]]


@dataclass
class DrainPass:
    settings: Settings
    db: Database
    bus: Bus
    metrics: Metrics
    policy: RemotePolicy
    seal: TokenSeal
    delay_for: Delay  # backoff in seconds per attempt, or None to wait for the vendor
    lease: leases.DrainLease
    lease_seconds: float
    repo: AppRepository

    @property
    def app_id(self) -> str:
        return self.lease.app_id

    async def run(self) -> None:
        app_id = self.app_id
        work = await self.db.read(lambda conn: commits.load_work(conn, app_id))
        pending = [i for i in work.items if i.commit_sha is None]
        committed = [i for i in work.items if i.commit_sha is not None]
        if not pending and not committed:
            return
        try:
            outcome = await bring_up_to_date(self.db, self.repo, app_id)
        except GitError as error:  # a history that does not rebuild as recorded
            head = (pending or committed)[0]
            await self._record(self._commit_failed(head, error), "failed")
            return
        if outcome != "current":
            self.metrics.repository_rebuilds.labels(outcome).inc()
        if pending:
            head = pending[0]
            if head.next_attempt_at <= now():
                await self._commit_all(pending, work.previous_sha)
            else:
                await self._fenced_run(
                    lambda conn: commits.hold_behind_failed_commit(conn, app_id, head)
                )
        await self._push_if_due()

    # -- committing ------------------------------------------------------------------------

    async def _commit_all(self, pending: list[commits.OutboxItem], previous: str | None) -> None:
        snapshots = Snapshots(self.db, self.repo, self.app_id, previous)
        for item in pending:
            try:
                files = await snapshots.at(item)
                sha = await self.repo.commit_as(files, meta_for(item), item.version_id)
                # Read back, not assumed: after a crash the tip may be an earlier writing.
                meta = (await self.repo.meta(sha)).to_json()
            except GitError as error:
                await self._record(self._commit_failed(item, error), "failed")
                return
            await self._record(self._committed(item, sha, meta), "committed")

    def _committed(self, item: commits.OutboxItem, sha: str, meta: dict[str, Any]) -> StateChange:
        async def change(conn: AsyncConnection) -> list[Wire]:
            return await commits.record_committed(conn, self.app_id, item.version_id, sha, meta)

        return change

    def _commit_failed(self, item: commits.OutboxItem, error: GitError) -> StateChange:
        payload, delay = _payload(error), self.delay_for(error)

        async def change(conn: AsyncConnection) -> list[Wire]:
            events, _at = await commits.record_commit_failed(
                conn, self.app_id, item.version_id, payload, delay
            )
            return events

        return change

    # -- pushing ---------------------------------------------------------------------------

    async def _push_if_due(self) -> None:
        app_id = self.app_id

        async def read(conn: AsyncConnection) -> tuple[commits.Work, RemoteRecord | None]:
            return await commits.load_work(conn, app_id), await remote_store.get_remote(
                conn, app_id
            )

        work, remote = await self.db.read(read)
        committed = [i for i in work.items if i.commit_sha is not None]
        if not committed:
            return
        if remote is None:
            await self._fenced_run(lambda conn: commits.drop_unpushable(conn, app_id))
            return
        if min(i.next_attempt_at for i in committed) > now():
            return
        ids = [i.version_id for i in committed]
        token = self.seal.open(app_id, remote.token)
        try:
            if remote.token and token is None:
                raise GitError(
                    "The stored token can no longer be read (the service's secret key "
                    "changed); set the remote's token again.",
                    code=AUTH_REFUSED,
                )
            await push(
                self.repo,
                remote.url,
                token,
                remote.branch,
                self.settings.timeout_git,
                policy=self.policy,
            )
        except GitError as error:
            change = self._push_failed(ids, remote, _payload(error, token), error)
            await self._record(change, "failed")
            return

        async def pushed(conn: AsyncConnection) -> list[Wire]:
            return await commits.record_pushed(conn, app_id, ids, remote.target)

        await self._record(pushed, "pushed")

    def _push_failed(
        self, ids: list[str], remote: RemoteRecord, payload: dict[str, str], error: GitError
    ) -> StateChange:
        delay = self.delay_for(error)

        async def change(conn: AsyncConnection) -> list[Wire]:
            events, _at = await commits.record_push_failed(
                conn, self.app_id, ids, payload, delay, remote.target
            )
            return events

        return change

    # -- recording, behind the lease's fence ------------------------------------------------

    async def _fenced_run(self, change: Callable[[AsyncConnection], Awaitable[Any]]) -> Any:
        async def fenced(conn: AsyncConnection) -> Any:
            await leases.hold(conn, self.lease, now() + timedelta(seconds=self.lease_seconds))
            return await change(conn)

        return await self.db.run(fenced)

    async def _record(self, change: StateChange, state: str) -> None:
        events = await self._fenced_run(change)
        if events:
            self.metrics.pushes.labels(state).inc(len(events))
            await self.bus.publish(event_log.app_log(self.app_id), events)


def _payload(error: GitError, token: str | None = None) -> dict[str, str]:
    message = error.message
    if token:  # the git layer scrubs already; this is belt and braces
        message = scrub(message, (token,))
    return {"code": error.code, "message": message}
