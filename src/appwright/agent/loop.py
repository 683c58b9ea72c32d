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

Before each request the loop makes sure it fits the model's context window (`context.py`,
`compaction.py`): a request expected to be longer than the window minus the output reserve
is condensed first, durably (`save_conversation`), and announced (`context.compacted`); a
provider that still finds the prompt too long gets one condensed retry. The request's
`max_tokens` stays within the run's spending limits (`budget.py`). Every answered call's
usage is recorded (`record_call`) and announced (`model.usage`); how a reply ended decides
what comes next (`stops.py`).

Stopping (cancel, run deadline) is the run service's (`runs.py`): it sets `stop_status` and
cancels the task running `run`; the loop then cancels and drains its tools (see
`parallel.py`), makes the finished part of the turn durable, and lets the cancellation
propagate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from appwright.agent.accounting import Meter, RecordCall
from appwright.agent.budget import BudgetExceeded, RunLimits
from appwright.agent.compaction import SUMMARY_SYSTEM, Compacted, compact
from appwright.agent.context import Measured, estimate_prefix, request_tokens
from appwright.agent.parallel import Emit, ToolBox, ToolOutcome, ToolSet
from appwright.agent.retry import RetryPolicy
from appwright.agent.stops import ModelRefused, after_reply, notes_message, raised_output
from appwright.errors import AppwrightError, ModelError
from appwright.events.types import ContextCompacted, ModelRetry, TextDelta, ToolStatus, TurnStarted
from appwright.models.base import ModelClient
from appwright.models.catalog import ModelInfo, model_info
from appwright.models.errors import CONTEXT_EXCEEDED
from appwright.models.types import (
    Accumulator,
    KeepAlive,
    Message,
    ModelRequest,
    Reply,
    StreamEvent,
    StreamOrderError,
    TextChunk,
    TextPart,
    ToolResultPart,
    ToolSpec,
    Usage,
)

STALLED = "model_stalled"
SUMMARY_MAX_TOKENS = 1500


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
    info: ModelInfo | None = None  # None: the catalog's entry for `model`
    limits: RunLimits = field(default_factory=RunLimits)
    cache: bool = True

    @property
    def model_info(self) -> ModelInfo:
        return self.info or model_info(self.model)


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
    record_call: RecordCall | None = None
    # Replaces the stored conversation with a condensed one.
    save_conversation: Callable[[Compacted], Awaitable[None]] | None = None
    # "v3 (index.html, app.js)" for each version made in the session, for summaries.
    versions_made: Callable[[], Awaitable[list[str]]] | None = None


