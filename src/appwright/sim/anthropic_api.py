"""The Anthropic Messages API as the sim speaks it: auth, validation, answers, errors.

Validation is as strict as the real API on what an agent loop gets wrong: roles alternate
starting with user, every `tool_use` has its `tool_result` first in the very next message,
no `tool_result` names an unknown call, a final assistant message does not end in
whitespace, at most four blocks carry `cache_control`, the prompt fits the context window
(400 `prompt is too long: N tokens > M maximum`) and `max_tokens` the model's output limit.
Error bodies and stream events have the real shapes, so the official SDK parses them into the
same objects and exceptions it would in production: usage with `cache_read_input_tokens` and
`cache_creation_input_tokens`, `stop_details` on a refusal, and no `content_block_stop` for a
tool call cut by the output limit.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from appwright.sim.answer import Planned, PlannedText, PlannedTool
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
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
MAX_BREAKPOINTS = 4


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


def validate(body: Any) -> str | None:
    """The real API's complaint about this request, or None."""
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    for key in ("model", "max_tokens", "messages"):
        if key not in body:
            return f"{key}: Field required"
    if not isinstance(body["model"], str) or not body["model"]:
        return "model: Input should be a valid string"
    max_tokens = body["max_tokens"]
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        return "max_tokens: Input should be an integer greater than or equal to 1"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    return (
        _validate_system(body.get("system"))
        or _validate_tools(body.get("tools"))
        or _validate_messages(body["messages"])
        or _validate_breakpoints(body)
    )


def _validate_breakpoints(body: dict[str, Any]) -> str | None:
    blocks = [*_listed(body.get("tools")), *_listed(body.get("system"))]
    for message in body["messages"]:
        blocks.extend(_listed(message["content"]))
    found = sum(1 for b in blocks if isinstance(b, dict) and "cache_control" in b)
    if found > MAX_BREAKPOINTS:
        return (
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )
    for b in blocks:
        control = b.get("cache_control") if isinstance(b, dict) else None
        if control is not None and (
            not isinstance(control, dict) or control.get("type") != "ephemeral"
        ):
            return "cache_control.type: Input should be 'ephemeral'"
    return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _validate_system(system: Any) -> str | None:
    if system is None or isinstance(system, str):
        return None
    if isinstance(system, list) and all(
        isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
        for b in system
    ):
        return None
    return "system: Input should be a valid string or a list of text blocks"


def _validate_tools(tools: Any) -> str | None:
    if tools is None:
        return None
    if not isinstance(tools, list):
        return "tools: Input should be a valid list"
    names: set[str] = set()
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or "name" not in tool:
            return f"tools.{i}.name: Field required"
        if not isinstance(tool["name"], str) or not _TOOL_NAME.match(tool["name"]):
            return f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
        if tool["name"] in names:
            return "tools: Tool names must be unique."
        names.add(tool["name"])
        if not isinstance(tool.get("input_schema"), dict):
            return f"tools.{i}.custom.input_schema: Field required"
    return None


def _validate_messages(messages: Any) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        problem = _validate_message(message, i, last=i == len(messages) - 1)
        if problem:
            return problem
    if messages[0]["role"] != "user":
        return 'messages: first message must use the "user" role'
    for prev, message in zip(messages, messages[1:], strict=False):
        if prev["role"] == message["role"]:
            return (
                'messages: roles must alternate between "user" and "assistant", '
                f'but found multiple "{message["role"]}" roles in a row'
            )
    if messages[-1]["role"] == "assistant" and _ends_in_whitespace(messages[-1]["content"]):
        return "messages: final assistant content cannot end with trailing whitespace"
    return _validate_tool_pairing(messages)


def _ends_in_whitespace(content: Any) -> bool:
    if isinstance(content, str):
        return content != content.rstrip()
    last = content[-1] if content else None
    return (
        isinstance(last, dict)
        and last.get("type") == "text"
        and isinstance(last.get("text"), str)
        and last["text"] != last["text"].rstrip()
    )


def _validate_message(message: Any, i: int, *, last: bool) -> str | None:
    if not isinstance(message, dict):
        return f"messages.{i}: Input should be a valid dictionary"
    role = message.get("role")
    if role not in ("user", "assistant"):
        return f"messages.{i}.role: Input should be 'user' or 'assistant'"
    content = message.get("content")
    if isinstance(content, str):
        if not content and not (last and role == "assistant"):
            return (
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        return None
    if not isinstance(content, list):
        return f"messages.{i}.content: Input should be a valid string or list"
    if not content and not (last and role == "assistant"):
        return f"messages.{i}: all messages must have non-empty content"
    for j, block in enumerate(content):
        problem = _validate_block(block, role)
        if problem:
            return f"messages.{i}.content.{j}{problem}"
    return None


def _validate_block(block: Any, role: str) -> str | None:
    if not isinstance(block, dict) or "type" not in block:
        return ".type: Field required"
    kind = block["type"]
    if kind == "text":
        if not isinstance(block.get("text"), str) or not block["text"]:
            return ": text content blocks must be non-empty"
    elif kind == "tool_use":
        if role != "assistant":
            return ": tool_use blocks may only appear in assistant messages"
        for key in ("id", "name", "input"):
            if key not in block:
                return f".tool_use.{key}: Field required"
    elif kind == "tool_result":
        if role != "user":
            return ": tool_result blocks may only appear in user messages"
        if not isinstance(block.get("tool_use_id"), str):
            return ".tool_result.tool_use_id: Field required"
    elif kind not in ("image", "document", "thinking", "redacted_thinking"):
        return (
            f".type: Input tag '{kind}' found using 'type' does not match any of the expected tags"
        )
    return None


def _validate_tool_pairing(messages: list[dict[str, Any]]) -> str | None:
    seen: set[str] = set()
    offered: list[str] = []
    for i, message in enumerate(messages):
        blocks = message["content"] if isinstance(message["content"], list) else []
        if message["role"] == "assistant":
            offered = [b["id"] for b in blocks if b["type"] == "tool_use"]
            if seen.intersection(offered) or len(set(offered)) != len(offered):
                return f"messages.{i}: `tool_use` ids must be unique"
            seen.update(offered)
            if offered and i + 1 == len(messages):
                return _unanswered(i, offered)
            continue
        kinds = [b["type"] for b in blocks]
        answered = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
        if "tool_result" in kinds[len(answered) :]:
            return f"messages.{i}: `tool_result` blocks must come first in the user message"
        unknown = [tid for tid in answered if tid not in offered]
        if unknown:
            return (
                f"messages.{i}.content.{answered.index(unknown[0])}: unexpected `tool_use_id` "
                f"found in `tool_result` blocks: {unknown[0]}. Each `tool_result` block must "
                "have a corresponding `tool_use` block in the previous message."
            )
        missing = [tid for tid in offered if tid not in answered]
        if missing:
            return _unanswered(i - 1, missing)
        offered = []
    return None


def _unanswered(i: int, ids: list[str]) -> str:
    return (
        f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
        f"after: {', '.join(ids)}. Each `tool_use` block must have a corresponding "
        "`tool_result` block in the next message."
    )


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
