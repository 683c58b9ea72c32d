"""Our conversation as the Messages API wants it, and the adapter's own edges."""

from appwright.models.anthropic import AnthropicModel, request_params
from appwright.models.types import (
    Message,
    ModelRequest,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)
from appwright.sim import SimServer

CALL = ToolCallPart("toolu_1", "list_files", {})
TOOLS = (ToolSpec("list_files", "List files.", {"type": "object", "properties": {}}),)


def test_tool_results_open_the_user_message_and_empty_text_is_dropped():
    messages = (
        Message("user", (TextPart("hi"),)),
        Message("assistant", (TextPart("  "), CALL)),
        Message("user", (TextPart("also this"), ToolResultPart("toolu_1", "[]", is_error=True))),
    )
    params = request_params(ModelRequest("m", "be brief", messages, TOOLS, max_tokens=99))
    assert params["system"] == "be brief" and params["max_tokens"] == 99
    assert params["tools"] == [
        {"name": "list_files", "description": "List files.", "input_schema": TOOLS[0].input_schema}
    ]
    assert params["messages"][1]["content"] == [
        {"type": "tool_use", "id": "toolu_1", "name": "list_files", "input": {}}
    ]
    assert params["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "[]", "is_error": True},
        {"type": "text", "text": "also this"},
    ]


def test_a_message_with_nothing_to_say_keeps_its_place():
    params = request_params(ModelRequest("m", "", (Message("user", (TextPart(""),)),), ()))
    assert params["messages"][0]["content"] == [{"type": "text", "text": "(no content)"}]
    assert "system" not in params and "tools" not in params


async def test_the_sdk_sends_what_request_params_built(sim: SimServer, model: str, api_key: str):
    sim.script(model, [{"content": [{"type": "text", "text": "ok"}]}])
    adapter = AnthropicModel(api_key, sim.url, idle_timeout=1.0)
    try:
        request = ModelRequest(model, "sys", (Message("user", (TextPart("hi"),)),), TOOLS)
        [event async for event in adapter.stream(request)]
    finally:
        await adapter.aclose()
    body = sim.requests(model)[0]["body"]
    assert body == {**request_params(request), "stream": True}
