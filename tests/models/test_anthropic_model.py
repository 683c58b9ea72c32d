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
    request = ModelRequest("m", "be brief", messages, TOOLS, max_tokens=99, cache=False)
    params = request_params(request)
    assert params["system"] == [{"type": "text", "text": "be brief"}]
    assert params["max_tokens"] == 99
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
    request = ModelRequest("m", "", (Message("user", (TextPart(""),)),), (), cache=False)
    params = request_params(request)
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


def test_cache_breakpoints_on_the_prefix_the_newest_message_and_the_previous_request():
    call = ToolCallPart("toolu_1", "list_files", {})
    messages = (
        Message("user", (TextPart("first"),)),
        Message("assistant", (call,)),
        Message("user", (ToolResultPart("toolu_1", "[]"),)),
        Message("assistant", (TextPart("Done."),)),
        Message("user", (TextPart("next"), TextPart("(files)", note=True))),
    )
    params = request_params(ModelRequest("m", "sys", messages, TOOLS))
    marked = [
        (where, block)
        for where, blocks in [
            ("tools", params["tools"]),
            ("system", params["system"]),
            *[(f"messages.{i}", m["content"]) for i, m in enumerate(params["messages"])],
        ]
        for block in blocks
        if "cache_control" in block
    ]
    assert [where for where, _ in marked] == ["system", "messages.2", "messages.4"]
    assert marked[2][1]["text"] == "(files)", "the newest message's last block"
    assert all(block["cache_control"] == {"type": "ephemeral"} for _, block in marked)
    uncached = request_params(ModelRequest("m", "sys", messages, TOOLS, cache=False))
    assert "cache_control" not in str(uncached)


def test_a_final_assistant_message_is_continued_without_trailing_whitespace():
    messages = (
        Message("user", (TextPart("go"),)),
        Message("assistant", (TextPart("Half way \n"),)),
    )
    params = request_params(ModelRequest("m", "sys", messages, TOOLS, cache=False))
    assert params["messages"][-1]["content"] == [{"type": "text", "text": "Half way"}]
