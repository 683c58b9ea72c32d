"""`ModelClient` over the Anthropic Messages API, through the official SDK, streaming.

The wire's content blocks map one to one onto our events: a `tool_use` block's start,
input_json deltas and stop become `ToolCallStart`, `ToolCallDelta` and `ToolCallEnd`,
keyed by the block's index. `ToolCallEnd` goes out on the block's `content_block_stop`,
not at the end of the message, because the run loop starts the tool the moment it arrives.

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
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
)
from appwright.models.wire import translated

PROVIDER = "Anthropic"
# The API refuses empty text blocks and empty messages; a message that would be empty
# (an assistant turn that said nothing, say) keeps its place with this.
_EMPTY = "(no content)"


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
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": [message_param(m) for m in request.messages],
    }
    if request.system:
        params["system"] = request.system
    if request.tools:
        params["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema}
            for t in request.tools
        ]
    return params


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
    """Turns raw stream events into ours; ignores block types we do not use (thinking)."""

    tool_blocks: set[int] = field(default_factory=set)
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str | None = None
    ended: bool = False

    def end(self) -> list[StreamEvent]:
        if not self.ended:
            raise stream_dropped(PROVIDER, "the stream ended before message_stop")
        return []

    def feed(self, event: Any) -> list[StreamEvent]:
        kind = event.type
        if kind == "message_start":
            usage = event.message.usage
            self.input_tokens = usage.input_tokens or 0
            self.output_tokens = usage.output_tokens or 0
        elif kind == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self.tool_blocks.add(event.index)
                return [ToolCallStart(index=event.index, id=block.id, name=block.name)]
            if block.type == "text" and block.text:
                return [TextDelta(block.text)]
        elif kind == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta" and delta.text:
                return [TextDelta(delta.text)]
            if delta.type == "input_json_delta" and delta.partial_json:
                if event.index in self.tool_blocks:
                    return [ToolCallDelta(index=event.index, partial_json=delta.partial_json)]
        elif kind == "content_block_stop":
            if event.index in self.tool_blocks:
                return [ToolCallEnd(index=event.index)]
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason or self.stop_reason
            self.output_tokens = event.usage.output_tokens or self.output_tokens
            self.input_tokens = getattr(event.usage, "input_tokens", None) or self.input_tokens
        elif kind == "message_stop":
            self.ended = True
            return [
                MessageEnd(
                    stop_reason=self.stop_reason or "end_turn",
                    input_tokens=self.input_tokens,
                    output_tokens=self.output_tokens,
                )
            ]
        return []
