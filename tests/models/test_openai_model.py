"""Our conversation as chat completions wants it, and how chunks become our events."""

import pytest
from openai.types.chat import ChatCompletionChunk

from appwright.errors import ModelError
from appwright.models.openai import OpenAIModel, _StreamReader, request_params
from appwright.models.types import (
    Message,
    MessageEnd,
    ModelRequest,
    TextChunk,
    TextPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    ToolSpec,
    Usage,
)
from appwright.sim import SimServer

TOOLS = (ToolSpec("list_files", "List files.", {"type": "object"}),)


def test_tool_results_become_tool_messages_right_after_the_calls():
    messages = (
        Message("user", (TextPart("hi"),)),
        Message("assistant", (ToolCallPart("c1", "list_files", {"deep": True}),)),
        Message("user", (TextPart("and hurry"), ToolResultPart("c1", "boom", is_error=True))),
    )
    params = request_params(ModelRequest("m", "sys", messages, TOOLS, max_tokens=50))
    assert params["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "list_files", "arguments": '{"deep": true}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "Error: boom"},
        {"role": "user", "content": "and hurry"},
    ]
    assert params["tools"][0]["function"]["parameters"] == {"type": "object"}
    assert params["max_tokens"] == 50


def chunk(delta: dict | None = None, finish: str | None = None, usage: dict | None = None):
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": choices,
            "usage": usage,
        }
    )


def call(index: int, arguments: str, call_id: str | None = None, name: str | None = None):
    function = {"arguments": arguments} | ({"name": name} if name else {})
    return {"tool_calls": [{"index": index, "id": call_id, "function": function}]}


def test_a_call_ends_when_the_next_begins_and_stop_after_calls_means_tool_use():
    reader = _StreamReader()
    events = []
    for c in [
        chunk(call(0, "", "a", "f")),
        chunk(call(0, '{"x":')),
        chunk(call(0, "1}")),
        chunk(call(1, "{}", "b", "g")),
        chunk({}, "stop"),
        chunk(usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}),
    ]:
        events.extend(reader.feed(c))
    events.append(reader.finish())
    assert events == [
        ToolCallStart(0, "a", "f"),
        ToolCallDelta(0, '{"x":'),
        ToolCallDelta(0, "1}"),
        ToolCallEnd(0),
        ToolCallStart(1, "b", "g"),
        ToolCallDelta(1, "{}"),
        ToolCallEnd(1),
        MessageEnd("tool_use", Usage(input_tokens=3, output_tokens=4)),
    ]


def test_text_after_a_call_ends_it():
    reader = _StreamReader()
    events = reader.feed(chunk(call(0, "{}", "a", "f"))) + reader.feed(chunk({"content": "so"}))
    assert events[-2:] == [ToolCallEnd(0), TextChunk("so")]
    with pytest.raises(ModelError) as caught:
        reader.feed(chunk(call(0, "more")))
    assert caught.value.code == "model_bad_response"


@pytest.mark.parametrize(("finish", "stop"), [("length", "max_tokens"), ("stop", "end_turn")])
def test_finish_reasons(finish: str, stop: str):
    reader = _StreamReader()
    reader.feed(chunk({"content": "x"}, finish))
    assert reader.finish().stop_reason == stop


def test_a_stream_without_finish_reason_was_dropped():
    reader = _StreamReader()
    reader.feed(chunk({"content": "x"}))
    with pytest.raises(ModelError) as caught:
        reader.finish()
    assert (caught.value.code, caught.value.transient) == ("model_stream_dropped", True)


async def test_the_sdk_sends_what_request_params_built(sim: SimServer, model: str, api_key: str):
    sim.script(model, [{"content": [{"type": "text", "text": "ok"}]}])
    adapter = OpenAIModel(api_key, f"{sim.url}/v1", idle_timeout=1.0)
    try:
        request = ModelRequest(model, "sys", (Message("user", (TextPart("hi"),)),), TOOLS)
        [event async for event in adapter.stream(request)]
    finally:
        await adapter.aclose()
    body = sim.requests(model)[0]["body"]
    assert body == {
        **request_params(request),
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_the_owners_words_and_our_notes_are_separate_paragraphs():
    message = Message("user", (TextPart("Make it blue."), TextPart("(files: a.html)", note=True)))
    params = request_params(ModelRequest("m", "", (message,), ()))
    assert params["messages"] == [{"role": "user", "content": "Make it blue.\n\n(files: a.html)"}]
