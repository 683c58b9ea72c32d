"""Running one turn's tool calls: concurrently, each under its own deadline, cancellably.

Design
------
One asyncio task per tool call, created the moment the call's input is complete in the
model's stream (reads and searches). File operations (edits, deletes, renames) are
different: they are collected and applied as one batch, in the order the model asked, only
once the model's message is complete. A model call that fails half-way and is retried
therefore never applies an edit twice, nor half of a message's edits, and the batch becomes
one version, written atomically. Each call of the batch gets its own result (see
`file_ops.py`): one refused call never speaks for the others.

Every call ends in exactly one outcome, reported once (`tool.finished`), whatever happens:
- the tool returns: `ok`, with its content for the model and a short summary for people;
- it raises `ToolError` or anything else: `error`, with a message the model can act on;
- its deadline passes: `timeout`; the task is cancelled, the turn goes on.
A failing tool never touches its siblings: tasks share nothing but the outcome table, and
the failure is data for the model, not an exception for the loop.

Cancellation (the user pressed stop, the run's deadline passed, the model call is retried):
`cancel(status)` cancels every task still running, then waits for them to finish
unwinding, bounded by `drain_timeout` so a tool that ignores cancellation cannot hold the
run. The edit batch is the one exception: it is shielded while it commits, because a
half-made decision about a transaction is worse than waiting a few milliseconds; if it
commits, its calls finish `ok` and the edits are reported as applied. Every call still
without an outcome then finishes with `status` (`cancelled` or `timeout`). Events are
emitted synchronously into the run's recorder, never awaited, so cancellation can never
interrupt a half-emitted event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from appwright.agent.edited_paths import add_edited
from appwright.agent.tools import FileOp, ToolKind, kind_of, parse_input
from appwright.errors import ToolError
from appwright.events.mapping import file_updates
from appwright.events.types import ToolFinished, ToolStarted, ToolStatus, _Event
from appwright.models.types import Message, ToolCallPart

log = logging.getLogger(__name__)

Emit = Callable[[_Event], None]


@dataclass(frozen=True)
class ToolOutcome:
    call: ToolCallPart
    status: ToolStatus
    content: str
    summary: str
    duration_ms: int

    @property
    def is_error(self) -> bool:
        return self.status != "ok"


@dataclass(frozen=True)
class EditResult:
    call_id: str
    ok: bool
    content: str
    summary: str


@dataclass(frozen=True)
class EditBatch:
    results: list[EditResult]
    version_id: str | None = None
    changed: dict[str, bool] = field(default_factory=dict)  # path -> deleted


class ToolBox(Protocol):
    """The I/O behind the tools (files, search), for one run."""

    async def run(self, name: str, tool_input: Any) -> tuple[str, str]:
        """(content for the model, summary for people); raises ToolError."""
        ...

    async def apply_edits(
        self, ops: list[tuple[str, FileOp]], *, turn: int, message: Message
    ) -> EditBatch:
        """Apply one message's file operations (by call id) as one version; a result per
        call, each saying what happened to that call. `turn` and `message` are recorded
        with the version (see `open_turn.py`)."""
        ...

    def timeout_for(self, kind: ToolKind) -> float: ...


class ToolSet:
    def __init__(
        self,
        toolbox: ToolBox,
        emit: Emit,
        run_id: str,
        *,
        drain_timeout: float = 0.5,
        on_outcome: Callable[[ToolOutcome], None] | None = None,
        edited_paths: list[str] | None = None,
    ) -> None:
        """`edited_paths` is the run's list (`edited_paths.py`): each landed edit adds to it."""
        self._toolbox = toolbox
        self._emit = emit
        self._run_id = run_id
        self._drain_timeout = drain_timeout
        self._on_outcome = on_outcome
        self._started: dict[str, tuple[ToolCallPart, float]] = {}
        self._outcomes: dict[str, ToolOutcome] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._edits: list[tuple[ToolCallPart, FileOp]] = []
        self._edit_task: asyncio.Task[None] | None = None
        self.edited_paths = [] if edited_paths is None else edited_paths

    def on_call(self, call: ToolCallPart) -> None:
        """A call's input is complete in the stream: announce it, and start it if it reads."""
        self._started[call.id] = (call, time.monotonic())
        self._emit(
            ToolStarted(tool_id=call.id, name=call.name, input=call.input, run_id=self._run_id)
        )
        try:
            parsed = parse_input(call.name, call.input)
        except ToolError as error:
            self._finish(call, "error", error.message, error.message)
            return
        kind = kind_of(call.name)
        if kind is ToolKind.EDIT:
            assert isinstance(parsed, FileOp)
            self._edits.append((call, parsed))
            return
        self._tasks[call.id] = asyncio.create_task(
            self._run_one(call, parsed, self._toolbox.timeout_for(kind)),
            name=f"tool:{call.name}:{call.id}",
        )

    async def complete(self, turn: int, message: Message) -> list[ToolOutcome]:
        """Turn `turn`'s message is complete: apply its edits, wait for every call, return
        outcomes in the order the model made the calls."""
        calls = message.tool_calls
        if self._edits and self._edit_task is None:
            self._edit_task = asyncio.create_task(
                self._apply_edits(list(self._edits), turn, message)
            )
        waiting = [*self._tasks.values(), *([self._edit_task] if self._edit_task else [])]
        if waiting:
            await asyncio.gather(*waiting)
        return [self._outcomes[c.id] for c in calls]

    async def cancel(self, status: ToolStatus, reason: str) -> None:
        for task in self._tasks.values():
            task.cancel()
        pending = [t for t in self._tasks.values() if not t.done()]
        if self._edit_task is not None and not self._edit_task.done():
            pending.append(self._edit_task)
        if pending:
            await asyncio.wait(pending, timeout=self._drain_timeout)
        for call, _started in list(self._started.values()):
            self._finish(call, status, reason, reason)

    def outcomes_so_far(
        self, calls: list[ToolCallPart], status: ToolStatus, reason: str
    ) -> list[ToolOutcome]:
        for call in calls:
            if call.id not in self._outcomes:
                self._finish(call, status, reason, reason)
        return [self._outcomes[c.id] for c in calls]

    async def _run_one(self, call: ToolCallPart, parsed: Any, deadline: float) -> None:
        try:
            async with asyncio.timeout(deadline):
                content, summary = await self._toolbox.run(call.name, parsed)
        except TimeoutError:
            message = f"{call.name} did not finish within {deadline:g} s and was stopped."
            self._finish(call, "timeout", message, message)
        except ToolError as error:
            self._finish(call, "error", error.message, error.message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("tool failed", extra={"tool": call.name})
            message = f"{call.name} failed unexpectedly; try again or use another approach."
            self._finish(call, "error", message, message)
        else:
            self._finish(call, "ok", content, summary)

    async def _apply_edits(
        self, edits: list[tuple[ToolCallPart, FileOp]], turn: int, message: Message
    ) -> None:
        timeout = self._toolbox.timeout_for(ToolKind.EDIT)
        batch_task = asyncio.ensure_future(
            self._toolbox.apply_edits(
                [(call.id, edit) for call, edit in edits], turn=turn, message=message
            )
        )
        try:
            async with asyncio.timeout(timeout):
                batch = await asyncio.shield(batch_task)
        except TimeoutError:
            # Stop it, and learn what happened: a commit already under way lands all the
            # same, and is then reported as applied (stopping gets as long as writing had).
            batch_task.cancel()
            await asyncio.wait({batch_task}, timeout=timeout)
            if batch_task.done() and not batch_task.cancelled() and not batch_task.exception():
                self._record_batch(edits, batch_task.result())
                return
            reason = (
                f"The edits could not be saved within {timeout:g} s; nothing was changed."
                if batch_task.cancelled()
                else f"The edits could not be confirmed within {timeout:g} s; they may have "
                "been applied: read the files before changing them again."
            )
            for call, _edit in edits:
                self._finish(call, "timeout", reason, reason)
            return
        except ToolError as error:  # the batch could not be written at all
            reason = (
                f"The file changes of this message could not be saved, so none of them was "
                f"applied: {error.message}"
            )
            for call, _edit in edits:
                self._finish(call, "error", reason, reason)
            return
        except asyncio.CancelledError:
            # Shielded: let a commit that is under way land, and report it truthfully.
            try:
                batch = await asyncio.wait_for(asyncio.shield(batch_task), self._drain_timeout)
            except (TimeoutError, asyncio.CancelledError, Exception):
                raise asyncio.CancelledError() from None
            self._record_batch(edits, batch)
            raise
        self._record_batch(edits, batch)

    def _record_batch(self, edits: list[tuple[ToolCallPart, FileOp]], batch: EditBatch) -> None:
        by_id = {r.call_id: r for r in batch.results}
        for call, _edit in edits:
            result = by_id[call.id]
            self._finish(call, "ok" if result.ok else "error", result.content, result.summary)
        if batch.version_id:
            add_edited(self.edited_paths, sorted(batch.changed))
            for event in file_updates(batch.version_id, batch.changed, self._run_id):
                self._emit(event)

    def _finish(self, call: ToolCallPart, status: ToolStatus, content: str, summary: str) -> None:
        if call.id in self._outcomes:
            return
        started = self._started.get(call.id, (call, time.monotonic()))[1]
        outcome = ToolOutcome(
            call=call,
            status=status,
            content=content,
            summary=summary,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        self._outcomes[call.id] = outcome
        self._emit(
            ToolFinished(
                tool_id=call.id,
                name=call.name,
                status=status,
                duration_ms=outcome.duration_ms,
                summary=summary,
                run_id=self._run_id,
            )
        )
        if self._on_outcome is not None:
            self._on_outcome(outcome)
