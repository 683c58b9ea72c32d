"""An open turn: a turn whose edits are applied while the turn itself is not saved yet.

A turn is saved (its message and every tool result, `runs.turns` bumped) once all its tools
have finished. Its edits, though, are applied as soon as the model's message is complete,
as one version, often while a web search of the same turn is still running. If the process
dies in between, a takeover that asked the model for that turn again would get the edits
again and apply them twice. So the edit's own transaction also records the turn as open
(`runs.open_turn`): its number, the model's message and the edits' outcomes. Saving the
turn clears it. A process that takes the run over closes an open turn instead of replaying
it: the message is kept, the edits keep their recorded outcomes, and every other call of the
message gets a "stopped" result; the run then continues with the next turn.

The record is also what makes the edit's write idempotent: a write attempted again (the
store retries a unit whose commit timed out, and the commit may have landed) finds its turn
open and writes nothing (`AlreadyApplied`); and an edit stopped at its deadline learns from
it whether its commit landed after all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appwright.agent.parallel import EditBatch, EditResult
from appwright.models.types import Message, ToolResultPart

# What the model reads for a call whose process stopped before it finished.
STOPPED_FOR_MODEL = (
    "The server running this tool stopped before it finished; call it again if you still "
    "need its result."
)


class AlreadyApplied(Exception):
    """The turn's edits are applied already: an earlier attempt of the same write committed
    (its answer was lost to a timeout). Raised inside the write, which then writes nothing."""

    def __init__(self, edits: EditBatch) -> None:
        super().__init__("this turn's edits are already applied")
        self.edits = edits


@dataclass(frozen=True)
class OpenTurn:
    turn: int
    message: Message
    edits: EditBatch

    def outcome(self, call_id: str) -> EditResult | None:
        return next((r for r in self.edits.results if r.call_id == call_id), None)

    def closed(self) -> list[Message]:
        """The turn as it is saved when its process stopped: the message, then one result
        per call, in the order of the calls."""
        results = []
        for call in self.message.tool_calls:
            edit = self.outcome(call.id)
            if edit is not None:
                results.append(ToolResultPart(call.id, edit.content, is_error=not edit.ok))
            else:
                results.append(ToolResultPart(call.id, STOPPED_FOR_MODEL, is_error=True))
        return [self.message, Message(role="user", parts=tuple(results))]

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "message": self.message.to_json(),
            "results": [
                {"call_id": r.call_id, "ok": r.ok, "content": r.content, "summary": r.summary}
                for r in self.edits.results
            ],
            "version_id": self.edits.version_id,
            "changed": self.edits.changed,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> OpenTurn:
        return OpenTurn(
            turn=int(data["turn"]),
            message=Message.from_json(data["message"]),
            edits=EditBatch(
                results=[
                    EditResult(r["call_id"], bool(r["ok"]), r["content"], r["summary"])
                    for r in data["results"]
                ],
                version_id=data.get("version_id"),
                changed=dict(data.get("changed") or {}),
            ),
        )
