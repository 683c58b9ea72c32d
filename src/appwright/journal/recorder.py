"""A run's event recorder: `emit` is synchronous and never blocks; a writer task appends
the events to the session log in emit order (a batch per transaction, adjacent text deltas
merged) through the journal, which publishes each batch once it is committed.

Synchronous `emit` is what lets the run loop report a tool's end from inside cancellation
without any chance of the report itself being cancelled half-way.

A `guard` runs first in every transaction the recorder makes (the run's lease fence,
`store/leases.py`). Once it raises `LeaseLost`, the recorder has lost the right to write:
it drops what is pending and everything emitted afterwards, and `commit_with` raises.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from appwright.errors import LeaseLost
from appwright.events.types import TextDelta, Wire, _Event
from appwright.journal.journal import Journal, Transaction

log = logging.getLogger(__name__)
MAX_BATCH = 200
Guard = Callable[[Any], Awaitable[None]]


def merge_text_deltas(events: list[_Event]) -> list[_Event]:
    merged: list[_Event] = []
    for event in events:
        last = merged[-1] if merged else None
        if (
            isinstance(event, TextDelta)
            and isinstance(last, TextDelta)
            and last.run_id == event.run_id
        ):
            merged[-1] = last.model_copy(update={"text": last.text + event.text})
        else:
            merged.append(event)
    return merged


class Recorder:
    def __init__(
        self,
        journal: Journal,
        log_name: str,
        *,
        retry_delay: float = 0.5,
        guard: Guard | None = None,
    ) -> None:
        self.journal = journal
        self.log_name = log_name
        self.retry_delay = retry_delay
        self.guard = guard
        self.lost = False
        self._pending: list[_Event] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._write_forever(), name=f"recorder:{self.log_name}")

    def emit(self, event: _Event) -> None:
        if self.lost:
            return
        self._pending.append(event)
        self._idle.clear()
        self._wake.set()

    async def flush(self) -> None:
        await self._idle.wait()

    async def commit_with(self, work: Callable[[Any], Awaitable[list[_Event]]]) -> list[Wire]:
        """Flush, then run `work(conn)` and append the events it returns in the same
        transaction (for the last event of a run, written with the run's final state)."""
        await self.flush()
        if self.lost:
            raise LeaseLost(f"{self.log_name} may no longer be written by this process.")

        async def unit(tx: Transaction) -> list[Wire]:
            await self._guard(tx.conn)
            return await tx.append(self.log_name, await work(tx.conn))

        try:
            return await self.journal.commit(unit)
        except LeaseLost:
            self._lose()
            raise

    async def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task

    def _appender(self, events: list[_Event]) -> Callable[[Transaction], Awaitable[None]]:
        async def append(tx: Transaction) -> None:
            await self._guard(tx.conn)
            await tx.append(self.log_name, events)

        return append

    async def _guard(self, conn: Any) -> None:
        if self.guard is not None:
            await self.guard(conn)

    def _lose(self) -> None:
        self.lost = True
        self._pending.clear()

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[:MAX_BATCH]
                merged = merge_text_deltas(batch)
                try:
                    await self.journal.commit(self._appender(merged))
                except LeaseLost:
                    self._lose()
                    break
                except Exception:
                    log.exception("could not record events; retrying")
                    await asyncio.sleep(self.retry_delay)
                    continue
                del self._pending[: len(batch)]
            self._idle.set()
            if self._closing:
                return
