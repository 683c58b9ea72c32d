"""What every provider adapter does around its SDK's stream, written once: open it, turn
each wire event into ours, and translate the SDK's errors, at opening and mid-stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from appwright.errors import ModelError
from appwright.models.types import KeepAlive, StreamEvent

ToError = Callable[[Exception, bool], ModelError | None]


async def translated(
    open_wire: Callable[[], Awaitable[Any]],
    feed: Callable[[Any], list[StreamEvent]],
    to_error: ToError,
    end: Callable[[], list[StreamEvent]],
) -> AsyncGenerator[StreamEvent, None]:
    """`feed` turns one wire event into ours; `end` gives the last events once the wire
    is exhausted (or raises, when it ended before the message did). `to_error(exc,
    mid_stream)` gives our error for an SDK exception, or None for one that is not the
    provider's (a bug of ours), which then propagates as it is. The adapter returns this
    generator itself, so closing it (a stall, a cancel) closes the HTTP response at once."""
    try:
        wire = await open_wire()
    except Exception as exc:
        _raise_translated(exc, to_error(exc, False))
    try:
        async with wire:
            async for event in wire:
                # Every wire event counts as life, even one that carries nothing for us,
                # so a long silence is only ever a real one.
                for out in feed(event) or [KeepAlive()]:
                    yield out
    except Exception as exc:
        _raise_translated(exc, to_error(exc, True))
    for out in end():
        yield out


def _raise_translated(exc: Exception, error: ModelError | None) -> None:
    if error is None:
        raise exc
    raise error from exc
