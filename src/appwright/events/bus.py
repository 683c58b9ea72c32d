"""Fan-out of freshly committed events to live subscribers.

The bus is a hint, the log is the truth: a subscriber that misses something (its queue
overflowed, a message was lost between processes) notices a `seq` gap or an overflow and
re-reads the log. So `publish` never waits on a subscriber: each has its own bounded queue,
and a full queue marks that subscriber as overflowed instead of blocking the publisher.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

Wire = dict[str, Any]


class Overflow(Exception):
    """The subscriber fell too far behind; it must resume from the log."""


class Resync(Exception):
    """Events may have been lost upstream (the bus reconnected): re-read the log."""


class Subscription:
    def __init__(self, log: str, maxsize: int) -> None:
        self.log = log
        self._queue: asyncio.Queue[Wire] = asyncio.Queue(maxsize=maxsize)
        self._overflowed = asyncio.Event()
        self._full = asyncio.Event()
        self._resync = False

    def offer(self, event: Wire) -> None:
        if self._overflowed.is_set():
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self._full.set()
            self._overflowed.set()

    def request_resync(self) -> None:
        self._resync = True
        self._overflowed.set()

    async def get(self) -> Wire:
        """The next event; raises Overflow once the queue has overflowed and drained, or
        Resync when the bus may have lost events (the subscription stays usable)."""
        if self._queue.empty() and self._overflowed.is_set():
            self._raise_interruption()
        if not self._queue.empty():
            return self._queue.get_nowait()
        getter = asyncio.ensure_future(self._queue.get())
        overflow = asyncio.ensure_future(self._overflowed.wait())
        try:
            done, _ = await asyncio.wait({getter, overflow}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (getter, overflow):
                if not task.done():
                    task.cancel()
        if getter in done:
            return getter.result()
        self._raise_interruption()
        raise AssertionError("unreachable")

    def _raise_interruption(self) -> None:
        if self._resync:
            self._resync = False
            self._overflowed.clear()
            raise Resync(self.log)
        raise Overflow(self.log)

    @property
    def overflowed(self) -> bool:
        return self._full.is_set()

    async def wait_overflow(self) -> None:
        """Returns once the queue has overflowed (a sender stuck on a stalled peer uses this
        to give up at once instead of waiting out its send timeout)."""
        await self._full.wait()

    def qsize(self) -> int:
        return self._queue.qsize()


class Bus(Protocol):
    async def publish(self, log: str, events: list[Wire]) -> None: ...

    def subscribe(
        self, log: str, maxsize: int = 1000
    ) -> AbstractAsyncContextManager[Subscription]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InProcessBus:
    """Fan-out inside one process (the default with no Redis)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, log: str, events: list[Wire]) -> None:
        self.deliver(log, events)

    def deliver(self, log: str, events: list[Wire]) -> None:
        for subscription in tuple(self._subscribers.get(log, ())):
            for event in events:
                subscription.offer(event)

    @asynccontextmanager
    async def subscribe(self, log: str, maxsize: int = 1000) -> AsyncIterator[Subscription]:
        subscription = Subscription(log, maxsize)
        self._subscribers[log].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(log)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[log]

    def request_resync_all(self) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.request_resync()

    def subscriber_count(self, log: str | None = None) -> int:
        if log is not None:
            return len(self._subscribers.get(log, ()))
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subscribers.clear()
