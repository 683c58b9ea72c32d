"""The run loop: stream a model turn, run every tool it asks for, send every result back in
one user message, repeat until the model ends its turn or the turn limit is reached.

The loop does no I/O of its own. It talks to four seams handed to it in `RunIO`: the model
client, the tool box, `emit` (the run's event recorder; synchronous, it never blocks) and
`save_turn` (makes a finished turn durable, so a run can be resumed after a crash from its
last completed turn). Deadlines and retries of model calls live here, so every provider
gets the same policy:

- a stream silent for `idle_timeout` (no wire event at all, pings included: adapters report
  those as `KeepAlive`) is abandoned (`model_stalled`) and retried;
- a transient failure (dropped connection, 429/5xx/529, `event: error` mid-stream) is retried
  up to `retries` times with exponential backoff and jitter, honouring `retry-after`, each
  announced by a `model.retry` event; tools started by the abandoned attempt are cancelled;
  a stall's own silence counts toward its backoff;
- anything else, or the last failure, ends the run `failed` with the error's own code.

Stopping (cancel, run deadline) is the runner's: it sets `stop_status` and cancels the task
running `run`; the loop then cancels and drains its tools (see `parallel.py`), makes the
finished part of the turn durable, and lets the cancellation propagate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from appwright.agent.parallel import Emit, ToolBox, ToolOutcome, ToolSet
from appwright.agent.retry import RetryPolicy
from appwright.errors import AppwrightError, ModelError
from appwright.events.types import ModelRetry, TextDelta, ToolStatus, TurnStarted
from appwright.models.base import ModelClient
from appwright.models.types import (
    Accumulator,
    KeepAlive,
    Message,
    ModelRequest,
    StreamEvent,
    StreamOrderError,
    ToolResultPart,
    ToolSpec,
)
from appwright.models.types import TextDelta as ModelTextDelta

STALLED = "model_stalled"


class MaxTurnsReached(AppwrightError):
    default_code = "max_turns"


@dataclass(frozen=True)
class LoopConfig:
    model: str
    system: str
    tools: tuple[ToolSpec, ...]
    max_turns: int = 25
    max_tokens: int = 8000
    idle_timeout: float = 45.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class RunIO:
    model: ModelClient
    toolbox: ToolBox
    emit: Emit
    save_turn: Callable[[int, Sequence[Message]], Awaitable[None]]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    on_retry: Callable[[str], None] | None = None
    on_first_token: Callable[[float], None] | None = None
    on_tool: Callable[[ToolOutcome], None] | None = None


@dataclass
class RunState:
    run_id: str
    conversation: list[Message]
    turn: int = 0
    stop_status: ToolStatus = "cancelled"
    edited_paths: list[str] = field(default_factory=list)


def merge_consecutive(messages: Sequence[Message]) -> tuple[Message, ...]:
    """Roles must alternate on the wire; a run that ended between a tool result and the
    next message leaves two user messages in a row, which are one message to the model."""
    merged: list[Message] = []
    for message in messages:
        if merged and merged[-1].role == message.role:
            merged[-1] = Message(role=message.role, parts=merged[-1].parts + message.parts)
        else:
            merged.append(message)
    return tuple(merged)


class AgentLoop:
    def __init__(self, config: LoopConfig, io: RunIO, state: RunState) -> None:
        self.config = config
        self.io = io
        self.state = state
        self._toolset: ToolSet | None = None

    async def run(self) -> None:
        """Runs turns until the model ends its turn. Raises ModelError, MaxTurnsReached, or
        CancelledError (after cleaning up) when the run cannot complete."""
        while True:
            if self.state.turn >= self.config.max_turns:
                raise MaxTurnsReached(
                    f"The model was still working after {self.config.max_turns} turns, the "
                    "limit for one request. Edits made so far are kept.",
                )
            self.state.turn += 1
            turn = self.state.turn
            self.io.emit(TurnStarted(turn=turn, run_id=self.state.run_id))
            message = await self._stream_turn()
            calls = message.tool_calls
            if not calls:
                await self._save(turn, [message])
                return
            try:
                outcomes = await self._toolset_or_fail().complete(turn, message)
            except asyncio.CancelledError:
                await self._stop_tools()
                outcomes = self._toolset_or_fail().outcomes_so_far(
                    calls, self.state.stop_status, "Stopped before it finished."
                )
                await asyncio.shield(self._save(turn, [message, _results(outcomes)]))
                raise
            await self._save(turn, [message, _results(outcomes)])

    async def _save(self, turn: int, messages: list[Message]) -> None:
        self.state.conversation.extend(messages)
        self._collect_edits()
        await self.io.save_turn(turn, messages)

    def _collect_edits(self) -> None:
        if self._toolset is None:
            return
        for path in self._toolset.edited_paths:
            if path not in self.state.edited_paths:
                self.state.edited_paths.append(path)

    def _toolset_or_fail(self) -> ToolSet:
        assert self._toolset is not None
        return self._toolset

    async def _stop_tools(self) -> None:
        if self._toolset is not None:
            await self._toolset.cancel(self.state.stop_status, "Stopped before it finished.")
            self._collect_edits()

    async def _stream_turn(self) -> Message:
        attempt = 1
        request = ModelRequest(
            model=self.config.model,
            system=self.config.system,
            messages=merge_consecutive(self.state.conversation),
            tools=self.config.tools,
            max_tokens=self.config.max_tokens,
        )
        while True:
            self._toolset = ToolSet(
                self.io.toolbox, self.io.emit, self.state.run_id, on_outcome=self.io.on_tool
            )
            try:
                return await self._stream_once(request)
            except asyncio.CancelledError:
                await self._stop_tools()
                raise
            except ModelError as error:
                await self._toolset.cancel("cancelled", "Abandoned: the model call was retried.")
                if not error.transient or not self.config.retry.allows(attempt):
                    if error.transient:
                        error.message = f"{error.message} (gave up after {attempt} attempts)"
                    raise
                delay = self.config.retry.delay(attempt, error.retry_after)
                if error.code == STALLED:
                    # The silence that revealed the stall already spaced the attempts apart.
                    delay = max(0.0, delay - self.config.idle_timeout)
                attempt += 1
                self.io.emit(
                    ModelRetry(
                        attempt=attempt,
                        delay_ms=int(delay * 1000),
                        reason=error.code,
                        run_id=self.state.run_id,
                    )
                )
                if self.io.on_retry is not None:
                    self.io.on_retry(error.code)
                await self.io.sleep(delay)

    async def _stream_once(self, request: ModelRequest) -> Message:
        toolset = self._toolset_or_fail()
        accumulator = Accumulator()
        started = time.monotonic()
        first = True
        timed = self._with_idle_timeout(self.io.model.stream(request))
        async with aclosing(timed) as events:  # type: ignore[type-var]
            async for event in events:
                if isinstance(event, KeepAlive):
                    continue
                if first and self.io.on_first_token is not None:
                    self.io.on_first_token(time.monotonic() - started)
                first = False
                try:
                    completed = accumulator.apply(event)
                except StreamOrderError as error:
                    raise ModelError(
                        f"The model's stream was malformed: {error}",
                        code="model_protocol_error",
                        transient=True,
                    ) from None
                if isinstance(event, ModelTextDelta) and event.text:
                    self.io.emit(TextDelta(text=event.text, run_id=self.state.run_id))
                if completed is not None:
                    toolset.on_call(completed)
        if accumulator.stop_reason is None:
            raise ModelError(
                "The model's stream ended before the message was complete.",
                code="model_stream_incomplete",
                transient=True,
            )
        return accumulator.message()

    async def _with_idle_timeout(
        self, stream: AsyncIterator[StreamEvent]
    ) -> AsyncIterator[StreamEvent]:
        idle = self.config.idle_timeout
        async with aclosing(stream) as source:  # type: ignore[type-var]
            iterator = source.__aiter__()
            while True:
                try:
                    async with asyncio.timeout(idle):
                        event = await iterator.__anext__()
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise ModelError(
                        f"The model stream was silent for {idle:g} s and was abandoned.",
                        code=STALLED,
                        transient=True,
                    ) from None
                yield event


def _results(outcomes: list[ToolOutcome]) -> Message:
    return Message(
        role="user",
        parts=tuple(
            ToolResultPart(tool_call_id=o.call.id, content=o.content, is_error=o.is_error)
            for o in outcomes
        ),
    )
