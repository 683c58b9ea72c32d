"""Fan-out across processes through Redis pub/sub.

Each process holds one pattern subscription to every log channel and hands what arrives to
its local subscribers, exactly as the in-process bus does; its own publishes come back the
same way, so every subscriber sees one stream whichever process appended the events.
Pub/sub is fire-and-forget: if the connection drops, messages in flight are gone. After a
reconnect every local subscription is told to resync, and re-reads the durable log from the
last `seq` it delivered, so nothing is lost, only delayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from appwright.events.bus import InProcessBus, Subscription
from appwright.events.types import Wire
from appwright.log_names import REDIS_CHANNEL_PREFIX, log_of_channel, redis_channel

log = logging.getLogger(__name__)


class RedisBus:
    def __init__(self, url: str, *, reconnect_delay: float = 0.5) -> None:
        self._url = url
        self._redis = Redis.from_url(url, socket_connect_timeout=5, health_check_interval=15)
        self._local = InProcessBus()
        self._reconnect_delay = reconnect_delay
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-bus")
        async with asyncio.timeout(10):
            await self._ready.wait()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._local.stop()
        await self._redis.aclose()

    async def publish(self, log_name: str, events: list[Wire]) -> None:
        if not events:
            return
        try:
            await self._redis.publish(redis_channel(log_name), json.dumps(events))
        except Exception:
            # The log already holds the events; subscribers catch up when the bus is back.
            log.warning("could not publish to Redis", exc_info=True)

    @contextlib.asynccontextmanager
    async def subscribe(self, log_name: str, maxsize: int = 1000) -> AsyncIterator[Subscription]:
        async with self._local.subscribe(log_name, maxsize) as subscription:
            yield subscription

    def subscriber_count(self, log_name: str | None = None) -> int:
        return self._local.subscriber_count(log_name)

    async def _listen(self) -> None:
        first = True
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(REDIS_CHANNEL_PREFIX + "*")
                self._ready.set()
                if not first:
                    self._local.request_resync_all()
                first = False
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    self._local.deliver(log_of_channel(channel), json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Redis subscription lost; reconnecting", exc_info=True)
                await asyncio.sleep(self._reconnect_delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
