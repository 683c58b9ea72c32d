"""Scripts: what the sim answers, turn by turn, and the record of what it was asked.

A script is registered per model name, so tests running side by side never share one. The
turn a request gets is the number of assistant messages already in it: the sim keeps no
conversation state, and a retried request replays exactly the turn it failed on. Faults
name the attempt they hit, so "fail once, then succeed" is `{"attempt": 1, ...}`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["status", "stall_after", "drop_after", "error_event_after"]
FAULT_KINDS: tuple[str, ...] = ("status", "stall_after", "drop_after", "error_event_after")


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


Block = TextBlock | ToolUseBlock


@dataclass(frozen=True)
class Turn:
    content: tuple[Block, ...]
    token_delay: float = 0.0
    chunk_chars: int = 8
    faults: tuple[Fault, ...] = ()

    @property
    def stop_reason(self) -> str:
        has_tool = any(isinstance(b, ToolUseBlock) for b in self.content)
        return "tool_use" if has_tool else "end_turn"

    def fault_for(self, attempt: int) -> Fault | None:
        return next((f for f in self.faults if f.attempt == attempt), None)


def text_turn(text: str) -> Turn:
    return Turn(content=(TextBlock(text),))


def tool_use_id(prefix: str, model: str, turn: int, index: int) -> str:
    """Deterministic, so a replayed turn names its calls the same way, yet distinct per turn."""
    digest = hashlib.sha256(f"{model}\0{turn}\0{index}".encode()).hexdigest()[:24]
    return f"{prefix}{digest}"


# --- parsing ----------------------------------------------------------------------------------


def parse_turns(data: Any) -> tuple[Turn, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise ScriptError('a script is {"turns": [turn, ...]}')
    return tuple(_parse_turn(t, i) for i, t in enumerate(data["turns"]))


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
    return Turn(content=blocks, token_delay=delay, chunk_chars=chunk, faults=faults)


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
    raise ScriptError(f"{where}: expected a text block with text or a tool_use block with a name")


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
    """Scripts and received requests, per model. Owned by one app and touched only on its
    event loop, so it needs no lock."""

    scripts: dict[str, tuple[Turn, ...]] = field(default_factory=dict)
    received: dict[str, list[RecordedRequest]] = field(default_factory=dict)

    def put(self, model: str, turns: tuple[Turn, ...]) -> None:
        # A fresh script starts a fresh record: attempts count from 1 again.
        self.scripts[model] = turns
        self.received.pop(model, None)

    def delete(self, model: str) -> bool:
        self.received.pop(model, None)
        return self.scripts.pop(model, None) is not None

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
        if turn < len(script):
            return script[turn]
        return text_turn("(end of script)")


def load_scripts_file(path: str) -> dict[str, tuple[Turn, ...]]:
    """`{model: {"turns": [...]}}` from a JSON file, as `appwright sim --scripts` takes it."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ScriptError('a scripts file is {"model": {"turns": [...]}, ...}')
    return {str(model): parse_turns(script) for model, script in data.items()}
