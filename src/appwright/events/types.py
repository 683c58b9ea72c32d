"""The wire events: defined once here, mirrored by the TypeScript client from the JSON schema.

Every event has `seq` (contiguous per log, assigned when appended), `type`, `ts` (ISO 8601,
UTC) and, where it belongs to a run, `run_id`. The core never writes an event type as a loose
string: it builds one of these classes, and the class fixes the `type`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from appwright import text

# An event as it is stored and sent: a JSON object (`to_wire`).
Wire = dict[str, Any]


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ErrorInfo(BaseModel):
    code: str
    message: str


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int = 0
    ts: str = Field(default_factory=utc_now_iso)
    run_id: str | None = None


class RunStarted(_Event):
    type: Literal["run.started"] = "run.started"
    text: str
    client_msg_id: str | None = None


class TurnStarted(_Event):
    type: Literal["turn.started"] = "turn.started"
    turn: int
    # How long the turn's request is expected to be, of the model's context window (tokens).
    context_tokens: int | None = None
    context_window: int | None = None


class TextDelta(_Event):
    type: Literal["text.delta"] = "text.delta"
    text: str


class ToolStarted(_Event):
    type: Literal["tool.started"] = "tool.started"
    tool_id: str
    name: str
    input: dict[str, Any]


ToolStatus = Literal["ok", "error", "timeout", "cancelled"]


class ToolFinished(_Event):
    type: Literal["tool.finished"] = "tool.finished"
    tool_id: str
    name: str
    status: ToolStatus
    duration_ms: int
    summary: str


class FileUpdated(_Event):
    type: Literal["file.updated"] = "file.updated"
    path: str
    version_id: str
    deleted: bool = False
    # The file is now binary (an image, a font): shown, never opened as text.
    binary: bool = False


class VersionCreated(_Event):
    type: Literal["version.created"] = "version.created"
    version_id: str
    source: str
    paths: list[str]


class ModelRetry(_Event):
    type: Literal["model.retry"] = "model.retry"
    attempt: int
    delay_ms: int
    reason: str


class RunResumed(_Event):
    """The process running the run stopped and another took it over: the text deltas since
    the latest `turn.started` belong to the abandoned attempt."""

    type: Literal["run.resumed"] = "run.resumed"
    reason: Literal["server_restarted"] = "server_restarted"
    turn: int


class ModelUsage(_Event):
    """One answered model call: its tokens, its cost (None when the model's price is
    unknown), and how long its prompt was (`context_tokens`) of the model's window. A turn's
    call has `purpose` "turn"; condensing the conversation makes a "summary" call."""

    type: Literal["model.usage"] = "model.usage"
    turn: int
    purpose: Literal["turn", "summary"] = "turn"
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None
    context_tokens: int
    context_window: int


class ContextCompacted(_Event):
    type: Literal["context.compacted"] = "context.compacted"
    tokens_before: int
    tokens_after: int


RunStatus = Literal["completed", "failed", "cancelled", "timed_out"]


class RunUsage(BaseModel):
    """A run's model usage, all calls together; `cost_usd` is None when the price of the
    model is unknown."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None


class RunFinished(_Event):
    type: Literal["run.finished"] = "run.finished"
    status: RunStatus
    error: ErrorInfo | None = None
    edited_paths: list[str] = Field(default_factory=list)
    usage: RunUsage = Field(default_factory=RunUsage)


CommitState = Literal["pending", "committed", "pushed", "failed"]


class CommitUpdated(_Event):
    type: Literal["commit.updated"] = "commit.updated"
    version_id: str
    state: CommitState
    sha: str | None = None
    error: ErrorInfo | None = None


Event = Annotated[
    RunStarted
    | TurnStarted
    | TextDelta
    | ToolStarted
    | ToolFinished
    | FileUpdated
    | VersionCreated
    | ModelRetry
    | RunResumed
    | ModelUsage
    | ContextCompacted
    | RunFinished
    | CommitUpdated,
    Field(discriminator="type"),
]

event_adapter: TypeAdapter[Event] = TypeAdapter(Event)


def to_wire(event: _Event) -> dict[str, Any]:
    """The event as it is stored and sent. Its strings are repaired (`text.repair_tree`):
    an event can quote what a model or a web page wrote, and a log that held a string no
    encoder accepts could never be read back. (Dumped as Python, then repaired: pydantic's
    JSON mode itself refuses such a string. Every field is a JSON type either way.)"""
    data: dict[str, Any] = text.repair_tree(event.model_dump())
    if data.get("run_id") is None:
        data.pop("run_id", None)
    return data


def json_schema() -> dict[str, Any]:
    """The schema the TypeScript client's event types are generated from."""
    return event_adapter.json_schema(mode="serialization")
