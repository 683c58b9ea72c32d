"""What the sim's model says for a turn, in wire-neutral form, cut where a real one would be.

A real model stops at the request's `max_tokens` (stop reason `max_tokens`), or where the
context window is full (`model_context_window_exceeded`), wherever it is: in the middle of a
text, or of a tool call's input, whose block then never ends. `plan` applies both limits to
the scripted content; the dialects turn the plan into their own wire format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from appwright.sim.script import OpaqueBlock, TextBlock, Turn, tool_use_id
from appwright.sim.tokens import chars_for, count


@dataclass(frozen=True)
class PlannedText:
    text: str


@dataclass(frozen=True)
class PlannedTool:
    index: int  # position among the turn's blocks, which names the call
    name: str
    id: str | None
    json_text: str
    cut: bool = False

    @property
    def input(self) -> dict[str, Any]:
        value = json.loads(self.json_text) if not self.cut else {}
        return value if isinstance(value, dict) else {}


PlannedBlock = PlannedText | PlannedTool | OpaqueBlock


@dataclass(frozen=True)
class Planned:
    blocks: tuple[PlannedBlock, ...]
    stop_reason: str
    stop_details: dict[str, Any] | None
    output_tokens: int

    @property
    def cut(self) -> bool:
        return (
            bool(self.blocks) and isinstance(self.blocks[-1], PlannedTool) and self.blocks[-1].cut
        )

    def tool_id(self, block: PlannedTool, prefix: str, model: str, turn: int) -> str:
        return block.id or tool_use_id(prefix, model, turn, block.index)


def _tokens(block: PlannedBlock) -> int:
    if isinstance(block, PlannedText):
        return count(block.text)
    if isinstance(block, PlannedTool):
        return count(block.name) + count(block.json_text)
    return 0


def plan(turn: Turn, max_tokens: int, room: int) -> Planned:
    """The turn's content within `min(max_tokens, room)` output tokens; `room` is what the
    context window has left after the prompt."""
    limit = min(max_tokens, room)
    limit_reason = "max_tokens" if max_tokens <= room else "model_context_window_exceeded"
    blocks: list[PlannedBlock] = []
    used = 0
    for i, scripted in enumerate(turn.content):
        if isinstance(scripted, TextBlock):
            block: PlannedBlock = PlannedText(scripted.text)
        elif isinstance(scripted, OpaqueBlock):
            block = scripted
        else:
            block = PlannedTool(i, scripted.name, scripted.id, json.dumps(scripted.input))
        tokens = _tokens(block)
        if used + tokens > limit:
            blocks.extend(_cut(block, limit - used))
            return Planned(tuple(blocks), limit_reason, None, limit)
        used += tokens
        blocks.append(block)
    return Planned(tuple(blocks), turn.stop_reason, turn.stop_details, max(1, used))


def _cut(block: PlannedBlock, tokens_left: int) -> list[PlannedBlock]:
    if isinstance(block, PlannedText):
        text = block.text[: chars_for(tokens_left)]
        return [PlannedText(text)] if text else []
    if isinstance(block, PlannedTool):
        room = chars_for(max(0, tokens_left - count(block.name)))
        return [PlannedTool(block.index, block.name, block.id, block.json_text[:room], cut=True)]
    return []
