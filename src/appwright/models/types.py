"""The provider-neutral conversation and stream types.

Provider adapters translate each vendor's wire stream into `StreamEvent`s; the run loop only
ever sees these. `accumulate` folds a stream into the assistant message it describes: a pure
function that refuses impossible orders (a delta for a tool call that never started, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from appwright import text as text_rule

# --- conversation -------------------------------------------------------------------------


@dataclass(frozen=True)
class TextPart:
    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class ToolCallPart:
    id: str
    name: str
    input: dict[str, Any]
    kind: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True)
class ToolResultPart:
    tool_call_id: str
    content: str
    is_error: bool = False
    kind: Literal["tool_result"] = "tool_result"


Part = TextPart | ToolCallPart | ToolResultPart


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    parts: tuple[Part, ...]

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.parts if isinstance(p, ToolCallPart)]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "parts": [part_to_json(p) for p in self.parts]}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Message:
        return Message(role=data["role"], parts=tuple(part_from_json(p) for p in data["parts"]))


def part_to_json(part: Part) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"kind": "text", "text": part.text}
    if isinstance(part, ToolCallPart):
        return {"kind": "tool_call", "id": part.id, "name": part.name, "input": part.input}
    return {
        "kind": "tool_result",
        "tool_call_id": part.tool_call_id,
        "content": part.content,
        "is_error": part.is_error,
    }


def part_from_json(data: dict[str, Any]) -> Part:
    kind = data["kind"]
    if kind == "text":
        return TextPart(text=data["text"])
    if kind == "tool_call":
        return ToolCallPart(id=data["id"], name=data["name"], input=data["input"])
    if kind == "tool_result":
        return ToolResultPart(
            tool_call_id=data["tool_call_id"], content=data["content"], is_error=data["is_error"]
        )
    raise ValueError(f"unknown part kind {kind!r}")


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ModelRequest:
    model: str
    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]
    max_tokens: int = 8000


# --- stream events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDelta:
    text: str

    def valid(self) -> TextDelta:
        """This delta with its text made valid (see the module docstring)."""
        repaired = text_rule.repair(self.text)
        return self if repaired is self.text else TextDelta(repaired)


@dataclass(frozen=True)
class ToolCallStart:
    index: int
    id: str
    name: str


@dataclass(frozen=True)
class ToolCallDelta:
    index: int
    partial_json: str


@dataclass(frozen=True)
class ToolCallEnd:
    """The call's input is complete: the loop may start the tool now."""

    index: int


@dataclass(frozen=True)
class KeepAlive:
    """Bytes arrived that carry nothing for the message (a ping, a block we do not use):
    the stream is alive, so its silence timer starts again."""


@dataclass(frozen=True)
class MessageEnd:
    stop_reason: str
    input_tokens: int = 0
    output_tokens: int = 0


StreamEvent = TextDelta | ToolCallStart | ToolCallDelta | ToolCallEnd | MessageEnd | KeepAlive


# --- accumulation -----------------------------------------------------------------------------


class StreamOrderError(ValueError):
    """The stream described something impossible; the turn cannot be trusted."""


@dataclass
class _OpenCall:
    id: str
    name: str
    json_text: str = ""
    done: bool = False


@dataclass
class Accumulator:
    """The state of one assistant message being streamed. `apply` returns the new state's
    completed tool call when an event completes one; all mutation stays in this object."""

    parts: list[Part] = field(default_factory=list)
    calls: dict[int, _OpenCall] = field(default_factory=dict)
    stop_reason: str | None = None

    def apply(self, event: StreamEvent) -> ToolCallPart | None:
        if isinstance(event, KeepAlive):
            return None
        if self.stop_reason is not None:
            raise StreamOrderError(f"event after the end of the message: {event!r}")
        if isinstance(event, TextDelta):
            delta = event.valid().text
            if self.parts and isinstance(self.parts[-1], TextPart):
                self.parts[-1] = TextPart(self.parts[-1].text + delta)
            else:
                self.parts.append(TextPart(delta))
            return None
        if isinstance(event, ToolCallStart):
            if event.index in self.calls:
                raise StreamOrderError(f"tool call index {event.index} started twice")
            self.calls[event.index] = _OpenCall(
                id=text_rule.repair(event.id), name=text_rule.repair(event.name)
            )
            return None
        if isinstance(event, ToolCallDelta):
            call = self._open(event.index)
            call.json_text += event.partial_json
            return None
        if isinstance(event, ToolCallEnd):
            call = self._open(event.index)
            call.done = True
            part = ToolCallPart(id=call.id, name=call.name, input=parse_tool_input(call.json_text))
            self.parts.append(part)
            return part
        if isinstance(event, MessageEnd):
            unfinished = [c.name for c in self.calls.values() if not c.done]
            if unfinished:
                raise StreamOrderError(f"message ended with unfinished tool calls: {unfinished}")
            self.stop_reason = event.stop_reason
            return None
        raise StreamOrderError(f"unknown stream event {event!r}")

    def _open(self, index: int) -> _OpenCall:
        call = self.calls.get(index)
        if call is None:
            raise StreamOrderError(f"tool call index {index} was never started")
        if call.done:
            raise StreamOrderError(f"tool call index {index} already ended")
        return call

    def message(self) -> Message:
        if self.stop_reason is None:
            raise StreamOrderError("the message has not ended")
        return Message(role="assistant", parts=tuple(self.parts))


INVALID_JSON = "__invalid_json__"
INVALID_TEXT = "__invalid_text__"


def parse_tool_input(json_text: str) -> dict[str, Any]:
    """A tool call's input. Invalid JSON, or JSON whose text is not valid (a lone
    surrogate, a NUL, absurd nesting), becomes an input marked with what is wrong, which
    the tool's validation rejects, so the model is told rather than the turn failing."""
    if not json_text.strip():
        return {}
    try:
        value = json.loads(json_text)
    except (ValueError, RecursionError):
        return {INVALID_JSON: text_rule.repair(json_text)}
    if not isinstance(value, dict):
        return {INVALID_JSON: text_rule.repair(json_text)}
    problem = text_rule.find_in_tree(value)
    if problem is not None:
        return {**text_rule.repair_tree(value), INVALID_TEXT: str(problem)}
    return value


def accumulate(events: list[StreamEvent]) -> Message:
    """Fold a whole stream into its message (pure)."""
    acc = Accumulator()
    for event in events:
        acc.apply(event)
    return acc.message()