@dataclass
class RunState:
    run_id: str
    conversation: list[Message]
    turn: int = 0
    stop_status: ToolStatus = "cancelled"
    edited_paths: list[str] = field(default_factory=list)
    usage: Usage = Usage()  # every call of the run so far
    cost_usd: float | None = 0.0  # None once a call's price is unknown
    measured: Measured | None = None  # the provider's count of the latest request
    max_tokens: int | None = None  # the raised output limit, once a call was cut
    window: int | None = None  # the window the provider reported, when smaller than ours


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
        self.info = config.model_info
        self._toolset: ToolSet | None = None
        self._compact_next = False
        self._prefix_tokens = estimate_prefix(config.system, config.tools)
        self.meter = Meter(
            model=config.model,
            info=self.info,
            limits=config.limits,
            state=state,
            emit=io.emit,
            record_call=io.record_call,
            window=self._window,
        )

    async def run(self) -> None:
        """Runs turns until the model ends its turn. Raises ModelError, MaxTurnsReached,
        ModelRefused, BudgetExceeded, ContextTooLong, or CancelledError (after cleaning up)
        when the run cannot complete."""
        while True:
            if self.state.turn >= self.config.max_turns:
                raise MaxTurnsReached(
                    f"The model was still working after {self.config.max_turns} turns, the "
                    "limit for one request. Edits made so far are kept.",
                )
            self.state.turn += 1
            turn = self.state.turn
            request, tokens = await self._prepare()
            self.io.emit(
                TurnStarted(
                    turn=turn,
                    context_tokens=tokens,
                    context_window=self._window(),
                    run_id=self.state.run_id,
                )
            )
            reply = await self._stream_turn(request)
            step = after_reply(reply, request.max_tokens)
            if step.refused is not None:
                await self._stop_tools()
                await self._save(turn, [step.message])
                raise ModelRefused(step.refused)
            if step.raise_output and self.state.max_tokens is None:
                self.state.max_tokens = raised_output(
                    request.max_tokens, min(self.info.max_output_tokens, self._window() // 2)
                )
            self._compact_next = self._compact_next or step.compact
            calls = step.message.tool_calls
            if not calls:
                notes = [notes_message(step.notes)] if step.notes else []
                await self._save(turn, [step.message, *notes])
                if step.done:
                    return
                continue
            try:
                outcomes = await self._toolset_or_fail().complete(turn, step.message)
            except asyncio.CancelledError:
                await self._stop_tools()
                outcomes = self._toolset_or_fail().outcomes_so_far(
                    calls, self.state.stop_status, "Stopped before it finished."
                )
                results = _results(outcomes, step.notes)
                await asyncio.shield(self._save(turn, [step.message, results]))
                raise
            await self._save(turn, [step.message, _results(outcomes, step.notes)])

    async def _save(self, turn: int, messages: list[Message]) -> None:
        self.state.conversation.extend(messages)
        await self.io.save_turn(turn, messages)

    def _toolset_or_fail(self) -> ToolSet:
        assert self._toolset is not None
        return self._toolset

    async def _stop_tools(self) -> None:
        if self._toolset is not None:
            await self._toolset.cancel(self.state.stop_status, "Stopped before it finished.")

    # --- the request: context budget and spending limits -------------------------------------

    def _window(self) -> int:
        return min(self.state.window or self.info.context_window, self.info.context_window)

    def _output_reserve(self) -> int:
        return min(self.state.max_tokens or self.config.max_tokens, self._window() // 2)

    async def _prepare(self, known_tokens: int | None = None) -> tuple[ModelRequest, int]:
        """The next request, condensed first when it would not fit; (request, its expected
        length). `known_tokens`: the provider just said how long it was, and too long."""
        conversation = self.state.conversation
        limit = self._window() - self._output_reserve()
        measured = self.state.measured
        measured_ok = measured is not None and measured.messages <= len(conversation)
        tokens = known_tokens or request_tokens(self._prefix_tokens, conversation, measured)
        if tokens > limit or self._compact_next or known_tokens is not None:
            tokens = await self._compact(tokens, limit, measured_ok or known_tokens is not None)
        request = ModelRequest(
            model=self.config.model,
            system=self.config.system,
            messages=merge_consecutive(conversation),
            tools=self.config.tools,
            max_tokens=self.meter.allowance(tokens, self._output_reserve()),
            cache=self.config.cache,
        )
        return request, tokens

    async def _compact(self, tokens: int, limit: int, measured: bool) -> int:
        forced = self._compact_next or tokens <= limit
        self._compact_next = False
        compacted = await compact(
            self.state.conversation,
            tokens=tokens,
            measured=measured,
            limit=limit,
            summarise=self._summarise,
            versions=self.io.versions_made or _no_versions,
            force=forced,
        )
        if self.io.save_conversation is not None:
            await self.io.save_conversation(compacted)
        self.state.conversation[:] = compacted.messages
        self.state.measured = Measured(compacted.tokens_after, len(compacted.messages))
        self.io.emit(
            ContextCompacted(
                tokens_before=compacted.tokens_before,
                tokens_after=compacted.tokens_after,
                run_id=self.state.run_id,
            )
        )
        return compacted.tokens_after

    async def _summarise(self, text: str) -> str | None:
        """The model's summary of `text`, or None when it cannot be had (the summary then
        holds only what the loop knows for certain)."""
        messages = (Message(role="user", parts=(TextPart(text),)),)
        request = ModelRequest(
            model=self.config.model,
            system=SUMMARY_SYSTEM,
            messages=messages,
            tools=(),
            max_tokens=SUMMARY_MAX_TOKENS,
            cache=False,
        )
        try:
            self.meter.allowance(request_tokens(0, messages, None), SUMMARY_MAX_TOKENS)
            accumulator = Accumulator()
            stream = self._with_idle_timeout(self.io.model.stream(request))
            async with aclosing(stream) as events:  # type: ignore[type-var]
                async for event in events:
                    accumulator.apply(event)
            reply = accumulator.reply()
        except (ModelError, StreamOrderError, BudgetExceeded):
            return None
        await self.meter.record(reply, purpose="summary", context_messages=None)
        return reply.message.text

    # --- the call: streaming, retries --------------------------------------------------------

    async def _stream_turn(self, request: ModelRequest) -> Reply:
        attempt = 1
        condensed = False
        while True:
            self._toolset = ToolSet(
                self.io.toolbox,
                self.io.emit,
                self.state.run_id,
                on_outcome=self.io.on_tool,
                edited_paths=self.state.edited_paths,
            )
            carried = len(self.state.conversation)
            try:
                reply = await self._stream_once(request)
            except asyncio.CancelledError:
                await self._stop_tools()
                raise
            except ModelError as error:
                await self._toolset.cancel("cancelled", "Abandoned: the model call was retried.")
                if error.code == CONTEXT_EXCEEDED and not condensed:
                    # The provider counted more than we did: condense to its count, once.
                    condensed = True
                    maximum = error.data.get("maximum")
                    if isinstance(maximum, int):
                        self.state.window = maximum
                    known = error.data.get("tokens")
                    reported = known if isinstance(known, int) else self._window() + 1
                    request, _tokens = await self._prepare(known_tokens=reported)
                    attempt += 1
                    self._announce_retry(attempt, 0.0, error.code)
                    continue
                if not error.transient or not self.config.retry.allows(attempt):
                    if error.transient:
                        error.message = f"{error.message} (gave up after {attempt} attempts)"
                    raise
                delay = self.config.retry.delay(attempt, error.retry_after)
                if error.code == STALLED:
                    # The silence that revealed the stall already spaced the attempts apart.
                    delay = max(0.0, delay - self.config.idle_timeout)
                attempt += 1
                self._announce_retry(attempt, delay, error.code)
                await self.io.sleep(delay)
                continue
            await self.meter.record(reply, purpose="turn", context_messages=carried)
            return reply

    def _announce_retry(self, attempt: int, delay: float, reason: str) -> None:
        self.io.emit(
            ModelRetry(
                attempt=attempt,
                delay_ms=int(delay * 1000),
                reason=reason,
                run_id=self.state.run_id,
            )
        )
        if self.io.on_retry is not None:
            self.io.on_retry(reason)

    async def _stream_once(self, request: ModelRequest) -> Reply:
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
                if isinstance(event, TextChunk) and event.text:
                    self.io.emit(TextDelta(text=event.valid().text, run_id=self.state.run_id))
                if completed is not None:
                    toolset.on_call(completed)
        if accumulator.end is None:
            raise ModelError(
                "The model's stream ended before the message was complete.",
                code="model_stream_incomplete",
                transient=True,
            )
        return accumulator.reply()

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


def _results(outcomes: list[ToolOutcome], notes: Sequence[str] = ()) -> Message:
    results = tuple(
        ToolResultPart(tool_call_id=o.call.id, content=o.content, is_error=o.is_error)
        for o in outcomes
    )
    return Message(role="user", parts=results + tuple(TextPart(n, note=True) for n in notes))


async def _no_versions() -> list[str]:
    return []
