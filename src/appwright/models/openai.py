"""`ModelClient` over any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM),
through the official SDK, streaming.

Chat completions streams tool calls as fragments keyed by index: the first fragment of a call
carries its id and name, the rest carry pieces of the arguments. The wire never says "this
call is complete", so a call ends when the next index (or text) begins or the choice
finishes; `ToolCallEnd` goes out right then, so the run loop can start the tool without
waiting for the rest of the message. A choice that finishes with `length` (the output limit)
leaves its last call open: its arguments were cut, so the call is cut, never run.

Finish reasons map onto ours: `length` is `max_tokens`, `content_filter` (and a `refusal`
in the delta) is `refusal`. Usage arrives in a last chunk without choices
(`stream_options.include_usage`); `prompt_tokens` includes the cached ones
(`prompt_tokens_details.cached_tokens`), which we count apart, as cache reads.

The SDK never retries (`max_retries=0`): retries and idle timeouts belong to the run loop.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import openai

from appwright.errors import ModelError
from appwright.models.errors import (
    backstop_timeout,
    bad_response,
    stream_dropped,
    to_model_error,
)
from appwright.models.types import (
    MAX_TOKENS,
    REFUSAL,
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

PROVIDER = "OpenAI-compatible API"
_STOP_REASONS = {
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "stop": "end_turn",
    "length": MAX_TOKENS,
    "content_filter": REFUSAL,
}
_FILTERED = "The provider's content filter stopped the reply."


class OpenAIModel:
    def __init__(
        self, api_key: str, base_url: str | None = None, idle_timeout: float = 45.0
    ) -> None:
        """`base_url` None lets the SDK read `OPENAI_BASE_URL` (or use the real API)."""
        self._api_key = api_key
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=openai.Timeout(backstop_timeout(idle_timeout), connect=10.0),
        )

    def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        reader = _StreamReader()
        return translated(
            lambda: self._client.chat.completions.create(
                **request_params(request), stream=True, stream_options={"include_usage": True}
            ),
            reader.feed,
            self._error,
            lambda: [reader.finish()],
        )

    def _error(self, exc: Exception, mid_stream: bool) -> ModelError | None:
        return to_model_error(
            exc, provider=PROVIDER, mid_stream=mid_stream, secrets=[self._api_key]
        )

    async def aclose(self) -> None:
        await self._client.close()


# --- our conversation -> the wire ------------------------------------------------------------


def request_params(request: ModelRequest) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for message in request.messages:
        messages.extend(message_params(message))
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages,
    }
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.input_schema,
                },
            }
            for t in request.tools
        ]
    return params


def message_params(message: Message) -> list[dict[str, Any]]:
    """One of our messages as chat messages: a user message's tool results become `tool`
    messages, which must come right after the assistant message that made the calls."""
    if message.role == "assistant":
        wire: dict[str, Any] = {"role": "assistant", "content": message.text or None}
        if message.tool_calls:
            wire["tool_calls"] = [_call(c) for c in message.tool_calls]
        return [wire]
    out = [_tool_message(p) for p in message.parts if isinstance(p, ToolResultPart)]
    # Each text part is a paragraph of its own (the owner's words, then our notes).
    text = "\n\n".join(p.text for p in message.parts if isinstance(p, TextPart) and p.text)
    if text or not out:
        out.append({"role": "user", "content": text})
    return out


def _call(call: ToolCallPart) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": json.dumps(call.input)},
    }


def _tool_message(result: ToolResultPart) -> dict[str, Any]:
    # Chat completions has no error flag on a tool result; the model reads it in the text.
    content = f"Error: {result.content}" if result.is_error else result.content
    return {"role": "tool", "tool_call_id": result.tool_call_id, "content": content}


# --- the wire -> our events ------------------------------------------------------------------


@dataclass
class _StreamReader:
    started: set[int] = field(default_factory=set)
    open: set[int] = field(default_factory=set)
    finish_reason: str | None = None
    usage: Usage = Usage()
    refusal: str = ""

    def feed(self, chunk: Any) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if chunk.usage is not None:
            self.usage = _usage(chunk.usage)
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            if delta is not None and delta.content:
                # Calls stream one after another: text after a call means the call is done.
                out.extend(self._close_open())
                out.append(TextChunk(delta.content))
            if delta is not None and getattr(delta, "refusal", None):
                self.refusal += delta.refusal
            for call in (delta.tool_calls if delta is not None else None) or []:
                out.extend(self._call_fragment(call))
            if choice.finish_reason:
                if choice.finish_reason != "length":
                    out.extend(self._close_open())
                self.finish_reason = choice.finish_reason
        return out

    def _call_fragment(self, call: Any) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        index = call.index
        function = call.function
        if index not in self.started:
            out.extend(self._close_open())
            self.started.add(index)
            self.open.add(index)
            name = (function.name if function else None) or ""
            out.append(ToolCallStart(index=index, id=call.id or f"call_{index}", name=name))
        elif index not in self.open:
            raise bad_response(PROVIDER, f"arguments for tool call {index} after it ended")
        arguments = function.arguments if function else None
        if arguments:
            out.append(ToolCallDelta(index=index, partial_json=arguments))
        return out

    def _close_open(self) -> list[StreamEvent]:
        ended: list[StreamEvent] = [ToolCallEnd(index=i) for i in sorted(self.open)]
        self.open.clear()
        return ended

    def finish(self) -> MessageEnd:
        if self.finish_reason is None:
            raise stream_dropped(PROVIDER, "the stream ended without a finish_reason")
        reason = _STOP_REASONS.get(self.finish_reason, self.finish_reason)
        # Some servers (older Ollama) say "stop" after calling tools.
        if self.started and reason == "end_turn":
            reason = "tool_use"
        details = None
        if self.refusal or reason == REFUSAL:
            reason = REFUSAL
            details = StopDetails(
                category="content_filter" if self.finish_reason == "content_filter" else None,
                explanation=self.refusal or _FILTERED,
            )
        return MessageEnd(reason, usage=self.usage, stop_details=details)


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
    prompt = usage.prompt_tokens or 0
    return Usage(
        input_tokens=max(0, prompt - cached),
        output_tokens=usage.completion_tokens or 0,
        cache_read_tokens=cached,
    )
