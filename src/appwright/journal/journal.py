"""Append in the caller's transaction, publish after the commit: written once, here.

    result = await journal.commit(work)

runs `work(tx)` in one database transaction (`Database.run`: retried from the start when the
connection failed). `work` does its store writes with `tx.conn` and appends the events they
make with `tx.append(log_name, events)`. Once the transaction has committed, every appended
event is published on the bus, log by log in append order; if it rolls back (an error, a
lease lost), nothing is published, so a live subscriber never sees an event that a reader of
the log could not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.events.bus import Bus
from appwright.events.types import Wire, _Event, to_wire
from appwright.store import logs
from appwright.store.database import Database

T = TypeVar("T")


class Transaction:
    """One attempt of a unit of work: its connection and what it appended."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.appended: dict[str, list[Wire]] = {}

    async def append(self, log_name: str, events: Sequence[_Event]) -> list[Wire]:
        """Appends `events` to `log_name` in this transaction; returns them with their seq."""
        wire = await logs.append(self.conn, log_name, [to_wire(e) for e in events])
        self.note(log_name, wire)
        return wire

    def note(self, log_name: str, wire: Sequence[Wire]) -> None:
        """Events already appended in this transaction by a store function (as
        `store/commits.py` still does), to be published with the rest."""
        if wire:
            self.appended.setdefault(log_name, []).extend(wire)


class Journal:
    def __init__(self, db: Database, bus: Bus) -> None:
        self.db = db
        self.bus = bus

    async def commit(self, work: Callable[[Transaction], Awaitable[T]], *, write: bool = True) -> T:
        async def unit(conn: AsyncConnection) -> tuple[T, dict[str, list[Wire]]]:
            tx = Transaction(conn)  # afresh on each attempt: a retry appends again
            return await work(tx), tx.appended

        result, appended = await self.db.run(unit, write=write)
        await self.publish(appended)
        return result

    async def publish(self, appended: dict[str, list[Wire]]) -> None:
        for log_name, wire in appended.items():
            if wire:
                await self.bus.publish(log_name, wire)

    async def read(
        self,
        log_name: str,
        after: int,
        limit: int | None = None,
        *,
        check: Callable[[AsyncConnection], Awaitable[Any]] | None = None,
    ) -> list[Wire]:
        """The log's events after `after`, in order: the one reader of a log for clients
        (HTTP and WebSocket). `check` (may this vendor read it?) runs first, in the same
        read, and raises to refuse."""

        async def work(conn: AsyncConnection) -> list[Wire]:
            if check is not None:
                await check(conn)
            return await logs.read(conn, log_name, after, limit)

        return await self.db.read(work)
