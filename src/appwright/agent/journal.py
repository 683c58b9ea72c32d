"""A run's journal: everything a run makes durable, each write fenced by the run's lease.

What a run writes: its events (through the recorder), its finished turns, the open turn its
edits record (`open_turn.py`), its condensed conversation, its end (`run.finished`), and,
when the process shuts down, the release of its lease (its model calls' usage is recorded
outside: a call made is spent, whichever process holds the run). Every one of
these transactions starts with the lease fence (`store/leases.py`); the first one refused
(`LeaseLost`: another process took the run over while this one was paused) calls
`on_lost`, and from then on the journal writes nothing: the run stops here without a word
and its new owner ends it.

Ordering: a turn is saved, and the run ended, only after every event emitted before it is
in the log (`Recorder.commit_with` flushes first). So a process that takes the run over
finds a log at least as far along as the conversation it resumes from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from appwright.agent.edited_paths import add_edited
from appwright.agent.open_turn import OpenTurn
from appwright.agent.parallel import EditBatch
from appwright.errors import LeaseLost
from appwright.events.bus import Bus
from appwright.events.mapping import run_usage
from appwright.events.types import ErrorInfo, RunFinished, RunStatus, _Event
from appwright.journal.journal import Journal
from appwright.journal.recorder import Recorder
from appwright.log_names import session_log
from appwright.models.types import Message
from appwright.store import leases
from appwright.store import sessions as session_store
from appwright.store import usage as usage_store
from appwright.store.database import Database
from appwright.store.ids import now

T = TypeVar("T")


class RunJournal:
    def __init__(
        self,
        db: Database,
        bus: Bus,
        session_id: str,
        lease: leases.Lease,
        *,
        lease_seconds: float,
    ) -> None:
        self.db = db
        self.session_id = session_id
        self.lease = lease
        self.lease_seconds = lease_seconds
        self.on_lost: Callable[[], None] = lambda: None
        self.lost = False
        self.recorder = Recorder(Journal(db, bus), session_log(session_id), guard=self.hold)

    @property
    def run_id(self) -> str:
        return self.lease.run_id

    def start(self) -> None:
        self.recorder.start()

    def emit(self, event: _Event) -> None:
        self.recorder.emit(event)

    async def flush(self) -> None:
        await self.recorder.flush()

    async def close(self) -> None:
        await self.recorder.close()

    async def hold(self, conn: Any) -> None:
        """The fence, run first in each of the run's transactions (it extends the lease)."""
        try:
            await leases.hold(conn, self.lease, now() + timedelta(seconds=self.lease_seconds))
        except LeaseLost:
            self.lost = True
            self.on_lost()
            raise

    async def write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Any other write of the run (a condensed conversation), behind the fence."""

        async def fenced(conn: Any) -> T:
            await self.hold(conn)
            return await work(conn)

        return await self.db.run(fenced)

    async def save_turn(
        self, turn: int, messages: Sequence[Message], edited_paths: list[str]
    ) -> None:
        async def work(conn: Any) -> list[_Event]:
            await session_store.append_messages(conn, self.session_id, self.run_id, messages)
            await session_store.update_run(
                conn, self.run_id, turns=turn, edited_paths=edited_paths, open_turn=None
            )
            return []

        await self.recorder.commit_with(work)

    async def open_turn(self, conn: Any) -> OpenTurn | None:
        run = await session_store.get_run(conn, self.run_id)
        return OpenTurn.from_json(run.open_turn) if run.open_turn else None

    async def landed(self, turn: int) -> EditBatch | None:
        """The edits of `turn`, if a write of them committed."""
        recorded = await self.db.read(self.open_turn)
        return recorded.edits if recorded is not None and recorded.turn == turn else None

    async def record_open_turn(self, conn: Any, open_turn: OpenTurn) -> None:
        """Inside the edit's transaction (after `hold`): the turn is open until saved."""
        run = await session_store.get_run(conn, self.run_id)
        edited = add_edited(list(run.edited_paths), open_turn.edits.changed)
        await session_store.update_run(
            conn, self.run_id, open_turn=open_turn.to_json(), edited_paths=edited
        )

    async def finish(
        self,
        status: RunStatus,
        error: ErrorInfo | None,
        edited: list[str],
        *,
        on_first: Callable[[], None],
    ) -> bool:
        """Ends the run with its one `run.finished`; False when this process may no longer
        (or the run already ended). `on_first` runs once, just before the end is committed."""
        counted = False

        async def work(conn: Any) -> list[_Event]:
            nonlocal counted
            first = await session_store.finish_run(
                conn, self.run_id, status, error.model_dump() if error else None, edited
            )
            if not first:
                return []
            if not counted:
                counted = True
                on_first()
            totals = await usage_store.run_totals(conn, self.run_id)
            return [
                RunFinished(
                    status=status,
                    error=error,
                    edited_paths=edited,
                    usage=run_usage(totals.usage, totals.cost_usd),
                    run_id=self.run_id,
                )
            ]

        try:
            return bool(await self.recorder.commit_with(work))
        except LeaseLost:
            return False

    async def hand_over(self) -> None:
        """Shutting down: leave the run running, unowned, for the next process to resume."""
        await self.recorder.flush()
        await self.db.run(lambda conn: leases.release(conn, self.lease))
