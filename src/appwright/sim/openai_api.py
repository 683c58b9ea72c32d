"""OpenAI chat completions as the sim speaks it: bearer auth, validation, chunks, errors.

Strict where agent loops go wrong: an assistant message with `tool_calls` must be followed by
one `tool` message per call id, and a `tool` message must answer a preceding call; a prompt
longer than the context window is refused with `context_length_exceeded`. Stream chunks
carry tool calls by index, the id and name in the first fragment, the arguments spread over
the following ones, exactly as the official SDK expects to fold them. A reply cut by the
output limit finishes with `length` (its last call's arguments cut off), a refusal with
`content_filter`; usage reports cached prompt tokens in `prompt_tokens_details`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from appwright.sim.answer import Planned, PlannedText, PlannedTool
from appwright.sim.cache import PromptCache, PromptUsage
from appwright.sim.delivery import Frame, sse_frame
from appwright.sim.script import Script
from appwright.sim.tokens import MESSAGE_OVERHEAD, Segment, segments

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}
_STATUS_FOR_TYPE = {"overloaded_error": 529, "rate_limit_error": 429, "server_error": 500}
_MESSAGES = {
    429: "Rate limit reached for requests (simulated).",
    500: "The server had an error while processing your request.",
    529: "The engine is currently overloaded, please try again later.",
}
_FINISH = {
    "tool_use": "tool_calls",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
}
DEFAULT_MAX_TOKENS = 4096


class Invalid(Exception):
    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


def error_type_for(status: int) -> str:
    return _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")


def status_for(error_type: str) -> int:
    return _STATUS_FOR_TYPE.get(error_type, 500)


def request_headers() -> dict[str, str]:
    return {"x-request-id": f"req_{uuid.uuid4().hex[:24]}"}


def _error(message: str, error_type: str, param: str | None = None, code: str | None = None):
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def error_response(
    status: int,
    message: str | None = None,
    *,
    retry_after: float | None = None,
    param: str | None = None,
    code: str | None = None,
) -> Response:
    headers = request_headers()
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    text = message or _MESSAGES.get(status, f"The server answered {status} (simulated).")
    return JSONResponse(_error(text, error_type_for(status), param, code), status, headers=headers)


def error_frame(error_type: str) -> bytes:
    return sse_frame(_error(_MESSAGES[status_for(error_type)], error_type))


def auth_error(headers: Any) -> Response | None:
    value = headers.get("authorization", "")
    key = value[7:].strip() if value.lower().startswith("bearer ") else ""
    if not key:
        return error_response(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    if key.startswith("invalid"):
        masked = f"{key[:3]}{'*' * 8}{key[-4:]}" if len(key) > 12 else "*" * 8
        return error_response(401, f"Incorrect API key provided: {masked}.", code="invalid_api_key")
    return None


def invalid_response(problem: Invalid) -> Response:
    return error_response(400, problem.message, param=problem.param, code=problem.code)


# --- reading a request ----------------------------------------------------------------------


def turn_index(body: Any) -> int:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def system_text(body: Any) -> str:
    messages = body.get("messages") if isinstance(body, dict) else None
    return "\n".join(
        m["content"]
        for m in messages or []
        if isinstance(m, dict)
        and m.get("role") in ("system", "developer")
        and isinstance(m.get("content"), str)
    )


def echo_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def validate(body: Any) -> Invalid | None:
    try:
        _validate(body)
    except Invalid as problem:
        return problem
    return None


def _validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise Invalid("We could not parse the JSON body of your request.")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise Invalid("you must provide a model parameter")
    messages = body.get("messages")
    if messages is None:
        raise Invalid(
            "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
        )
    if not isinstance(messages, list) or not messages:
        raise Invalid("[] is too short - 'messages'", "messages", "empty_array")
    for i, tool in enumerate(body.get("tools") or []):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            name = f"tools[{i}].function.name"
            raise Invalid(f"Missing required parameter: '{name}'.", name)
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise Invalid(
                f"Invalid value: '{message.get('role') if isinstance(message, dict) else ''}'. "
                "Supported values are: 'system', 'assistant', 'user', 'function', and 'tool'.",
                f"messages.[{i}].role",
                "invalid_value",
            )
    _validate_tool_pairing(messages)


def _validate_tool_pairing(messages: list[dict[str, Any]]) -> None:
    i = 0
    while i < len(messages):
        message = messages[i]
        if message["role"] == "tool":
            raise Invalid(
                "Invalid parameter: messages with role 'tool' must be a response to a "
                "preceeding message with 'tool_calls'.",
                f"messages.[{i}].role",
            )
        calls = message.get("tool_calls") if message["role"] == "assistant" else None
        i += 1
        if not calls:
            continue
        ids = [c.get("id") for c in calls if isinstance(c, dict)]
        answered: list[str] = []
        while i < len(messages) and messages[i]["role"] == "tool":
            call_id = messages[i].get("tool_call_id")
            if call_id not in ids:
                raise Invalid(
                    f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                    "'tool_calls' of previous message.",
                    f"messages.[{i}].tool_call_id",
                )
            answered.append(str(call_id))
            i += 1
        missing = [cid for cid in ids if cid not in answered]
        if missing:
            raise Invalid(
                "An assistant message with 'tool_calls' must be followed by tool messages "
                "responding to each 'tool_call_id'. The following tool_call_ids did not have "
                f"response messages: {', '.join(str(m) for m in missing)}",
                f"messages.[{i - 1 - len(answered)}].role",
            )


# --- the prompt, its limits and its cache --------------------------------------------------


def prompt(body: dict[str, Any]) -> list[Segment]:
    parts: list[tuple[Any, int, bool]] = [(t, 0, False) for t in body.get("tools") or []]
    parts.extend((m, MESSAGE_OVERHEAD, False) for m in body["messages"])
    return segments(parts)


def prompt_usage(
    cache: PromptCache, model: str, segments_: list[Segment], script: Script
) -> PromptUsage:
    return cache.automatic(model, segments_, script.cache_min_tokens)


def max_tokens(body: dict[str, Any]) -> int:
    value = body.get("max_completion_tokens") or body.get("max_tokens")
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_TOKENS


def limits_error(body: dict[str, Any], tokens: int, script: Script) -> Response | None:
    if tokens > script.context_window:
        return error_response(
            400,
            f"This model's maximum context length is {script.context_window} tokens. However, "
            f"your messages resulted in {tokens} tokens. Please reduce the length of the "
            "messages.",
            param="messages",
            code="context_length_exceeded",
        )
    asked = max_tokens(body)
    if asked > script.max_output_tokens:
        return error_response(
            400,
            f"max_tokens is too large: {asked}. This model supports at most "
            f"{script.max_output_tokens} completion tokens, whereas you provided {asked}.",
            param="max_tokens",
            code="invalid_value",
        )
    return None


# --- answering ------------------------------------------------------------------------------


def _calls(planned: Planned, model: str, index: int) -> list[dict[str, Any]]:
    return [
        {
            "id": planned.tool_id(block, "call_", model, index),
            "type": "function",
            "function": {"name": block.name, "arguments": block.json_text},
        }
        for block in planned.blocks
        if isinstance(block, PlannedTool)
    ]


def _text(planned: Planned) -> str:
    return "".join(b.text for b in planned.blocks if isinstance(b, PlannedText))


def _usage(planned: Planned, usage: PromptUsage) -> dict[str, Any]:
    prompt_tokens = usage.input_tokens + usage.cache_read_tokens
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": planned.output_tokens,
        "total_tokens": prompt_tokens + planned.output_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read_tokens, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def answer(
    planned: Planned, model: str, index: int, body: dict[str, Any], usage: PromptUsage
) -> dict[str, Any]:
    calls = _calls(planned, model, index)
    message: dict[str, Any] = {"role": "assistant", "content": _text(planned) or None}
    if calls:
        message["tool_calls"] = calls
    message["refusal"] = None
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_appwright_sim",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": _FINISH[planned.stop_reason],
            }
        ],
        "usage": _usage(planned, usage),
    }


def frames(
    planned: Planned,
    model: str,
    index: int,
    body: dict[str, Any],
    usage: PromptUsage,
    chunk_chars: int,
) -> list[Frame]:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_appwright_sim",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, paced: bool = True) -> Frame:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return Frame(sse_frame({**base, "choices": [choice]}), paced=paced)

    out = [chunk({"role": "assistant", "content": "", "refusal": None}, paced=False)]
    calls = iter(_calls(planned, model, index))
    call_index = 0
    size = chunk_chars
    for block in planned.blocks:
        if isinstance(block, PlannedText):
            pieces = [block.text[i : i + size] for i in range(0, len(block.text), size)]
            out.extend(chunk({"content": piece}) for piece in pieces)
            continue
        if not isinstance(block, PlannedTool):
            continue  # chat completions has no other kinds of content
        call = next(calls)
        head = {"index": call_index, **call, "function": {**call["function"], "arguments": ""}}
        out.append(chunk({"tool_calls": [head]}))
        arguments = call["function"]["arguments"]
        for i in range(0, len(arguments), size):
            fragment = {"index": call_index, "function": {"arguments": arguments[i : i + size]}}
            out.append(chunk({"tool_calls": [fragment]}))
        call_index += 1
    out.append(chunk({}, _FINISH[planned.stop_reason], paced=False))
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        usage_chunk = {**base, "choices": [], "usage": _usage(planned, usage)}
        out.append(Frame(sse_frame(usage_chunk)))
    out.append(Frame(sse_frame("[DONE]")))
    return out
