"""OpenAI chat completions as the sim speaks it: bearer auth, validation, chunks, errors.

Strict where agent loops go wrong: an assistant message with `tool_calls` must be followed by
one `tool` message per call id, and a `tool` message must answer a preceding call. Stream
chunks carry tool calls by index, the id and name in the first fragment, the arguments
spread over the following ones, exactly as the official SDK expects to fold them.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from appwright.sim.delivery import Frame, sse_frame
from appwright.sim.script import TextBlock, Turn, tool_use_id

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
_FINISH = {"tool_use": "tool_calls", "end_turn": "stop"}


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


# --- answering ------------------------------------------------------------------------------


def _calls(turn: Turn, model: str, index: int) -> list[dict[str, Any]]:
    return [
        {
            "id": block.id or tool_use_id("call_", model, index, i),
            "type": "function",
            "function": {"name": block.name, "arguments": json.dumps(block.input)},
        }
        for i, block in enumerate(turn.content)
        if not isinstance(block, TextBlock)
    ]


def _text(turn: Turn) -> str:
    return "".join(b.text for b in turn.content if isinstance(b, TextBlock))


def _usage(turn: Turn, body: dict[str, Any]) -> dict[str, int]:
    prompt = max(1, len(json.dumps(body.get("messages"))) // 4)
    arguments = sum(len(c["function"]["arguments"]) for c in _calls(turn, "", 0))
    completion = max(1, (len(_text(turn)) + arguments) // 4)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def answer(turn: Turn, model: str, index: int, body: dict[str, Any]) -> dict[str, Any]:
    calls = _calls(turn, model, index)
    message: dict[str, Any] = {"role": "assistant", "content": _text(turn) or None}
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
                "finish_reason": _FINISH[turn.stop_reason],
            }
        ],
        "usage": _usage(turn, body),
    }


def frames(turn: Turn, model: str, index: int, body: dict[str, Any]) -> list[Frame]:
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
    calls = iter(_calls(turn, model, index))
    call_index = 0
    size = turn.chunk_chars
    for block in turn.content:
        if isinstance(block, TextBlock):
            pieces = [block.text[i : i + size] for i in range(0, len(block.text), size)]
            out.extend(chunk({"content": piece}) for piece in pieces)
            continue
        call = next(calls)
        head = {"index": call_index, **call, "function": {**call["function"], "arguments": ""}}
        out.append(chunk({"tool_calls": [head]}))
        arguments = call["function"]["arguments"]
        for i in range(0, len(arguments), size):
            fragment = {"index": call_index, "function": {"arguments": arguments[i : i + size]}}
            out.append(chunk({"tool_calls": [fragment]}))
        call_index += 1
    out.append(chunk({}, _FINISH[turn.stop_reason], paced=False))
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        usage_chunk = {**base, "choices": [], "usage": _usage(turn, body)}
        out.append(Frame(sse_frame(usage_chunk)))
    out.append(Frame(sse_frame("[DONE]")))
    return out
