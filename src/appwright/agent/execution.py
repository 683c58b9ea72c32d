"""Executing one run: loading its conversation, running its loop under the run deadline,
turning how the loop ended into a status, and writing the run's single `run.finished`
(or, when the process shuts down, handing the run over for another process to resume; or,
when another process took the run over meanwhile, letting it go without a word)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appwright.agent import stops
from appwright.agent.accounting import ModelCall
from appwright.agent.budget import RunLimits
from appwright.agent.compaction import Compacted
from appwright.agent.context import Measured
from appwright.agent.journal import RunJournal
from appwright.agent.loop import AgentLoop, LoopConfig, RunIO, RunState
from appwright.agent.parallel import ToolOutcome
from appwright.agent.prompt import system_prompt
from appwright.agent.retry import RetryPolicy
from appwright.agent.toolbox import AppToolBox
from appwright.agent.tools import tool_specs
from appwright.config import Settings
from appwright.errors import AppwrightError
from appwright.events.types import ErrorInfo, RunStatus, ToolStatus
from appwright.models.base import NOT_CONFIGURED, ModelClient
from appwright.models.types import REFUSAL, Message
from appwright.ops import structured_logs as ctx
from appwright.ops.metrics import Metrics
from appwright.search.base import SearchProvider
from appwright.store import apps as app_store
from appwright.store import conversation as conversation_store
from appwright.store import sessions as session_store
from appwright.store import usage as usage_store
from appwright.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class RunHandle:
    run_id: str
    session_id: str
    app_id: str
    vendor_id: str
    text: str
    state: RunState
    journal: RunJournal
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None
    loop_task: asyncio.Task[None] | None = None
    detached: bool = False  # the process is shutting down: hand the run over, don't end it
    abandoned: bool = False  # taken over too often: end it instead of resuming it again
    lost: bool = False  # another process took the run over: stop, write nothing more

    stop_requested: bool = False

    def __post_init__(self) -> None:
        self.journal.on_lost = self.lose

    def lose(self) -> None:
        self.lost = True
        self.stop("cancelled")

    def stop(self, status: ToolStatus) -> None:
        """Stop the loop now, or as soon as it starts (a cancel may arrive while the run is
        still loading its conversation)."""
        self.state.stop_status = status
        self.stop_requested = True
        if self.loop_task is not None and not self.loop_task.done():
            self.loop_task.cancel()


class RunExecutor:
    def __init__(
        self,
        settings: Settings,
        workspace: Workspace,
        model: ModelClient | None,
        search: SearchProvider,
        metrics: Metrics,
        *,
        on_done: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.db = workspace.db
        self.model = model
        self.search = search
        self.metrics = metrics
        self._on_done = on_done

    async def execute(self, handle: RunHandle) -> None:
        ctx.run_id.set(handle.run_id)
        ctx.app_id.set(handle.app_id)
        status: RunStatus = "completed"
        error: ErrorInfo | None = None
        try:
            status, error = await self._drive(handle)
        except Exception as unexpected:  # a bug: still end the run, and say so
            log.exception("run crashed")
            status, error = (
                "failed",
                ErrorInfo(
                    code="internal_error",
                    message=f"The run stopped on an internal error ({type(unexpected).__name__}).",
                ),
            )
        finally:
            await asyncio.shield(self._finish(handle, status, error))

    async def _drive(self, handle: RunHandle) -> tuple[RunStatus, ErrorInfo | None]:
        if handle.abandoned:
            return "failed", ErrorInfo(
                code="server_restarted",
                message="The server running this request stopped several times while working on "
                f"it, so it was not resumed again.{_kept(handle.state.edited_paths)}",
            )
        if self.model is None:
            return "failed", ErrorInfo(code="model_not_configured", message=NOT_CONFIGURED)
        state = handle.state

        async def load(conn: Any) -> tuple[list[Message], app_store.AppRecord, str | None]:
            conversation = await session_store.conversation(conn, handle.session_id)
            app = await app_store.get_app(conn, handle.app_id, None)
            measure = await usage_store.latest_measure(conn, handle.session_id)
            totals = await usage_store.run_totals(conn, handle.run_id)
            state.measured = Measured(*measure) if measure else None
            state.usage, state.cost_usd = totals.usage, totals.cost_usd
            return conversation, app, await usage_store.last_stop_reason(conn, handle.run_id)

        conversation, app, last_stop = await self.db.read(load)
        state.conversation = conversation
        if stops.ended(state.turn, conversation[-1] if conversation else None, last_stop):
            if last_stop == REFUSAL:
                return "failed", ErrorInfo(
                    code="model_refused", message="The model declined this request."
                )
            return "completed", None
        loop = AgentLoop(self._loop_config(app.name), self._io(handle), state)
        handle.loop_task = asyncio.create_task(loop.run(), name=f"loop:{handle.run_id}")
        if handle.stop_requested:
            handle.loop_task.cancel()
        remaining = max(0.0, self.settings.timeout_run - (time.monotonic() - handle.started))
        done, _ = await asyncio.wait({handle.loop_task}, timeout=remaining)
        if not done:
            handle.stop("timeout")
        try:
            await handle.loop_task
        except asyncio.CancelledError:
            if state.stop_status == "timeout":
                return "timed_out", ErrorInfo(
                    code="run_timeout",
                    message=f"The request took longer than {self.settings.timeout_run:g} s and was "
                    f"stopped.{_kept(state.edited_paths)}",
                )
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
            return "cancelled", ErrorInfo(
                code="cancelled", message=f"Stopped at your request.{_kept(state.edited_paths)}"
            )
        except AppwrightError as error:  # the model failed for good, or too many turns
            return "failed", ErrorInfo(
                code=error.code, message=_with_kept(error.message, state.edited_paths)
            )
        return "completed", None

    def _loop_config(self, app_name: str) -> LoopConfig:
        s = self.settings
        return LoopConfig(
            model=s.model,
            system=system_prompt(app_name),
            tools=tool_specs(),
            max_turns=s.max_turns,
            max_tokens=s.max_tokens,
            idle_timeout=s.timeout_model_idle,
            retry=RetryPolicy(retries=s.model_retries, base=s.retry_base, cap=s.retry_cap),
            info=s.model_info,
            limits=RunLimits(max_tokens=s.max_run_tokens, max_cost_usd=s.max_run_cost_usd),
            cache=s.prompt_caching,
        )

    def _io(self, handle: RunHandle) -> RunIO:
        assert self.model is not None
        toolbox = AppToolBox(
            self.settings,
            self.workspace,
            self.search,
            vendor_id=handle.vendor_id,
            app_id=handle.app_id,
            journal=handle.journal,
            request_text=handle.text,
            history=handle.state.conversation,
        )

        async def save_turn(turn: int, messages: Any) -> None:
            await handle.journal.save_turn(turn, messages, list(handle.state.edited_paths))

        metrics = self.metrics
        model = self.settings.model

        async def record_call(call: ModelCall) -> None:
            record = usage_store.CallRecord(
                run_id=handle.run_id, session_id=handle.session_id, model=model, **vars(call)
            )
            # Not fenced: a call made is spent, whichever process still holds the run.
            await self.db.run(lambda conn: usage_store.record_call(conn, record))
            metrics.count_usage(model, call.usage, call.cost_usd)

        async def save_conversation(compacted: Compacted) -> None:
            await handle.journal.write(
                lambda conn: conversation_store.rewrite(
                    conn,
                    handle.session_id,
                    handle.run_id,
                    compacted.messages,
                    compacted.summarised,
                )
            )
            metrics.compactions.labels("summary" if compacted.summarised else "elided").inc()

        async def versions_made() -> list[str]:
            return await self.db.read(
                lambda conn: conversation_store.versions_made(conn, handle.session_id)
            )

        def on_tool(outcome: ToolOutcome) -> None:
            metrics.tool_calls.labels(outcome.call.name, outcome.status).inc()
            metrics.tool_seconds.labels(outcome.call.name).observe(outcome.duration_ms / 1000)

        return RunIO(
            model=self.model,
            toolbox=toolbox,
            emit=handle.journal.emit,
            save_turn=save_turn,
            on_retry=lambda reason: metrics.model_retries.labels(reason).inc(),
            on_first_token=metrics.first_token_seconds.observe,
            on_tool=on_tool,
            record_call=record_call,
            save_conversation=save_conversation,
            versions_made=versions_made,
        )

    async def _finish(self, handle: RunHandle, status: RunStatus, error: ErrorInfo | None) -> None:
        try:
            if handle.detached:
                await handle.journal.hand_over()
            elif handle.lost or not await self._end(handle, status, error):
                log.warning("another process took this run over; stopped here")
                self.metrics.takeovers.labels("lost").inc()
            await handle.journal.close()
        finally:
            self._on_done(handle.run_id)

    async def _end(self, handle: RunHandle, status: RunStatus, error: ErrorInfo | None) -> bool:
        """Writes the run's `run.finished`; False when the run is no longer this process's."""

        def counted() -> None:
            # Before `run.finished` is published: whoever sees the event sees the count.
            self.metrics.runs.labels(status).inc()
            log.info(
                "run finished", extra={"status": status, "code": error.code if error else None}
            )

        return await handle.journal.finish(
            status, error, list(handle.state.edited_paths), on_first=counted
        )


def _kept(paths: list[str]) -> str:
    if not paths:
        return " No files were changed."
    return f" Edits already applied are kept: {', '.join(paths)}."


def _with_kept(message: str, paths: list[str]) -> str:
    sentence = message.rstrip()
    if sentence and sentence[-1] not in ".!?)":
        sentence += "."
    return sentence + _kept(paths)
