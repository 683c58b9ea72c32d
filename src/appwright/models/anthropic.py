"""`ModelClient` over the Anthropic Messages API, through the official SDK, streaming.

The wire's content blocks map one to one onto our events: a `tool_use` block's start,
input_json deltas and stop become `ToolCallStart`, `ToolCallDelta` and `ToolCallEnd`,
keyed by the block's index. `ToolCallEnd` goes out on the block's `content_block_stop`,
not at the end of the message, because the run loop starts the tool the moment it arrives.
A block cut by the output limit never gets its stop, and so never its `ToolCallEnd`. Block
types we do not use (thinking, server tools, types newer than this code) are skipped.

Prompt caching: a request marks three cache breakpoints, the stable prefix (tools and the
system prompt, which holds nothing that changes between turns), the newest message, and the
user message before it, which was the newest of the previous request. A turn then reads
everything up to its previous request from the cache and writes only what was added, and a
session's next run reads the previous run's conversation the same way. Usage comes back split
into uncached input, cache reads and cache writes (message_start, updated by message_delta).

The SDK never retries (`max_retries=0`): retries and idle timeouts belong to the run loop.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import anthropic

from appwright.errors import ModelError
from appwright.models.errors import backstop_timeout, stream_dropped, to_model_error
from appwright.models.types import (
    Message,
    MessageEnd,
    ModelRequest,
    StopDetails,
    StreamEvent,
    TextChunk,
    TextPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    Usage,
)
from appwright.models.wire import translated

PROVIDER = "Anthropic"
# The API refuses empty text blocks and empty messages; a message that would be empty
# (an assistant turn that said nothing, say) keeps its place with this.
_EMPTY = "(no content)"
_CACHE = {"type": "ephemeral"}


class AnthropicModel:
    def __init__(
        self, api_key: str, base_url: str | None = None, idle_timeout: float = 45.0
    ) -> None:
        """`base_url` None lets the SDK read `ANTHROPIC_BASE_URL` (or use the real API)."""
        self._api_key = api_key
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=anthropic.Timeout(backstop_timeout(idle_timeout), connect=10.0),
        )

    def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        reader = _StreamReader()
        return translated(
            lambda: self._client.messages.create(**request_params(request), stream=True),
            reader.feed,
            self._error,
            reader.end,
        )

    def _error(self, exc: Exception, mid_stream: bool) -> ModelError | None:
        return to_model_error(
            exc, provider=PROVIDER, mid_stream=mid_stream, secrets=[self._api_key]
        )

    async def aclose(self) -> None:
        await self._client.close()


# --- our conversation -> the wire ------------------------------------------------------------


def request_params(request: ModelRequest) -> dict[str, Any]:
    messages = [message_param(m) for m in request.messages]
    if messages and messages[-1]["role"] == "assistant":
        _trim_final_assistant(messages[-1])
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages,
    }
    if request.system:
        params["system"] = [{"type": "text", "text": request.system}]
    if request.tools:
        params["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema}
            for t in request.tools
        ]
    if request.cache:
        _mark_breakpoints(params)
    return params


def _mark_breakpoints(params: dict[str, Any]) -> None:
    """The stable prefix (tools come before the system prompt on the wire, so one mark on
    the system prompt covers both), the newest message, and the user message before it."""
    prefix = params.get("system") or params.get("tools")
    if prefix:
        prefix[-1]["cache_control"] = _CACHE
    messages = params["messages"]
    marked = messages[-1:]
    earlier_users = [m for m in messages[:-1] if m["role"] == "user"]
    if earlier_users:
        marked.append(earlier_users[-1])
    for message in marked:
        message["content"][-1]["cache_control"] = _CACHE


def _trim_final_assistant(message: dict[str, Any]) -> None:
    """The API continues a final assistant message (a paused turn) and refuses one that
    ends in whitespace."""
    last = message["content"][-1]
    if last["type"] == "text":
        last["text"] = last["text"].rstrip() or _EMPTY


def message_param(message: Message) -> dict[str, Any]:
    # The API requires tool results to open the user message that answers the calls.
    results = [_block(p) for p in message.parts if isinstance(p, ToolResultPart)]
    others = [_block(p) for p in message.parts if not isinstance(p, ToolResultPart)]
    blocks = results + [b for b in others if b is not None]
    return {"role": message.role, "content": blocks or [{"type": "text", "text": _EMPTY}]}


def _block(part: TextPart | ToolCallPart | ToolResultPart) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text.strip() else None
    if isinstance(part, ToolCallPart):
        return {"type": "tool_use", "id": part.id, "name": part.name, "input": part.input}
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": part.tool_call_id,
        "content": part.content or _EMPTY,
    }
    if part.is_error:
        block["is_error"] = True
    return block


# --- the wire -> our events ------------------------------------------------------------------


@dataclass
class _StreamReader:
    """Turns raw stream events into ours; ignores block types we do not use."""

    tool_blocks: set[int] = field(default_factory=set)
    usage: dict[str, int] = field(default_factory=dict)
    stop_reason: str | None = None
    stop_details: StopDetails | None = None
    ended: bool = False

    def end(self) -> list[StreamEvent]:
        if not self.ended:
            raise stream_dropped(PROVIDER, "the stream ended before message_stop")
        return []

    def feed(self, event: Any) -> list[StreamEvent]:
        kind = event.type
        if kind == "message_start":
            self._count(getattr(event.message, "usage", None))
        elif kind == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self.tool_blocks.add(event.index)
                return [ToolCallStart(index=event.index, id=block.id, name=block.name)]
            if block.type == "text" and block.text:
                return [TextChunk(block.text)]
        elif kind == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta" and delta.text:
                return [TextChunk(delta.text)]
            if delta.type == "input_json_delta" and delta.partial_json:
                if event.index in self.tool_blocks:
                    return [ToolCallDelta(index=event.index, partial_json=delta.partial_json)]
        elif kind == "content_block_stop":
            if event.index in self.tool_blocks:
                return [ToolCallEnd(index=event.index)]
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason or self.stop_reason
            details = getattr(event.delta, "stop_details", None)
            if details is not None:
                self.stop_details = StopDetails(
                    category=getattr(details, "category", None),
                    explanation=getattr(details, "explanation", None),
                )
            self._count(getattr(event, "usage", None))
        elif kind == "message_stop":
            self.ended = True
            return [
                MessageEnd(
                    stop_reason=self.stop_reason or "end_turn",
                    usage=Usage(
                        input_tokens=self.usage.get("input_tokens", 0),
                        output_tokens=self.usage.get("output_tokens", 0),
                        cache_read_tokens=self.usage.get("cache_read_input_tokens", 0),
                        cache_write_tokens=self.usage.get("cache_creation_input_tokens", 0),
                    ),
                    stop_details=self.stop_details,
                )
            ]
        return []

    def _count(self, usage: Any) -> None:
        """message_start gives the first counts, message_delta cumulative ones; either may
        leave a field out (or the whole usage), which keeps the count known so far."""
        if usage is None:
            return
        for name in _USAGE_FIELDS:
            value = getattr(usage, name, None)
            if isinstance(value, int):
                self.usage[name] = value


_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)
