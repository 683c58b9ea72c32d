"""The Messages API's rules for a request, as strict as the real API on what an agent loop
gets wrong: roles alternate starting with user, every `tool_use` has its `tool_result` first
in the very next message, no `tool_result` names an unknown call, a final assistant message
(which the model continues) does not end in whitespace, and at most four blocks carry
`cache_control`. `validate` gives the real API's complaint, word for word where we know it.
"""

from __future__ import annotations

import re
from typing import Any

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
MAX_BREAKPOINTS = 4


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
