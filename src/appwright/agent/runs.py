"""Runs as a service: starting each run as a task (executed by `execution.RunExecutor`),
cancelling, keeping leases, and taking over runs whose process died. (Sessions and the
messages that start runs: `sessions.py`.)

Ownership: the process running a run holds a lease on it (`store/leases.py`), renewed by a
heartbeat. A process that finds a running run whose lease has expired takes it over: it
claims the run and repairs its log in one transaction, then resumes it from its last
completed turn (`takeover.py`); a run taken over too often ends `failed` with
`server_restarted`. Every write of a run is fenced by its lease, so a process that was only
paused and lost its lease writes nothing more for the run; the heartbeat (or its first
refused write) tells it, and it lets the run go. A cancel for a run owned elsewhere is
recorded in the run's row and announced on the bus; the owner stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from appwright.agent import takeover
from appwright.agent.execution import RunExecutor, RunHandle
from appwright.agent.journal import RunJournal
from appwright.agent.loop import RunState
from appwright.config import Settings
from appwright.journal.journal import Transaction
from appwright.log_names import CONTROL_LOG
from appwright.models.base import ModelClient
from appwright.ops.metrics import Metrics
from appwright.search.base import SearchProvider
from appwright.store import leases
from appwright.store import sessions as session_store
from appwright.store.ids import now
from appwright.workspace import Workspace

log = logging.getLogger(__name__)


class Runs:
    def __init__(
        self,
        settings: Settings,
        workspace: Workspace,
        model: ModelClient | None,
        search: SearchProvider,
        metrics: Metrics,
        *,
        lease_seconds: float = 10.0,
        heartbeat_seconds: float = 2.0,
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.db = workspace.db
        self.bus = workspace.bus
        self.journal = workspace.journal
        self.model = model
        self.search = search
        self.metrics = metrics
        self.instance = f"proc_{uuid.uuid4().hex[:12]}"
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.active: dict[str, RunHandle] = {}
        self.executor = RunExecutor(
            settings,
            workspace,
            model,
            search,
            metrics,
            on_done=self._forget,
        )
        self._maintenance: asyncio.Task[None] | None = None
        self._control: asyncio.Task[None] | None = None
        # Maintenance is asked to stop between steps, never cancelled inside a database call
        # (a query interrupted half-way can leave its pooled connection unusable).
        self._stopping = asyncio.Event()

    def _forget(self, run_id: str) -> None:
        self.active.pop(run_id, None)

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._maintenance = asyncio.create_task(self._maintain(), name="runs:maintenance")
        self._control = asyncio.create_task(self._listen_for_control(), name="runs:control")

    async def _listen_for_control(self) -> None:
        while True:
            try:
                async with self.bus.subscribe(CONTROL_LOG) as subscription:
                    while True:
                        self.on_control(await subscription.get())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("control channel failed; resubscribing")
                await asyncio.sleep(1)

    async def stop(self) -> None:
        self._stopping.set()
        if self._maintenance is not None:
            await self._maintenance
        if self._control is not None:
            self._control.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._control
        handles = list(self.active.values())
        for handle in handles:
            handle.detached = True
            handle.stop("cancelled")
        tasks = [h.task for h in handles if h.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=5)

    # --- cancelling ----------------------------------------------------------------------------

    async def cancel(self, vendor_id: str | None, session_id: str) -> str | None:
        """Cancel the session's active run, wherever it runs; the id of the run, if any."""

        async def work(conn: Any) -> session_store.RunRecord | None:
            await session_store.get_session(conn, session_id, vendor_id)
            run = await session_store.active_run(conn, session_id)
            if run is not None:
                await session_store.update_run(conn, run.id, cancel_requested=True)
            return run

        run = await self.db.run(work)
        if run is None:
            return None
        handle = self.active.get(run.id)
        if handle is not None:
            handle.stop("cancelled")
        else:
            await self.bus.publish(CONTROL_LOG, [{"type": "cancel", "run_id": run.id}])
        return run.id

    def on_control(self, message: dict[str, Any]) -> None:
        if message.get("type") == "cancel":
            handle = self.active.get(str(message.get("run_id")))
            if handle is not None:
                handle.stop("cancelled")

    # --- running ----------------------------------------------------------------------------

    def lease_deadline(self) -> datetime:
        return now() + timedelta(seconds=self.lease_seconds)

    def launch(
        self,
        run: session_store.RunRecord,
        session: session_store.SessionRecord,
        lease: leases.Lease,
    ) -> RunHandle:
        handle = RunHandle(
            run_id=run.id,
            session_id=session.id,
            app_id=session.app_id,
            vendor_id=session.vendor_id,
            text=run.text,
            state=RunState(
                run_id=run.id, conversation=[], turn=run.turns, edited_paths=list(run.edited_paths)
            ),
            journal=RunJournal(
                self.db, self.bus, session.id, lease, lease_seconds=self.lease_seconds
            ),
        )
        handle.journal.start()
        self.active[run.id] = handle
        handle.task = asyncio.create_task(self.executor.execute(handle), name=f"run:{run.id}")
        return handle

    # --- leases and recovery ------------------------------------------------------------------

    async def _maintain(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._heartbeat()
                await self._recover_orphans()
            except Exception:
                log.exception("run maintenance failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.heartbeat_seconds)

    async def _heartbeat(self) -> None:
        if not self.active:
            return
        held = [handle.journal.lease for handle in self.active.values()]

        async def work(conn: Any) -> leases.Renewal:
            return await leases.renew(conn, held, self.lease_deadline())

        renewal = await self.db.run(work)
        for run_id in renewal.lost:
            handle = self.active.get(run_id)
            if handle is not None:
                handle.lose()
        for run_id in renewal.cancel_requested:
            handle = self.active.get(run_id)
            if handle is not None:
                handle.stop("cancelled")

    async def _recover_orphans(self) -> None:
        orphans = await self.db.read(
            lambda conn: leases.expired(conn, now(), exclude=list(self.active))
        )
        for run_id in orphans:
            if self._stopping.is_set():
                return
            taken = await self.journal.commit(partial(self._take_over, run_id=run_id))
            if taken is None:
                continue
            log.warning(
                "took over a run whose process stopped",
                extra={"resumed_run": run_id, "resumed": taken.resumed},
            )
            self.metrics.takeovers.labels("resumed" if taken.resumed else "ended").inc()
            handle = self.launch(taken.run, taken.session, taken.lease)
            handle.abandoned = taken.abandoned
            if taken.run.cancel_requested:
                handle.stop("cancelled")

    async def _take_over(self, tx: Transaction, *, run_id: str) -> takeover.Takeover | None:
        return await takeover.take_over(tx, run_id, self.instance, now(), self.lease_deadline())
