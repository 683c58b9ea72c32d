"""An in-process model for tests of the loop (as httpx's MockTransport is for clients):
each call replays the next scripted turn as stream events, optionally failing or stalling
part-way. End-to-end tests use the HTTP scripted model server (`appwright.sim`) instead.

Like the sim it reports usage (prompt tokens at 4 characters a token of the request's JSON)
and can enforce a context window, answering a longer prompt with the same error the adapters
raise for a real one. A turn may end with any stop reason; with an output-cut one
(`max_tokens`) its last tool call is cut half-way, as a real stream cuts it. Requests that
offer no tools (a request to condense the conversation) get `aside` and are not turns.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from appwright.errors import ModelError
from appwright.models.errors import CONTEXT_EXCEEDED
from appwright.models.types import (
    OUTPUT_CUT,
    MessageEnd,
    ModelRequest,
    StopDetails,
    StreamEvent,
    TextChunk,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)

CHARS_PER_TOKEN = 4


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
    stop_reason: str | None = None
    stop_details: StopDetails | None = None


def turn_events(
    content: list[dict[str, Any]],
    ids: itertools.count,
    chunk: int = 8,
    stop_reason: str | None = None,
    stop_details: StopDetails | None = None,
    usage: Usage = Usage(),
) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    has_tools = False
    cut = stop_reason in OUTPUT_CUT
    for index, block in enumerate(content):
        if block["type"] == "text":
            for start in range(0, len(block["text"]), chunk):
                events.append(TextChunk(block["text"][start : start + chunk]))
        else:
            has_tools = True
            arguments = json.dumps(block["input"])
            events.append(ToolCallStart(index, f"toolu_{next(ids):04d}", block["name"]))
            if cut and index == len(content) - 1:
                events.append(ToolCallDelta(index, arguments[: len(arguments) // 2]))
                continue
            events.append(ToolCallDelta(index, arguments))
            events.append(ToolCallEnd(index))
    reason = stop_reason or ("tool_use" if has_tools else "end_turn")
    events.append(MessageEnd(reason, usage=usage, stop_details=stop_details))
    return events


def prompt_tokens(request: ModelRequest) -> int:
    size = len(request.system) + sum(len(json.dumps(m.to_json())) for m in request.messages)
    size += sum(len(json.dumps(t.input_schema)) + len(t.description) for t in request.tools)
    return size // CHARS_PER_TOKEN + 1


class ScriptedModel:
    def __init__(
        self,
        turns: list[Turn],
        *,
        context_window: int | None = None,
        turns_by: Literal["messages", "order"] = "messages",
        aside: str = "Summary: the owner asked for changes; they were made.",
    ) -> None:
        """`turns_by`: which turn a request gets, by its number of assistant messages
        (default), or the next one after the last delivered whole ("order": for
        conversations that get condensed)."""
        self.turns = turns
        self.context_window = context_window
        self.turns_by = turns_by
        self.aside = aside
        self.requests: list[ModelRequest] = []
        self.asides: list[ModelRequest] = []
        self.refused: list[ModelRequest] = []  # longer than the window
        self._attempts: dict[int, int] = {}
        self._delivered = 0
        self._ids = itertools.count(1)

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        tokens = prompt_tokens(request)
        if self.context_window is not None and tokens > self.context_window:
            self.refused.append(request)
            raise ModelError(
                f"prompt is too long: {tokens} tokens > {self.context_window} maximum",
                code=CONTEXT_EXCEEDED,
                transient=False,
                tokens=tokens,
                maximum=self.context_window,
            )
        if not request.tools:
            self.asides.append(request)
            for event in turn_events([text(self.aside)], self._ids, usage=Usage(tokens, 20)):
                yield event
            return
        self.requests.append(request)
        if self.turns_by == "order":
            index = self._delivered
        else:
            index = sum(1 for m in request.messages if m.role == "assistant")
        attempt = self._attempts[index] = self._attempts.get(index, 0) + 1
        turn = self.turns[index] if index < len(self.turns) else Turn([text("Done.")])
        faults = [f for f in turn.faults if f.attempt == attempt]
        output = sum(len(json.dumps(b)) for b in turn.content) // CHARS_PER_TOKEN + 1
        events = turn_events(
            turn.content,
            self._ids,
            turn.chunk,
            turn.stop_reason,
            turn.stop_details,
            Usage(input_tokens=tokens, output_tokens=output),
        )
        for position, event in enumerate(events):
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
        self._delivered = max(self._delivered, index + 1)

    async def aclose(self) -> None:
        return None
