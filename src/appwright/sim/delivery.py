"""Delivering a prepared answer over the wire, faults included.

Both provider routes turn a turn into a list of SSE frames (or a JSON body); this module
sends them, pacing deltas by the turn's `token_delay`, and applies the attempt's fault:
stop after k events and go silent, break the connection, or send an error event.

ASGI has no message for "abort the connection", so a drop raises `SimulatedDrop`: uvicorn
answers an exception raised after the response started by closing the socket without the
final chunk, which a client sees exactly as a broken stream. `quiet_simulated_drops` keeps
uvicorn from logging those deliberate exceptions as application errors.

Every wait here also ends when the client goes away or the server closes (`closing`), so a
stalled stream never holds a shutdown hostage.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from appwright.sim.script import Fault

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class SimulatedDrop(Exception):
    """Raised on purpose to make the server abort the connection mid-response."""


class _DropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedDrop)


def quiet_simulated_drops() -> None:
    """Idempotent: uvicorn logs through the process-wide "uvicorn.error" logger."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())


@dataclass(frozen=True)
class Frame:
    data: bytes
    paced: bool = False
    """A delta: the turn's token_delay passes before it is sent."""


def recorded_frames(body: str) -> list[Frame]:
    """A recorded stream body as frames, one per SSE event, each sent exactly as recorded
    (odd spacing and all), the deltas among them paced."""
    events = [e for e in body.replace("\r\n", "\n").split("\n\n") if e.strip()]
    return [Frame(f"{e}\n\n".encode(), paced="_delta" in e) for e in events]


def sse_frame(data: Any, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


async def until_disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _headers(pairs: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode()) for k, v in pairs.items()]


class EventStream:
    """An SSE response that plays `frames` and applies `fault` (if it is a stream fault)."""

    def __init__(
        self,
        frames: Sequence[Frame],
        *,
        fault: Fault | None,
        error_frame: Callable[[str], bytes],
        token_delay: float,
        closing: asyncio.Event,
        headers: dict[str, str],
        on_complete: Callable[[], None] | None = None,
    ) -> None:
        """`on_complete` runs once every frame was sent and the stream closed normally."""
        self.frames = frames
        self.on_complete = on_complete
        self.fault = fault
        self.error_frame = error_frame
        self.token_delay = token_delay
        self.closing = closing
        self.headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            **headers,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": _headers(self.headers)}
        )
        await first_of(self._play(send), until_disconnected(receive))

    async def _play(self, send: Send) -> None:
        fault = self.fault if self.fault is not None and self.fault.kind != "status" else None
        # A fault always fires, even when it names more events than the answer has.
        frames = self.frames if fault is None else self.frames[: fault.events]
        for frame in frames:
            if frame.paced and self.token_delay > 0:
                await asyncio.sleep(self.token_delay)
            await send({"type": "http.response.body", "body": frame.data, "more_body": True})
        if fault is None:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            if self.on_complete is not None:
                self.on_complete()
            return
        if fault.kind == "error_event_after":
            await send(
                {
                    "type": "http.response.body",
                    "body": self.error_frame(fault.error_type),
                    "more_body": False,
                }
            )
            return
        if fault.kind == "stall_after":
            await self.closing.wait()
        raise SimulatedDrop(f"{fault.kind} after {fault.events} events")


class BrokenJson:
    """A non-streamed answer cut off halfway: the promised Content-Length never arrives."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {"content-type": "application/json", "content-length": str(len(self.body))}
        await send({"type": "http.response.start", "status": 200, "headers": _headers(headers)})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise SimulatedDrop("drop_after in a non-streamed answer")


class Silence:
    """Never answers: waits until the client gives up or the server closes."""

    def __init__(self, closing: asyncio.Event) -> None:
        self.closing = closing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        first = await first_of(until_disconnected(receive), self.closing.wait())
        if first == 1:  # the server is closing, the client still waits: tell it
            headers = _headers({"content-type": "application/json"})
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"error":"shutting down"}'})


async def first_of(*awaitables: Awaitable[Any]) -> int:
    """Run all, return the index of the first to finish, cancel the rest. An exception of
    the first finisher propagates."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    first = next(i for i, t in enumerate(tasks) if t in done)
    tasks[first].result()
    return first
