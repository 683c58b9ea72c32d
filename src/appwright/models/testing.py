"""An in-process model for tests of the loop (as httpx's MockTransport is for clients):
each call replays the next scripted turn as stream events, optionally failing or stalling
part-way. End-to-end tests use the HTTP scripted model server (`appwright.sim`) instead."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from appwright.errors import ModelError
from appwright.models.types import (
    MessageEnd,
    ModelRequest,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool(name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


@dataclass
class Fault:
    """On `attempt` of a turn, after `after` events: raise `error`, stall forever, or pause
    until `resume` is set (as a whole process pauses: then the stream goes on)."""

    attempt: int = 1
    after: int = 0
    error: ModelError | None = None
    stall: bool = False
    resume: asyncio.Event | None = None


@dataclass
class Turn:
    content: list[dict[str, Any]]
    faults: list[Fault] = field(default_factory=list)
    delay: float = 0.0
    chunk: int = 8


def turn_events(
    content: list[dict[str, Any]], ids: itertools.count, chunk: int = 8
) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    has_tools = False
    for index, block in enumerate(content):
        if block["type"] == "text":
            for start in range(0, len(block["text"]), chunk):
                events.append(TextDelta(block["text"][start : start + chunk]))
        else:
            has_tools = True
            events.append(ToolCallStart(index, f"toolu_{next(ids):04d}", block["name"]))
            events.append(ToolCallDelta(index, json.dumps(block["input"])))
            events.append(ToolCallEnd(index))
    events.append(MessageEnd("tool_use" if has_tools else "end_turn"))
    return events


class ScriptedModel:
    def __init__(self, turns: list[Turn]) -> None:
        self.turns = turns
        self.requests: list[ModelRequest] = []
        self._attempts: dict[int, int] = {}
        self._ids = itertools.count(1)

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        index = sum(1 for m in request.messages if m.role == "assistant")
        attempt = self._attempts[index] = self._attempts.get(index, 0) + 1
        turn = self.turns[index] if index < len(self.turns) else Turn([text("Done.")])
        faults = [f for f in turn.faults if f.attempt == attempt]
        for position, event in enumerate(turn_events(turn.content, self._ids, turn.chunk)):
            for fault in faults:
                if fault.after == position:
                    if fault.stall:
                        await asyncio.Event().wait()
                    if fault.resume is not None:
                        await fault.resume.wait()
                    if fault.error is not None:
                        raise fault.error
            if turn.delay:
                await asyncio.sleep(turn.delay)
            yield event

    async def aclose(self) -> None:
        return None
