"""Scripts: what the sim answers, turn by turn, and the record of what it was asked.

A script is registered per model name, so tests running side by side never share one. The
turn a request gets is, by default, the number of assistant messages already in it: the sim
keeps no conversation state, and a retried request replays exactly the turn it failed on.
A client that condenses its conversation (fewer assistant messages than turns taken) needs
`"turns_by": "order"`: each request then gets the turn after the last one delivered whole,
so a failed delivery is replayed and a delivered one never is. Faults name the attempt they
hit, so "fail once, then succeed" is `{"attempt": 1, ...}`.

A script also sets what the model is like, as strictly as the real APIs enforce it:
`context_window` (a longer prompt is refused), `max_output_tokens` (a larger `max_tokens`
is refused), and `cache_min_tokens` (the shortest prefix the prompt cache keeps). A turn may
name its `stop_reason` (`refusal` with `stop_details`, `pause_turn`, ...); `max_tokens` and
`model_context_window_exceeded` happen by themselves when the scripted answer is longer than
the request's `max_tokens` or than the window's room. An `opaque` block is sent as written
(a block type this code does not know), and a turn's `replay` is a recorded stream body sent
verbatim instead of an answer built from `content`.

`asides` answer requests of another kind, told apart by their system prompt (a client asking
its model to summarise a conversation, say): `{"when_system_contains": "...", "content":
[...]}`. Such a request gets the aside, is logged with turn -1, and is not a turn.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["status", "stall_after", "drop_after", "error_event_after"]
FAULT_KINDS: tuple[str, ...] = ("status", "stall_after", "drop_after", "error_event_after")
STOP_REASONS = ("end_turn", "tool_use", "stop_sequence", "pause_turn", "refusal")
TURNS_BY = ("messages", "order")


class ScriptError(ValueError):
    """A script the sim cannot follow; the control API answers 400 with this message."""


@dataclass(frozen=True)
class Fault:
    attempt: int
    kind: FaultKind
    status: int = 500
    retry_after: float | None = None
    events: int = 0
    error_type: str = "overloaded_error"


@dataclass(frozen=True)
class TextBlock:
    text: str


@dataclass(frozen=True)
class ToolUseBlock:
    name: str
    input: dict[str, Any]
    id: str | None = None


@dataclass(frozen=True)
class OpaqueBlock:
    """A content block sent as it is: its start, its deltas, its stop."""

    block: dict[str, Any]
    deltas: tuple[dict[str, Any], ...] = ()


Block = TextBlock | ToolUseBlock | OpaqueBlock


@dataclass(frozen=True)
class Turn:
    content: tuple[Block, ...]
    token_delay: float = 0.0
    chunk_chars: int = 8
    faults: tuple[Fault, ...] = ()
    scripted_stop: str | None = None
    stop_details: dict[str, Any] | None = None
    replay: str | None = None

    @property
    def stop_reason(self) -> str:
        if self.scripted_stop is not None:
            return self.scripted_stop
        has_tool = any(isinstance(b, ToolUseBlock) for b in self.content)
        return "tool_use" if has_tool else "end_turn"

    def fault_for(self, attempt: int) -> Fault | None:
        return next((f for f in self.faults if f.attempt == attempt), None)


def text_turn(text: str) -> Turn:
    return Turn(content=(TextBlock(text),))


@dataclass(frozen=True)
class Aside:
    when_system_contains: str
    turn: Turn


ASIDE_TURN = -1


@dataclass(frozen=True)
class Script:
    turns: tuple[Turn, ...]
    context_window: int = 200_000
    max_output_tokens: int = 64_000
    cache_min_tokens: int = 1024
    turns_by: str = "messages"
    asides: tuple[Aside, ...] = ()

    def aside_for(self, system: str) -> Turn | None:
        return next((a.turn for a in self.asides if a.when_system_contains in system), None)


UNSCRIPTED = Script(turns=())


def tool_use_id(prefix: str, model: str, turn: int, index: int) -> str:
    """Deterministic, so a replayed turn names its calls the same way, yet distinct per turn."""
    digest = hashlib.sha256(f"{model}\0{turn}\0{index}".encode()).hexdigest()[:24]
    return f"{prefix}{digest}"


# --- parsing ----------------------------------------------------------------------------------


def parse_turns(data: Any) -> tuple[Turn, ...]:
    return parse_script(data).turns


def parse_script(data: Any) -> Script:
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise ScriptError('a script is {"turns": [turn, ...]}')
    turns = tuple(_parse_turn(t, i) for i, t in enumerate(data["turns"]))
    options: dict[str, Any] = {}
    for name in ("context_window", "max_output_tokens", "cache_min_tokens"):
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ScriptError(f"{name} must be a positive integer")
            options[name] = value
    if "turns_by" in data:
        if data["turns_by"] not in TURNS_BY:
            raise ScriptError(f"turns_by must be one of {', '.join(TURNS_BY)}")
        options["turns_by"] = data["turns_by"]
    asides = data.get("asides", [])
    if not isinstance(asides, list):
        raise ScriptError("asides must be a list")
    options["asides"] = tuple(_parse_aside(a, i) for i, a in enumerate(asides))
    return Script(turns=turns, **options)


def _parse_aside(data: Any, i: int) -> Aside:
    match = data.get("when_system_contains") if isinstance(data, dict) else None
    if not isinstance(match, str) or not match:
        raise ScriptError(f"asides[{i}].when_system_contains must be a non-empty string")
    return Aside(match, _parse_turn(data, i))


def _parse_turn(data: Any, i: int) -> Turn:
    where = f"turns[{i}]"
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise ScriptError(f"{where}: a turn needs a content list")
    blocks = tuple(_parse_block(b, f"{where}.content[{j}]") for j, b in enumerate(data["content"]))
    delay = _number(data.get("token_delay", 0.0), f"{where}.token_delay")
    chunk = data.get("chunk_chars", 8)
    if not isinstance(chunk, int) or chunk < 1:
        raise ScriptError(f"{where}.chunk_chars must be a positive integer")
    faults_data = data.get("faults", [])
    if not isinstance(faults_data, list):
        raise ScriptError(f"{where}.faults must be a list")
    faults = tuple(_parse_fault(f, f"{where}.faults[{j}]") for j, f in enumerate(faults_data))
    stop = data.get("stop_reason")
    if stop is not None and stop not in STOP_REASONS:
        raise ScriptError(f"{where}.stop_reason must be one of {', '.join(STOP_REASONS)}")
    details = data.get("stop_details")
    if details is not None and not isinstance(details, dict):
        raise ScriptError(f"{where}.stop_details must be an object")
    replay = data.get("replay")
    if replay is not None and not isinstance(replay, str):
        raise ScriptError(f"{where}.replay must be a string (a recorded stream body)")
    return Turn(
        content=blocks,
        token_delay=delay,
        chunk_chars=chunk,
        faults=faults,
        scripted_stop=stop,
        stop_details=details,
        replay=replay,
    )


def _parse_block(data: Any, where: str) -> Block:
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "text" and isinstance(data.get("text"), str):
        return TextBlock(data["text"])
    if kind == "tool_use" and isinstance(data.get("name"), str):
        tool_input = data.get("input", {})
        if not isinstance(tool_input, dict):
            raise ScriptError(f"{where}.input must be an object")
        block_id = data.get("id")
        if block_id is not None and not isinstance(block_id, str):
            raise ScriptError(f"{where}.id must be a string")
        return ToolUseBlock(name=data["name"], input=tool_input, id=block_id)
    if kind == "opaque" and isinstance(data.get("block"), dict):
        deltas = data.get("deltas", [])
        if not isinstance(deltas, list) or not all(isinstance(d, dict) for d in deltas):
            raise ScriptError(f"{where}.deltas must be a list of objects")
        return OpaqueBlock(block=data["block"], deltas=tuple(deltas))
    raise ScriptError(
        f"{where}: expected a text block with text, a tool_use block with a name or an "
        "opaque block with a block"
    )


def _parse_fault(data: Any, where: str) -> Fault:
    if not isinstance(data, dict):
        raise ScriptError(f"{where}: a fault is an object")
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise ScriptError(f"{where}.kind must be one of {', '.join(FAULT_KINDS)}")
    attempt = data.get("attempt")
    if not isinstance(attempt, int) or attempt < 1:
        raise ScriptError(f"{where}.attempt must be an integer >= 1")
    if kind == "status":
        status = data.get("status")
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise ScriptError(f"{where}.status must be an HTTP error status")
        retry_after = data.get("retry_after")
        if retry_after is not None:
            retry_after = _number(retry_after, f"{where}.retry_after")
        return Fault(attempt=attempt, kind=kind, status=status, retry_after=retry_after)
    events = data.get("events")
    if not isinstance(events, int) or events < 0:
        raise ScriptError(f"{where}.events must be an integer >= 0")
    error_type = data.get("error_type", "overloaded_error")
    if not isinstance(error_type, str):
        raise ScriptError(f"{where}.error_type must be a string")
    return Fault(attempt=attempt, kind=kind, events=events, error_type=error_type)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScriptError(f"{where} must be a number >= 0")
    return float(value)


# --- the book -----------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    turn: int
    attempt: int
    received_at: float
    body: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "attempt": self.attempt,
            "received_at": self.received_at,
            "body": self.body,
        }


@dataclass
class ScriptBook:
    """Scripts, received requests, turns delivered and the prompt cache, per model. Owned
    by one app and touched only on its event loop, so it needs no lock."""

    scripts: dict[str, Script] = field(default_factory=dict)
    received: dict[str, list[RecordedRequest]] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)

    def put(self, model: str, script: Script) -> None:
        # A fresh script starts a fresh record: attempts count from 1 again.
        self.scripts[model] = script
        self.received.pop(model, None)
        self.delivered.pop(model, None)

    def delete(self, model: str) -> bool:
        self.received.pop(model, None)
        self.delivered.pop(model, None)
        return self.scripts.pop(model, None) is not None

    def script(self, model: str) -> Script:
        return self.scripts.get(model, UNSCRIPTED)

    def turn_index(self, model: str, messages_index: int) -> int:
        if self.script(model).turns_by == "order":
            return self.delivered.get(model, 0)
        return messages_index

    def mark_delivered(self, model: str, turn: int) -> None:
        """The answer for `turn` reached the client whole: in "order" mode, the next
        request gets the turn after it."""
        self.delivered[model] = max(self.delivered.get(model, 0), turn + 1)

    def record(self, model: str, turn: int, body: Any) -> int:
        """Log a request and return its attempt number for (model, turn), 1-based."""
        log = self.received.setdefault(model, [])
        attempt = 1 + sum(1 for r in log if r.turn == turn)
        log.append(RecordedRequest(turn=turn, attempt=attempt, received_at=time.time(), body=body))
        return attempt

    def requests(self, model: str) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.received.get(model, [])]

    def turn_for(self, model: str, turn: int, echo: str) -> Turn:
        """The scripted turn; past the script's end a short closing text; for a model with
        no script a demo reply that echoes the request."""
        script = self.scripts.get(model)
        if script is None:
            return text_turn(f"(appwright sim) You said: {echo}" if echo else "(appwright sim)")
        if turn < len(script.turns):
            return script.turns[turn]
        return text_turn("(end of script)")


def load_scripts_file(path: str) -> dict[str, Script]:
    """`{model: {"turns": [...]}}` from a JSON file, as `appwright sim --scripts` takes it."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ScriptError('a scripts file is {"model": {"turns": [...]}, ...}')
    return {str(model): parse_script(script) for model, script in data.items()}
