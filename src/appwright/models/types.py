"""The provider-neutral conversation and stream types.

Provider adapters translate each vendor's wire stream into `StreamEvent`s; the run loop only
ever sees these. `accumulate` folds a stream into the assistant message it describes: a pure
function that refuses impossible orders (a delta for a tool call that never started, ...).

One order is possible and not a fault: a message cut by the output limit (`max_tokens`, or
the context window filling up) ends with a tool call still open, its input half-written. The
real APIs send exactly that (no `content_block_stop`). Such a call is not part of the message:
it is reported as a `CutCall`, never run, and the loop tells the model what happened.
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
    # Our own words to the model (the app's files, a notice that a reply was cut), as
    # opposed to the owner's: compaction keeps the owner's instructions verbatim, not these.
    note: bool = False
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
        return {"kind": "text", "text": part.text, **({"note": True} if part.note else {})}
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
        return TextPart(text=data["text"], note=bool(data.get("note", False)))
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
    # Mark the stable prefix and the newest message as cache breakpoints (providers that
    # need explicit marks: Anthropic; others cache prefixes by themselves).
    cache: bool = True


# --- why a message ended, and what it cost -----------------------------------------------------

END_TURN = "end_turn"
TOOL_USE = "tool_use"
STOP_SEQUENCE = "stop_sequence"
MAX_TOKENS = "max_tokens"
PAUSE_TURN = "pause_turn"
REFUSAL = "refusal"
CONTEXT_WINDOW_EXCEEDED = "model_context_window_exceeded"
# The reply was cut where it stood: a tool call still open then is cut, not malformed.
OUTPUT_CUT = frozenset({MAX_TOKENS, CONTEXT_WINDOW_EXCEEDED})


@dataclass(frozen=True)
class Usage:
    """Tokens of one model call (or a sum of calls), split the way they are billed.
    `input_tokens` are the prompt tokens billed at the full price: neither read from nor
    written to the prompt cache."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def prompt_tokens(self) -> int:
        """How long the prompt was: what counts against the context window."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )


@dataclass(frozen=True)
class StopDetails:
    """What the provider said about why it stopped (today: a refusal's category and
    explanation, as Anthropic's `stop_details` carries them)."""

    category: str | None = None
    explanation: str | None = None


# --- stream events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextChunk:
    """A piece of the reply's text as the provider streamed it (the run turns it into the
    wire event `text.delta`, `events/types.py`)."""

    text: str

    def valid(self) -> TextChunk:
        """This delta with its text made valid (see the module docstring)."""
        repaired = text_rule.repair(self.text)
        return self if repaired is self.text else TextChunk(repaired)


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
    usage: Usage = Usage()
    stop_details: StopDetails | None = None


StreamEvent = TextChunk | ToolCallStart | ToolCallDelta | ToolCallEnd | MessageEnd | KeepAlive


# --- accumulation -----------------------------------------------------------------------------


class StreamOrderError(ValueError):
    """The stream described something impossible; the turn cannot be trusted."""


@dataclass(frozen=True)
class CutCall:
    """A tool call the output limit cut off before its input was complete."""

    id: str
    name: str
    input_chars: int


@dataclass(frozen=True)
class Reply:
    """A whole assistant reply: the message (complete parts only), how it ended, and the
    tool calls the output limit cut off, which are not in the message."""

    message: Message
    end: MessageEnd
    cut_calls: tuple[CutCall, ...] = ()


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
    end: MessageEnd | None = None

    @property
    def stop_reason(self) -> str | None:
        return self.end.stop_reason if self.end is not None else None

    def apply(self, event: StreamEvent) -> ToolCallPart | None:
        if isinstance(event, KeepAlive):
            return None
        if self.end is not None:
            raise StreamOrderError(f"event after the end of the message: {event!r}")
        if isinstance(event, TextChunk):
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
            if unfinished and event.stop_reason not in OUTPUT_CUT:
                raise StreamOrderError(f"message ended with unfinished tool calls: {unfinished}")
            self.end = event
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
        return self.reply().message

    def reply(self) -> Reply:
        if self.end is None:
            raise StreamOrderError("the message has not ended")
        cut = tuple(
            CutCall(id=c.id, name=c.name, input_chars=len(c.json_text))
            for c in self.calls.values()
            if not c.done
        )
        return Reply(Message(role="assistant", parts=tuple(self.parts)), self.end, cut)


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
