"""Fan-out of freshly committed events to live subscribers.

The bus is a hint, the log is the truth: a subscriber that misses something (its queue
overflowed, a message was lost between processes) notices a `seq` gap or an overflow and
re-reads the log. So `publish` never waits on a subscriber: each has its own bounded queue,
and a full queue marks that subscriber as overflowed instead of blocking the publisher.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from appwright.events.types import Wire


class Overflow(Exception):
    """The subscriber fell too far behind; it must resume from the log."""


class Resync(Exception):
    """Events may have been lost upstream (the bus reconnected): re-read the log."""


class Closed(Exception):
    """The subscriber went away (its client disconnected)."""


class Subscription:
    """One subscriber's bounded queue. Cheap by design, since a process holds one per open
    WebSocket: a deque and at most one waiting future, no task of its own."""

    def __init__(self, log_name: str, maxsize: int) -> None:
        self.log_name = log_name
        self._maxsize = maxsize
        self._items: deque[Wire] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._full = False
        self._resync = False
        self._closed = False
        # Called once when the queue overflows, so a sender blocked on a stalled peer can
        # give up at once rather than at its send timeout.
        self.on_overflow: Callable[[], None] | None = None

    def offer(self, event: Wire) -> None:
        if self._full or self._closed:
            return
        if len(self._items) >= self._maxsize:
            self._full = True
            if self.on_overflow is not None:
                self.on_overflow()
        else:
            self._items.append(event)
        self._wake()

    def request_resync(self) -> None:
        self._resync = True
        self._wake()

    def close(self) -> None:
        self._closed = True
        self._wake()

    async def get(self) -> Wire:
        """The next event. Raises Closed once closed; Resync when the bus may have lost
        events (the subscription stays usable); Overflow once the queue overflowed and what
        it holds has been taken."""
        while True:
            if self._closed:
                raise Closed(self.log_name)
            if self._items:
                return self._items.popleft()
            if self._resync:
                self._resync = False
                raise Resync(self.log_name)
            if self._full:
                raise Overflow(self.log_name)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Bus(Protocol):
    async def publish(self, log_name: str, events: list[Wire]) -> None: ...

    def subscribe(
        self, log_name: str, maxsize: int = 1000
    ) -> AbstractAsyncContextManager[Subscription]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InProcessBus:
    """Fan-out inside one process (the default with no Redis)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, log_name: str, events: list[Wire]) -> None:
        self.deliver(log_name, events)

    def deliver(self, log_name: str, events: list[Wire]) -> None:
        for subscription in tuple(self._subscribers.get(log_name, ())):
            for event in events:
                subscription.offer(event)

    @asynccontextmanager
    async def subscribe(self, log_name: str, maxsize: int = 1000) -> AsyncIterator[Subscription]:
        subscription = Subscription(log_name, maxsize)
        self._subscribers[log_name].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(log_name)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[log_name]

    def request_resync_all(self) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.request_resync()

    def subscriber_count(self, log_name: str | None = None) -> int:
        if log_name is not None:
            return len(self._subscribers.get(log_name, ()))
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subscribers.clear()
