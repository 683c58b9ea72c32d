"""The Anthropic Messages API as the sim speaks it: auth, validation, answers, errors.

Requests are validated as strictly as the real API validates them (`anthropic_validation`);
the prompt must fit the context window (400 `prompt is too long: N tokens > M maximum`) and
`max_tokens` the model's output limit. Error bodies and stream events have the real shapes,
so the official SDK parses them into the same objects and exceptions it would in production:
usage with `cache_read_input_tokens` and `cache_creation_input_tokens`, `stop_details` on a
refusal, and no `content_block_stop` for a tool call cut by the output limit.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from appwright.sim.answer import Planned, PlannedText, PlannedTool
from appwright.sim.anthropic_validation import validate as validate
from appwright.sim.cache import PromptCache, PromptUsage
from appwright.sim.delivery import Frame, sse_frame
from appwright.sim.script import Script
from appwright.sim.tokens import MESSAGE_OVERHEAD, Segment, marked, segments

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_DEFAULT_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "The requested resource could not be found.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out",
    "overloaded_error": "Overloaded",
}


def error_type_for(status: int) -> str:
    return _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


def status_for(error_type: str) -> int:
    return next((s for s, t in _ERROR_TYPES.items() if t == error_type), 500)


def request_headers() -> dict[str, str]:
    return {"request-id": f"req_{uuid.uuid4().hex[:24]}"}


def error_body(error_type: str, message: str | None = None) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message or _DEFAULT_MESSAGES.get(error_type, "")},
        "request_id": request_headers()["request-id"],
    }


def error_response(
    status: int, message: str | None = None, *, retry_after: float | None = None
) -> Response:
    headers = request_headers()
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    return JSONResponse(error_body(error_type_for(status), message), status, headers=headers)


def error_frame(error_type: str) -> bytes:
    return sse_frame(error_body(error_type), event="error")


def invalid_response(problem: str) -> Response:
    return error_response(400, problem)


def auth_error(headers: Any) -> Response | None:
    # The API takes `x-api-key`; anthropic 2.x sends the key as a bearer token instead.
    bearer = headers.get("authorization", "")
    key = headers.get("x-api-key") or (
        bearer[7:].strip() if bearer[:7].lower() == "bearer " else ""
    )
    if not key:
        return error_response(401, "x-api-key header is required")
    if key.startswith("invalid"):
        return error_response(401, "invalid x-api-key")
    return None


# --- reading a request ----------------------------------------------------------------------


def turn_index(body: Any) -> int:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def system_text(body: Any) -> str:
    system = body.get("system") if isinstance(body, dict) else None
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n".join(
            b["text"] for b in system if isinstance(b, dict) and isinstance(b.get("text"), str)
        )
    return ""


def echo_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            return " ".join(_blocks_text(message.get("content")))
    return ""


def _blocks_text(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    return [b["text"] for b in content if b.get("type") == "text"]


# --- the prompt, its limits and its cache --------------------------------------------------


def prompt(body: dict[str, Any]) -> list[Segment]:
    """Tools, system and messages in the order the model reads them (and the cache keys)."""
    parts: list[tuple[Any, int, bool]] = [(t, 0, marked(t)) for t in body.get("tools") or []]
    system = body.get("system")
    if isinstance(system, str) and system:
        parts.append(({"type": "text", "text": system}, 0, False))
    elif isinstance(system, list):
        parts.extend((b, 0, marked(b)) for b in system)
    for message in body["messages"]:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for i, block in enumerate(blocks):
            extra = MESSAGE_OVERHEAD if i == 0 else 0
            parts.append(({"role": message["role"], **block}, extra, marked(block)))
    return segments(parts)


def prompt_usage(
    cache: PromptCache, model: str, segments_: list[Segment], script: Script
) -> PromptUsage:
    return cache.explicit(model, segments_, script.cache_min_tokens)


def max_tokens(body: dict[str, Any]) -> int:
    return int(body["max_tokens"])


def limits_error(body: dict[str, Any], tokens: int, script: Script) -> Response | None:
    if tokens > script.context_window:
        return error_response(
            400, f"prompt is too long: {tokens} tokens > {script.context_window} maximum"
        )
    if body["max_tokens"] > script.max_output_tokens:
        return error_response(
            400,
            f"max_tokens: {body['max_tokens']} > {script.max_output_tokens}, which is the "
            f"maximum allowed number of output tokens for {body['model']}",
        )
    return None


# --- answering ------------------------------------------------------------------------------


def _content(planned: Planned, model: str, index: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for block in planned.blocks:
        if isinstance(block, PlannedText):
            blocks.append({"type": "text", "text": block.text})
        elif isinstance(block, PlannedTool):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": planned.tool_id(block, "toolu_", model, index),
                    "name": block.name,
                    "input": block.input,
                }
            )
        else:
            blocks.append(dict(block.block))
    return blocks


def _usage(usage: PromptUsage, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": usage.input_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": usage.cache_write_tokens,
            "ephemeral_1h_input_tokens": 0,
        },
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def _stop_details(planned: Planned) -> dict[str, Any] | None:
    if planned.stop_reason != "refusal":
        return None
    details = planned.stop_details or {}
    return {
        "type": "refusal",
        "category": details.get("category"),
        "explanation": details.get("explanation"),
    }


def answer(
    planned: Planned, model: str, index: int, body: dict[str, Any], usage: PromptUsage
) -> dict[str, Any]:
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _content(planned, model, index),
        "stop_reason": planned.stop_reason,
        "stop_sequence": None,
        "stop_details": _stop_details(planned),
        "usage": _usage(usage, planned.output_tokens),
    }


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def frames(
    planned: Planned,
    model: str,
    index: int,
    body: dict[str, Any],
    usage: PromptUsage,
    chunk_chars: int,
) -> list[Frame]:
    """The stream for a turn, event by event, in the real API's order (ping after the first
    content_block_start, an empty input_json_delta opening each tool input, no stop for a
    tool call the output limit cut)."""
    whole = answer(planned, model, index, body, usage)
    start = {**whole, "content": [], "stop_reason": None, "stop_details": None}
    start["usage"] = _usage(usage, 1)
    out = [Frame(sse_frame({"type": "message_start", "message": start}, "message_start"))]
    for i, (block, planned_block) in enumerate(zip(whole["content"], planned.blocks, strict=True)):
        out.extend(_block_frames(i, block, planned_block, chunk_chars))
        if i == 0:
            out.insert(2, Frame(sse_frame({"type": "ping"}, "ping")))
    if not whole["content"]:
        out.append(Frame(sse_frame({"type": "ping"}, "ping")))
    delta = {
        "stop_reason": whole["stop_reason"],
        "stop_sequence": None,
        "stop_details": whole["stop_details"],
    }
    end_usage = {**_usage(usage, planned.output_tokens)}
    end_usage.pop("cache_creation")
    end_usage.pop("service_tier")
    out.append(_event("message_delta", delta=delta, usage=end_usage))
    out.append(_event("message_stop"))
    return out


def _block_frames(i: int, block: dict[str, Any], planned: Any, size: int) -> list[Frame]:
    if isinstance(planned, PlannedText):
        deltas = [{"type": "text_delta", "text": t} for t in _chunks(planned.text, size)]
        opening: dict[str, Any] = {**block, "text": ""}
    elif isinstance(planned, PlannedTool):
        pieces = [""] + _chunks(planned.json_text, size)
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces]
        opening = {**block, "input": {}}
    else:
        deltas = list(planned.deltas)
        opening = block
    out = [_event("content_block_start", index=i, content_block=opening)]
    out.extend(_event("content_block_delta", True, index=i, delta=d) for d in deltas)
    if not (isinstance(planned, PlannedTool) and planned.cut):
        out.append(_event("content_block_stop", index=i))
    return out


def _event(kind: str, paced: bool = False, **fields: Any) -> Frame:
    return Frame(sse_frame({"type": kind, **fields}, kind), paced=paced)
