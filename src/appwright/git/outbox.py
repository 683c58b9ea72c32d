"""The git outbox worker: every version becomes one commit in its app's repository, in
version order, and reaches the app's remote when it has one.

The intent is durable: `write_version` inserts an outbox row in the version's own
transaction; this worker drains the rows (`store/commits.py`: states and backoff).

Scheduling: a supervisor task finds apps with due work and runs one drain task per app,
at most `concurrency` at once. Per app, not one global worker, so that a remote hanging
until the git timeout holds back only its own app; not per version, because an app's
commits are made one after the other. A drain is one pass: commit every pending version in
order, then push once (the branch carries them all). `wake()` (a version listener), each
finished drain and a periodic rescan (for other processes' versions) start the next pass.

Exclusion: two drains of one app never interleave, in this process or another sharing the
data dir (`serve` workers, CLI commands): each holds an exclusive `flock` on
`repos/<app>.lock`, which the kernel drops if the process dies (no lease to expire).

No transaction is held across git work: read, do the git step, then record the outcome and
its `commit.updated` events in one short transaction, published after it commits. Git steps
are idempotent per version, so a crash between the two is harmless.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.config import Settings
from appwright.errors import Conflict, InvalidInput
from appwright.events import log as event_log
from appwright.events.bus import Bus
from appwright.git.errors import AUTH_REFUSED, GitError
from appwright.git.policy import TokenSeal, check_remote, commit_message, secret_key_of
from appwright.git.reach import RemotePolicy
from appwright.git.remote import push
from appwright.git.repository import AppRepository
from appwright.git.snapshots import Snapshots
from appwright.git.transport import parse_remote, scrub
from appwright.ops.metrics import Metrics
from appwright.store import commits
from appwright.store import remotes as remote_store
from appwright.store.database import Database
from appwright.store.ids import now
from appwright.store.remotes import RemoteRecord
from appwright.store.versions import lock_app

log = logging.getLogger(__name__)

Wire = dict[str, Any]
Work = Callable[[AsyncConnection], Awaitable[list[Wire]]]
_APP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class GitOutbox:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        bus: Bus,
        metrics: Metrics,
        *,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        concurrency: int = 4,
        poll_interval: float = 30.0,
        push_wait: float | None = None,
        policy: RemotePolicy | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.metrics = metrics
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        # How long POST /push waits for its drain before answering with the state so far.
        self.push_wait = push_wait if push_wait is not None else 2 * settings.timeout_git + 5
        self.repos_dir = Path(settings.data_dir) / "repos"
        # What remotes may reach: checked when one is set, and on every connection.
        self.policy = policy or RemotePolicy.from_settings(settings)
        self._seal = TokenSeal(secret_key or secret_key_of(settings))
        self._slots = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cooldown: dict[str, float] = {}  # app -> monotonic time its drain may rerun
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        resumed = await self.db.run(commits.resume_backoffs)
        if resumed:
            log.info("git outbox: %d backing-off entries made due at start", resumed)
        self._supervisor = asyncio.create_task(self._supervise(), name="git-outbox")

    async def stop(self) -> None:
        """Cancel the work in flight; the rows stay, and the next start resumes them."""
        self._stopping = True
        running = [t for t in (self._supervisor, *self._tasks.values()) if t is not None]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._supervisor = None
        self._tasks.clear()

    def wake(self, written: object = None) -> None:
        """New work may exist (a version listener: `workspace.on_version(outbox.wake)`)."""
        self._wakeup.set()

    def repository(self, app_id: str) -> AppRepository:
        if not _APP_ID.match(app_id):  # ids are ours, but this one becomes a path
            raise InvalidInput("Not an app id.", code="invalid_app_id")
        return AppRepository(self.repos_dir / f"{app_id}.git", timeout=self.settings.timeout_git)

    # -- the vendor's actions (callers have checked the app is theirs) ---------------------

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
        """Set the app's remote and queue the whole branch for it. `keep_token` (the
        request had no `token`) keeps the current token, but only for the same URL: a
        token is never sent to a host it was not given for."""
        url, branch = check_remote(url, token, branch, policy=self.policy)
        await self.policy.check_reach(parse_remote(url, None))

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
                events = await remote_store.unpush(conn, app_id)
            await remote_store.arm(conn, app_id)
            return new, events

        record, events = await self.db.run(work)
        await self._publish(app_id, events)
        log.info("git remote set for app %s: %s (%s)", app_id, record.url, record.branch)
        self.wake()
        return record

    async def delete_remote(self, app_id: str) -> bool:
        async def work(conn: AsyncConnection) -> tuple[bool, list[Wire]]:
            await lock_app(conn, app_id)
            if not await remote_store.delete_remote(conn, app_id):
                return False, []
            return True, await remote_store.forget_pushes(conn, app_id)

        removed, events = await self.db.run(work)
        await self._publish(app_id, events)
        return removed

    async def push_now(self, app_id: str) -> dict[str, Any]:
        """Retry now whatever is not on the remote (backoffs and parks cleared), wait up to
        `push_wait` for that attempt, and summarise the app's commit states."""

        async def work(conn: AsyncConnection) -> RemoteRecord:
            await lock_app(conn, app_id)
            remote = await remote_store.get_remote(conn, app_id)
            if remote is None:
                raise Conflict(
                    "This app has no git remote: set one with PUT /api/apps/{app}/remote.",
                    code="no_remote",
                )
            await remote_store.arm(conn, app_id)
            return remote

        remote = await self.db.run(work)
        finished = await self._run_now(app_id)
        result = await self.db.read(lambda conn: remote_store.summary(conn, app_id))
        return {"remote": remote.to_json(), "in_progress": not finished, **result}

    # -- scheduling ------------------------------------------------------------------------

    async def _supervise(self) -> None:
        while True:
            self._wakeup.clear()
            wait = self.poll_interval
            try:
                due = await self.db.read(commits.due_apps)
            except Exception as error:  # the store is down: look again soon
                log.warning("git outbox: scan failed (%s)", type(error).__name__)
                due, wait = {}, min(wait, max(self.backoff_base, 1.0))
            current, mono = now(), time.monotonic()
            for app_id in [a for a, until in self._cooldown.items() if until <= mono]:
                del self._cooldown[app_id]
            for app_id, at in due.items():
                if app_id in self._tasks:
                    continue  # its completion triggers another scan
                if app_id in self._cooldown:
                    wait = min(wait, self._cooldown[app_id] - mono)
                    continue
                delay = (at - current).total_seconds()
                if delay <= 0:
                    self._spawn(app_id)
                else:
                    wait = min(wait, delay)
            try:
                async with asyncio.timeout(max(wait, 0.01)):
                    await self._wakeup.wait()
            except TimeoutError:
                pass

    def _spawn(self, app_id: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self._drain(app_id), name=f"git-outbox:{app_id}")
        self._tasks[app_id] = task
        task.add_done_callback(lambda t: self._finished(app_id, t))
        return task

    def _finished(self, app_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(app_id) is task:
            del self._tasks[app_id]
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            # Not a git failure (those are recorded as states): most likely the store.
            # Cool down so a persistent fault cannot turn into a busy loop.
            log.warning("git outbox: drain of app %s failed (%s)", app_id, type(error).__name__)
            self._cooldown[app_id] = time.monotonic() + max(self.backoff_base, 1.0)
        self._wakeup.set()

    async def _run_now(self, app_id: str) -> bool:
        """Run a drain of `app_id` that starts after this call; True if it finished."""
        if self._stopping:
            return False
        deadline = asyncio.get_running_loop().time() + self.push_wait
        self._cooldown.pop(app_id, None)
        current = self._tasks.get(app_id)
        if current is not None:  # it may have read the rows before they were re-armed
            await asyncio.wait({current}, timeout=self.push_wait)
            if not current.done():
                return False
        task = self._tasks.get(app_id) or self._spawn(app_id)
        left = deadline - asyncio.get_running_loop().time()
        done, _ = await asyncio.wait({task}, timeout=max(left, 0.01))
        return bool(done)

    @asynccontextmanager
    async def _exclusive(self, app_id: str) -> AsyncIterator[None]:
        self.repos_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.repos_dir / f"{app_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:  # another process is draining this app
                    await asyncio.sleep(0.1)
            yield
        finally:
            os.close(fd)  # releases the lock

    # -- one pass over one app -------------------------------------------------------------

    async def _drain(self, app_id: str) -> None:
        async with self._exclusive(app_id), self._slots:
            repo = self.repository(app_id)
            work = await self.db.read(lambda conn: commits.load_work(conn, app_id))
            pending = [i for i in work.items if i.commit_sha is None]
            if pending:
                head = pending[0]
                if head.next_attempt_at <= now():
                    await self._commit_all(repo, app_id, pending, work.previous_sha)
                else:
                    await self.db.run(lambda conn: commits.align_pending(conn, app_id, head))
            await self._push_if_due(repo, app_id)

    async def _commit_all(
        self,
        repo: AppRepository,
        app_id: str,
        pending: list[commits.OutboxItem],
        previous_sha: str | None,
    ) -> None:
        snapshots = Snapshots(self.db, repo, app_id, previous_sha)
        for item in pending:
            try:
                files = await snapshots.at(item)
                sha = await repo.commit(
                    files,
                    commit_message(item.source, item.message, item.paths),
                    item.author_name or item.author_id,
                    f"{item.author_id}@vendors.appwright",
                    item.version_id,
                    when=item.created_at.timestamp(),
                )
            except GitError as error:
                await self._record(app_id, self._commit_failed(app_id, item, error), "failed")
                return
            await self._record(app_id, self._committed(app_id, item, sha), "committed")

    def _committed(self, app_id: str, item: commits.OutboxItem, sha: str) -> Work:
        async def work(conn: AsyncConnection) -> list[Wire]:
            return await commits.record_committed(conn, app_id, item.version_id, sha)

        return work

    def _commit_failed(self, app_id: str, item: commits.OutboxItem, error: GitError) -> Work:
        payload, delay = _payload(error), self._delay_for(error)

        async def work(conn: AsyncConnection) -> list[Wire]:
            events, _at = await commits.record_commit_failed(
                conn, app_id, item.version_id, payload, delay
            )
            return events

        return work

    async def _push_if_due(self, repo: AppRepository, app_id: str) -> None:
        async def read(conn: AsyncConnection) -> tuple[commits.Work, RemoteRecord | None]:
            return await commits.load_work(conn, app_id), await remote_store.get_remote(
                conn, app_id
            )

        work, remote = await self.db.read(read)
        committed = [i for i in work.items if i.commit_sha is not None]
        if not committed:
            return
        if remote is None:
            await self.db.run(lambda conn: commits.drop_unpushable(conn, app_id))
            return
        if min(i.next_attempt_at for i in committed) > now():
            return
        ids = [i.version_id for i in committed]
        token = self._seal.open(app_id, remote.token)
        try:
            if remote.token and token is None:
                raise GitError(
                    "The stored token can no longer be read (the service's secret key "
                    "changed); set it again with PUT /api/apps/{app}/remote.",
                    code=AUTH_REFUSED,
                )
            await push(
                repo,
                remote.url,
                token,
                remote.branch,
                self.settings.timeout_git,
                policy=self.policy,
            )
        except GitError as error:
            payload = _payload(error, token)
            await self._record(
                app_id, self._push_failed(app_id, ids, remote, payload, error), "failed"
            )
            return

        async def pushed(conn: AsyncConnection) -> list[Wire]:
            return await commits.record_pushed(conn, app_id, ids, remote.target)

        await self._record(app_id, pushed, "pushed")

    def _push_failed(
        self,
        app_id: str,
        ids: list[str],
        remote: RemoteRecord,
        payload: dict[str, str],
        error: GitError,
    ) -> Work:
        delay = self._delay_for(error)

        async def work(conn: AsyncConnection) -> list[Wire]:
            events, _at = await commits.record_push_failed(
                conn, app_id, ids, payload, delay, remote.target
            )
            return events

        return work

    # -- helpers ---------------------------------------------------------------------------

    def _delay_for(self, error: GitError) -> Callable[[int], float | None]:
        # Parked (None) unless waiting can help: a refused token, a diverged remote or a
        # path git cannot hold stays wrong until someone changes something.
        return self.backoff if error.retryable else (lambda _attempts: None)

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt `attempts + 1`: exponential, capped, with jitter so apps
        sharing a dead remote do not retry in lockstep."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))
        return ceiling * random.uniform(0.5, 1.0)

    async def _record(self, app_id: str, work: Work, state: str) -> None:
        events = await self.db.run(work)
        if events:
            self.metrics.pushes.labels(state).inc(len(events))
        await self._publish(app_id, events)

    async def _publish(self, app_id: str, events: list[Wire]) -> None:
        if events:
            await self.bus.publish(event_log.app_log(app_id), events)


def _payload(error: GitError, token: str | None = None) -> dict[str, str]:
    message = error.message
    if token:  # the git layer scrubs already; this is belt and braces
        message = scrub(message, (token,))
    return {"code": error.code, "message": message}
