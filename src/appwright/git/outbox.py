"""The git outbox worker: every version becomes one commit in its app's repository, in
version order, and reaches the app's remote when it has one.

The intent is durable: `write_version` inserts an outbox row in the version's own
transaction; this worker drains the rows (`store/commits.py`: states and backoff; one
pass is `git/drain.py`). What the vendor changes about the remote is `git/remotes.py`.

Scheduling: a supervisor task finds apps with due work and runs one drain task per app,
at most `concurrency` at once. Per app, not one global worker, so that a remote hanging
until the git timeout holds back only its own app; not per version, because an app's
commits are made one after the other. `wake()` (a version listener), each finished drain
and a periodic rescan (for other processes' versions) start the next pass.

Exclusion across processes and machines: a drain first claims the app's lease in the
database (`store/drain_leases.py`), renews it while it works and releases it when done. An
app leased to another process is left to it: that process rescans when its pass ends, so
work written meanwhile is not forgotten, and if it died, its lease runs out after
`git_lease_seconds` and this process takes the app over, rebuilding the repository from the
database if this disk does not have it (`git/history.py`). The repository on disk is a
cache: a fresh machine, or a lost data dir, costs a rebuild, never a forced push.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from appwright.config import Settings
from appwright.errors import InvalidInput, LeaseLost
from appwright.events.bus import Bus
from appwright.git.drain import DrainPass
from appwright.git.errors import GitError
from appwright.git.policy import TokenSeal, secret_key_of
from appwright.git.reach import RemotePolicy
from appwright.git.repository import AppRepository
from appwright.ops.metrics import Metrics
from appwright.store import commits
from appwright.store import drain_leases as leases
from appwright.store.database import Database
from appwright.store.ids import now

log = logging.getLogger(__name__)

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
        lease_seconds: float | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.metrics = metrics
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        # How long "push now" waits for its drain before answering with the state so far.
        self.push_wait = push_wait if push_wait is not None else 2 * settings.timeout_git + 5
        self.lease_seconds = lease_seconds or settings.git_lease_seconds
        # Names the machine and process, for an operator reading `drain_leases`.
        self.instance = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.repos_dir = Path(settings.data_dir) / "repos"
        # What remotes may reach: checked when one is set, and on every connection.
        self.policy = policy or RemotePolicy.from_settings(settings)
        self.seal = TokenSeal(secret_key or secret_key_of(settings))
        self._slots = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[bool]] = {}
        self._cooldown: dict[str, float] = {}  # app -> monotonic time its drain may rerun
        self._elsewhere: dict[str, float] = {}  # app -> when another process's lease ends
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
        """Cancel the work in flight; the rows stay, and the next start (or another
        process, once the leases are released or run out) resumes them."""
        self._stopping = True
        running = [t for t in (self._supervisor, *self._tasks.values()) if t is not None]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._supervisor = None
        self._tasks.clear()

    def wake(self, written: object = None) -> None:
        """New work may exist (a version listener: `workspace.on_version(outbox.wake)`).
        An app another process was draining may be free again by now: look again."""
        self._elsewhere.clear()
        self._wakeup.set()

    def repository(self, app_id: str) -> AppRepository:
        if not _APP_ID.match(app_id):  # ids are ours, but this one becomes a path
            raise InvalidInput("Not an app id.", code="invalid_app_id")
        return AppRepository(self.repos_dir / f"{app_id}.git", timeout=self.settings.timeout_git)

    async def drain_now(self, app_id: str) -> bool:
        """Run a drain of `app_id` that starts after this call, waiting for another
        process's pass to end first; True if it finished within `push_wait`."""
        if self._stopping:
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.push_wait
        current = self._tasks.get(app_id)
        if current is not None:  # it may have read the rows before they were made due
            await asyncio.wait({current}, timeout=self.push_wait)
            if not current.done():
                return False
        while True:
            self._cooldown.pop(app_id, None)
            self._elsewhere.pop(app_id, None)
            task = self._tasks.get(app_id) or self._spawn(app_id)
            done, _ = await asyncio.wait({task}, timeout=max(deadline - loop.time(), 0.01))
            if not done:
                return False
            if task.cancelled() or task.exception() is not None or task.result():
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.1)  # another process's pass: it ends soon

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
            for waiting in (self._cooldown, self._elsewhere):
                for app_id in [a for a, until in waiting.items() if until <= mono]:
                    del waiting[app_id]
            for app_id, at in due.items():
                if app_id in self._tasks:
                    continue  # its completion triggers another scan
                held = self._cooldown.get(app_id) or self._elsewhere.get(app_id)
                if held is not None:
                    wait = min(wait, held - mono)
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

    def _spawn(self, app_id: str) -> asyncio.Task[bool]:
        task = asyncio.create_task(self._drain(app_id), name=f"git-outbox:{app_id}")
        self._tasks[app_id] = task
        task.add_done_callback(lambda t: self._finished(app_id, t))
        return task

    def _finished(self, app_id: str, task: asyncio.Task[bool]) -> None:
        if self._tasks.get(app_id) is task:
            del self._tasks[app_id]
        error = None if task.cancelled() else task.exception()
        if isinstance(error, LeaseLost):
            log.info("git outbox: app %s was taken over by another process", app_id)
        elif error is not None:
            # Not a git failure (those are recorded as states): most likely the store.
            # Cool down so a persistent fault cannot turn into a busy loop.
            log.warning("git outbox: drain of app %s failed (%s)", app_id, type(error).__name__)
            self._cooldown[app_id] = time.monotonic() + max(self.backoff_base, 1.0)
        self._wakeup.set()

    # -- one pass, under the app's lease ---------------------------------------------------

    async def _drain(self, app_id: str) -> bool:
        """One pass over the app; False if another process holds its lease."""
        async with self._slots:
            claimed = await self.db.run(
                lambda conn: leases.claim(conn, app_id, self.instance, now(), self._until())
            )
            if isinstance(claimed, datetime):
                left = (claimed - now()).total_seconds()
                self._elsewhere[app_id] = time.monotonic() + min(
                    max(left, 0.05), self.lease_seconds
                )
                return False
            me = asyncio.current_task()
            keeper = asyncio.create_task(self._keep(claimed, me), name=f"git-lease:{app_id}")
            try:
                await DrainPass(
                    settings=self.settings,
                    db=self.db,
                    bus=self.bus,
                    metrics=self.metrics,
                    policy=self.policy,
                    seal=self.seal,
                    delay_for=self._delay_for,
                    lease=claimed,
                    lease_seconds=self.lease_seconds,
                    repo=self.repository(app_id),
                ).run()
            finally:
                keeper.cancel()
                await asyncio.gather(keeper, return_exceptions=True)
                await self._release(claimed)
            return True

    def _until(self) -> datetime:
        return now() + timedelta(seconds=self.lease_seconds)

    async def _keep(self, lease: leases.DrainLease, drain: asyncio.Task[object] | None) -> None:
        """Renew the lease while the pass runs; stop the pass if it was lost."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self.db.run(lambda conn: leases.hold(conn, lease, self._until()))
            except LeaseLost:
                log.warning("git outbox: lost the lease of app %s; stopping", lease.app_id)
                if drain is not None:
                    drain.cancel()
                return
            except Exception as error:  # the store: the fence still guards every write
                log.warning("git outbox: lease renewal failed (%s)", type(error).__name__)

    async def _release(self, lease: leases.DrainLease) -> None:
        try:
            await asyncio.shield(self.db.run(lambda conn: leases.release(conn, lease)))
        except Exception as error:  # it runs out on its own
            log.warning("git outbox: lease release failed (%s)", type(error).__name__)

    # -- backoff ---------------------------------------------------------------------------

    def _delay_for(self, error: GitError) -> Callable[[int], float | None]:
        # Parked (None) unless waiting can help: a refused token, a diverged remote or a
        # path git cannot hold stays wrong until someone changes something.
        return self.backoff if error.retryable else (lambda _attempts: None)

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt `attempts + 1`: exponential, capped, with jitter so apps
        sharing a dead remote do not retry in lockstep."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))
        return ceiling * random.uniform(0.5, 1.0)
