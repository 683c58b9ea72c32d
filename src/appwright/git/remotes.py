"""An app's git remote, as the vendor manages it: read, set, remove, push now.

The outbox worker (`git/outbox.py`) does the pushing; this service changes what it pushes
to, and with it the versions' commit states, in one transaction under the app's row lock
(`store/remotes.py`), then wakes the worker. Callers have checked the app is the vendor's.
Messages name no route or transport: the HTTP API, the CLI and tests all call this.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.errors import Conflict
from appwright.events import log as event_log
from appwright.events.bus import Bus
from appwright.git.outbox import GitOutbox
from appwright.git.policy import check_remote
from appwright.git.transport import parse_remote
from appwright.store import remotes as remote_store
from appwright.store.commits import Wire
from appwright.store.database import Database
from appwright.store.remotes import RemoteRecord
from appwright.store.versions import lock_app

log = logging.getLogger(__name__)


class RemoteService:
    def __init__(self, db: Database, bus: Bus, outbox: GitOutbox) -> None:
        self.db = db
        self.bus = bus
        self.outbox = outbox
        self._seal = outbox.seal  # tokens sealed here are opened there, with one key

    async def remote(self, app_id: str) -> RemoteRecord | None:
        return await self.db.read(lambda conn: remote_store.get_remote(conn, app_id))

    async def set_remote(
        self,
        app_id: str,
        url: str,
        *,
        branch: str | None = None,
        token: str | None = None,
        keep_token: bool = False,
    ) -> RemoteRecord:
        """Set the app's remote and queue the whole branch for it. `keep_token` (no token
        given) keeps the current token, but only for the same URL: a token is never sent to
        a host it was not given for."""
        # The worker's policy, so that what may be set and what may be reached never differ.
        policy = self.outbox.policy
        url, branch = check_remote(url, token, branch, policy=policy)
        await policy.check_reach(parse_remote(url, None))

        async def work(conn: AsyncConnection) -> tuple[RemoteRecord, list[Wire]]:
            await lock_app(conn, app_id)
            old = await remote_store.get_remote(conn, app_id)
            if keep_token:
                sealed = old.token if old is not None and old.url == url else None
            else:
                sealed = self._seal.seal(app_id, token) if token else None
            new = await remote_store.put_remote(conn, app_id, url=url, branch=branch, token=sealed)
            events = []
            if old is None or old.target != new.target:
                events = await remote_store.mark_pushed_as_committed(conn, app_id)
            await remote_store.make_unpushed_due(conn, app_id)
            return new, events

        record, events = await self.db.run(work)
        await self._publish(app_id, events)
        log.info("git remote set for app %s: %s (%s)", app_id, record.url, record.branch)
        self.outbox.wake()
        return record

    async def delete_remote(self, app_id: str) -> bool:
        async def work(conn: AsyncConnection) -> tuple[bool, list[Wire]]:
            await lock_app(conn, app_id)
            if not await remote_store.delete_remote(conn, app_id):
                return False, []
            return True, await remote_store.drop_push_work(conn, app_id)

        removed, events = await self.db.run(work)
        await self._publish(app_id, events)
        return removed

    async def push_now(self, app_id: str) -> dict[str, Any]:
        """Retry now whatever is not on the remote (backoffs and parks cleared), wait a
        while for that attempt, and summarise the app's commit states."""

        async def work(conn: AsyncConnection) -> RemoteRecord:
            await lock_app(conn, app_id)
            remote = await remote_store.get_remote(conn, app_id)
            if remote is None:
                raise Conflict("This app has no git remote: set one first.", code="no_remote")
            await remote_store.make_unpushed_due(conn, app_id)
            return remote

        remote = await self.db.run(work)
        finished = await self.outbox.drain_now(app_id)
        result = await self.db.read(lambda conn: remote_store.summary(conn, app_id))
        return {"remote": remote.to_json(), "in_progress": not finished, **result}

    async def _publish(self, app_id: str, events: list[Wire]) -> None:
        if events:
            await self.bus.publish(event_log.app_log(app_id), events)
