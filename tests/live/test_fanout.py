"""Fan-out isolation, at the level of one connection's streamer: a stalled client must not
delay another, and must be closed with the lagging code once it falls behind."""

from __future__ import annotations

import asyncio
from typing import Any

from appwright.api.live import CLOSE_LAGGING, stream_log
from appwright.events.bus import InProcessBus


class FakeSocket:
    """Records what the server sends; `stalled` sends never complete (a peer that reads
    nothing), like a socket whose buffers are full."""

    def __init__(self, stalled: bool = False) -> None:
        self.stalled = stalled
        self.sent: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.gone = asyncio.Event()
        self.got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send_json(self, data: dict[str, Any]) -> None:
        if self.stalled:
            await asyncio.Event().wait()
        self.sent.append(data)
        self.got.put_nowait(data)

    async def receive(self) -> dict[str, Any]:
        await self.gone.wait()
        return {"type": "websocket.disconnect", "code": 1000}

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = code
        self.gone.set()


def make_log(n: int) -> list[dict[str, Any]]:
    return [{"seq": i, "type": "text.delta", "text": "x"} for i in range(1, n + 1)]


async def test_stalled_client_neither_delays_others_nor_lingers() -> None:
    bus = InProcessBus()
    log: list[dict[str, Any]] = []

    async def read(after: int) -> list[dict[str, Any]]:
        return [e for e in log if e["seq"] > after][:100]

    fast, slow = FakeSocket(), FakeSocket(stalled=True)
    tasks = [
        asyncio.create_task(stream_log(s, bus, "L", read, 0, queue_size=10, send_timeout=30))  # type: ignore[arg-type]
        for s in (fast, slow)
    ]
    async with asyncio.timeout(5):
        while bus.subscriber_count("L") < 2:
            await asyncio.sleep(0)
    for event in make_log(50):
        log.append(event)
        await bus.publish("L", [event])
        await asyncio.sleep(0.001)  # a live pace: events arrive as transactions commit
    async with asyncio.timeout(2):
        while len(fast.sent) < 50:
            await fast.got.get()
    assert [e["seq"] for e in fast.sent] == list(range(1, 51))
    # The stalled one overflowed its own queue and was told to resume later.
    async with asyncio.timeout(2):
        await slow.gone.wait()
    assert slow.closed_with == CLOSE_LAGGING
    fast.gone.set()
    async with asyncio.timeout(2):
        await asyncio.gather(*tasks)


async def test_peer_that_takes_nothing_is_closed_after_send_timeout() -> None:
    bus = InProcessBus()

    async def read(after: int) -> list[dict[str, Any]]:
        return make_log(3)[after:]

    stalled = FakeSocket(stalled=True)
    task = asyncio.create_task(stream_log(stalled, bus, "L", read, 0, send_timeout=0.2))  # type: ignore[arg-type]
    async with asyncio.timeout(2):
        await task
    assert stalled.closed_with == CLOSE_LAGGING


async def test_gap_in_live_events_is_filled_from_the_log() -> None:
    bus = InProcessBus()
    log = make_log(2)

    async def read(after: int) -> list[dict[str, Any]]:
        return [e for e in log if e["seq"] > after]

    client = FakeSocket()
    task = asyncio.create_task(stream_log(client, bus, "L", read, 0))  # type: ignore[arg-type]
    async with asyncio.timeout(2):
        while len(client.sent) < 2:
            await client.got.get()
    log.extend([{"seq": 3, "type": "a"}, {"seq": 4, "type": "b"}])
    await bus.publish("L", [log[3]])  # seq 3 was lost by the bus; 4 arrives
    await bus.publish("L", [log[2]])  # and 3 arrives late: already sent, skipped
    async with asyncio.timeout(2):
        while len(client.sent) < 4:
            await client.got.get()
    await asyncio.sleep(0.05)
    assert [e["seq"] for e in client.sent] == [1, 2, 3, 4]
    client.gone.set()
    await task
