"""A tool box for tests of the tool set and the loop without a database: reads wait at a
gate the test opens (so it can see which calls run at once), edits are recorded in the
order they arrive and answered as one version."""

from __future__ import annotations

import asyncio
from typing import Any

from appwright.agent.parallel import EditBatch, EditResult
from appwright.agent.tools import ApplyEdit, DeleteFile, FileOp, RenameFile, ToolKind
from appwright.models.types import Message


class GatedToolBox:
    def __init__(self, *, open_reads: bool = True, edit_delay: float = 0.0) -> None:
        self.open_reads = open_reads
        self.edit_delay = edit_delay
        self.started: list[str] = []  # read tools, by name, as they started
        self.running = 0
        self.most_at_once = 0
        self.edit_batches: list[list[tuple[str, FileOp]]] = []
        self.gates: dict[int, asyncio.Event] = {}  # by start order
        self.any_started = asyncio.Event()
        self._versions = 0

    def release(self, index: int) -> None:
        self._gate(index).set()

    def _gate(self, index: int) -> asyncio.Event:
        return self.gates.setdefault(index, asyncio.Event())

    def timeout_for(self, kind: ToolKind) -> float:
        return 5.0

    async def run(self, name: str, tool_input: Any) -> tuple[str, str]:
        index = len(self.started)
        self.started.append(name)
        self.any_started.set()
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            if not self.open_reads:
                await self._gate(index).wait()
        finally:
            self.running -= 1
        return f"{name} #{index} result", f"{name} #{index}"

    async def apply_edits(
        self, ops: list[tuple[str, FileOp]], *, turn: int, message: Message
    ) -> EditBatch:
        self.edit_batches.append(list(ops))
        if self.edit_delay:
            await asyncio.sleep(self.edit_delay)
        self._versions += 1
        changed: dict[str, bool] = {}
        for _call_id, op in ops:
            if isinstance(op, ApplyEdit):
                changed[op.filepath] = False
            elif isinstance(op, DeleteFile):
                changed[op.filepath] = True
            elif isinstance(op, RenameFile):
                changed[op.source] = True
                changed[op.target] = False
        return EditBatch(
            results=[EditResult(call_id, True, "applied", "applied") for call_id, _ in ops],
            version_id=f"ver_{self._versions}",
            changed=changed,
        )
