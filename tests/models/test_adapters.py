"""Both provider adapters against the sim: the same script, the same internal events."""

import asyncio
import time
from collections.abc import Callable

import pytest

from appwright.errors import ModelError
from appwright.models.base import ModelClient
from appwright.models.types import (
    KeepAlive,
    Message,
    MessageEnd,
    ModelRequest,
    StreamEvent,
    TextChunk,
    TextPart,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    ToolSpec,
    accumulate,
)
from appwright.sim import SimServer

EDIT = {"filepath": "index.html", "old_code": "<h1>", "new_code": "<h1 class='x'>"}
TOOLS = (
    ToolSpec("apply_edit", "Replace code in a file.", {"type": "object"}),
    ToolSpec("list_files", "List the app's files.", {"type": "object"}),
)
HELLO = (Message("user", (TextPart("Make the title blue."),)),)


def request(model: str, messages: tuple[Message, ...] = HELLO) -> ModelRequest:
    return ModelRequest(model=model, system="You edit web apps.", messages=messages, tools=TOOLS)


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool_use(name: str, tool_input: dict) -> dict:
    return {"type": "tool_use", "name": name, "input": tool_input}


async def collect(client: ModelClient, req: ModelRequest) -> list[StreamEvent]:
    """What the stream says, without the keep-alives that only prove it is alive."""
    return [event async for event in client.stream(req) if not isinstance(event, KeepAlive)]


async def test_wire_events_that_carry_nothing_still_count_as_life(
    sim: SimServer, client: ModelClient, model: str
):
    sim.script(model, [{"content": [text("hi")]}])
    events = [event async for event in client.stream(request(model))]
    assert any(isinstance(e, KeepAlive) for e in events), "message start / role chunks"
    assert accumulate(events).text == "hi"


async def failure(client: ModelClient, req: ModelRequest) -> tuple[list[StreamEvent], ModelError]:
    events: list[StreamEvent] = []
    with pytest.raises(ModelError) as caught:
        async for event in client.stream(req):
            if not isinstance(event, KeepAlive):
                events.append(event)
    return events, caught.value


async def test_text(sim: SimServer, client: ModelClient, model: str):
    sim.script(model, [{"content": [text("The title is now blue.")], "chunk_chars": 5}])
    events = await collect(client, request(model))
    assert all(isinstance(e, TextChunk) for e in events[:-1])
    end = events[-1]
    assert isinstance(end, MessageEnd) and end.stop_reason == "end_turn"
    assert end.usage.input_tokens > 0 and end.usage.output_tokens > 0
    assert accumulate(events) == Message("assistant", (TextPart("The title is now blue."),))


async def test_tool_calls_end_before_later_text_and_message_end(
    sim: SimServer, client: ModelClient, model: str
):
    content = [
        text("Editing."),
        tool_use("apply_edit", EDIT),
        tool_use("list_files", {}),
        text("Then?"),
    ]
    sim.script(model, [{"content": content, "chunk_chars": 7}])
    events = await collect(client, request(model))
    message = accumulate(events)
    calls = message.tool_calls
    assert [(c.name, c.input) for c in calls] == [("apply_edit", EDIT), ("list_files", {})]
    assert message.text == "Editing.Then?"
    assert isinstance(events[-1], MessageEnd) and events[-1].stop_reason == "tool_use"

    starts = [i for i, e in enumerate(events) if isinstance(e, ToolCallStart)]
    ends = [i for i, e in enumerate(events) if isinstance(e, ToolCallEnd)]
    later_text = next(i for i, e in enumerate(events) if isinstance(e, TextChunk) and i > starts[0])
    # Each call ends before the next begins, and before the text that follows them.
    assert starts[0] < ends[0] < starts[1] < ends[1] < later_text


async def test_tool_call_end_arrives_while_the_rest_still_streams(
    sim: SimServer, client: ModelClient, model: str
):
    content = [tool_use("list_files", {}), text("x" * 10)]
    sim.script(model, [{"content": content, "chunk_chars": 1, "token_delay": 0.04}])
    arrived: dict[type, float] = {}
    async for event in client.stream(request(model)):
        arrived.setdefault(type(event), time.monotonic())
    assert arrived[MessageEnd] - arrived[ToolCallEnd] >= 0.3


async def test_a_full_tool_round_trip_passes_the_strict_sim(
    sim: SimServer, client: ModelClient, model: str
):
    sim.script(
        model,
        [
            {"content": [tool_use("apply_edit", EDIT), tool_use("list_files", {})]},
            {"content": [text("Both done.")]},
        ],
    )
    first = accumulate(await collect(client, request(model)))
    results = (
        ToolResultPart(first.tool_calls[0].id, "edited"),
        ToolResultPart(first.tool_calls[1].id, "file list unavailable", is_error=True),
        TextPart("(the user also says: thanks)"),
    )
    history = (*HELLO, first, Message("user", results))
    second = accumulate(await collect(client, request(model, history)))
    assert second.text == "Both done."
    assert [r["turn"] for r in sim.requests(model)] == [0, 1]


async def test_missing_tool_result_is_a_bad_request(
    sim: SimServer, client: ModelClient, model: str
):
    call = ToolCallPart("toolu_x", "list_files", {})
    history = (*HELLO, Message("assistant", (call,)), Message("user", (TextPart("go on"),)))
    _, error = await failure(client, request(model, history))
    assert error.code == "model_bad_request" and not error.transient
    assert "toolu_x" in error.message


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (429, "rate_limited", True),
        (529, "overloaded", True),
        (500, "model_server_error", True),
        (503, "model_server_error", True),
        (408, "model_request_timeout", True),
        (409, "model_conflict", True),
        (400, "model_bad_request", False),
        (401, "model_auth_failed", False),
        (403, "model_permission_denied", False),
        (404, "model_not_found", False),
    ],
)
async def test_status_faults(
    sim: SimServer, client: ModelClient, model: str, status: int, code: str, transient: bool
):
    fault = {"attempt": 1, "kind": "status", "status": status, "retry_after": 3}
    sim.script(model, [{"content": [text("ok")], "faults": [fault]}])
    events, error = await failure(client, request(model))
    assert events == []
    assert (error.code, error.transient, error.retry_after) == (code, transient, 3.0)
    assert str(status) in error.message
    # The adapter itself never retries: one request reached the sim.
    assert len(sim.requests(model)) == 1


async def test_drop_after(sim: SimServer, client: ModelClient, model: str):
    fault = {"attempt": 1, "kind": "drop_after", "events": 4}
    sim.script(model, [{"content": [text("cut off somewhere in here")], "faults": [fault]}])
    events, error = await failure(client, request(model))
    assert events and all(isinstance(e, TextChunk) for e in events)
    assert (error.code, error.transient) == ("model_stream_dropped", True)


@pytest.mark.parametrize(
    ("error_type", "code"),
    [("overloaded_error", "overloaded"), ("api_error", "model_server_error")],
)
async def test_error_event_after(
    sim: SimServer, client: ModelClient, model: str, error_type: str, code: str
):
    fault = {"attempt": 1, "kind": "error_event_after", "events": 4, "error_type": error_type}
    sim.script(model, [{"content": [text("interrupted by an error event")], "faults": [fault]}])
    events, error = await failure(client, request(model))
    assert events and not any(isinstance(e, MessageEnd) for e in events)
    assert (error.code, error.transient) == (code, True)
    assert error_type in error.message


async def test_stall_is_left_to_the_loop_and_closes_cleanly(
    sim: SimServer, client: ModelClient, model: str
):
    fault = {"attempt": 1, "kind": "stall_after", "events": 4}
    sim.script(model, [{"content": [text("goes quiet after a bit")], "faults": [fault]}])
    stream = client.stream(request(model))
    first = await asyncio.wait_for(anext(stream), 2)
    while isinstance(first, KeepAlive):
        first = await asyncio.wait_for(anext(stream), 2)
    assert isinstance(first, TextChunk)
    # What the run loop does on silence: time out the wait, then close the stream.
    with pytest.raises(TimeoutError):
        while True:
            await asyncio.wait_for(anext(stream), 0.2)
    started = time.monotonic()
    await stream.aclose()
    assert time.monotonic() - started < 0.5


async def test_stall_backstop_is_the_sdk_read_timeout(
    sim: SimServer, client: ModelClient, model: str
):
    fault = {"attempt": 1, "kind": "stall_after", "events": 2}
    sim.script(model, [{"content": [text("silence")], "faults": [fault]}])
    started = time.monotonic()
    _, error = await failure(client, request(model))
    assert (error.code, error.transient) == ("model_stream_stalled", True)
    assert time.monotonic() - started < 2.0


async def test_connection_refused(client_for: Callable[..., ModelClient]):
    _, error = await failure(client_for(url="http://127.0.0.1:9"), request("any"))
    assert (error.code, error.transient) == ("model_connection_failed", True)


async def test_no_error_message_contains_the_api_key(
    sim: SimServer, client_for: Callable[..., ModelClient], api_key: str, model: str
):
    refused = client_for(f"invalid-{api_key}")  # "invalid..." keys are refused by the sim
    accepted = client_for(api_key)
    faults = [
        {"attempt": 2, "kind": "status", "status": 429, "retry_after": 1},
        {"attempt": 3, "kind": "drop_after", "events": 2},
        {"attempt": 4, "kind": "error_event_after", "events": 2},
        {"attempt": 5, "kind": "status", "status": 500},
    ]
    sim.script(model, [{"content": [text("x")], "faults": faults}])
    errors = [(await failure(refused, request(model)))[1]]
    for _ in faults:
        errors.append((await failure(accepted, request(model)))[1])
    bad = (*HELLO, Message("assistant", (ToolCallPart("t1", "list_files", {}),)), *HELLO)
    errors.append((await failure(accepted, request(model, bad)))[1])
    assert [e.code for e in errors] == [
        "model_auth_failed",
        "rate_limited",
        "model_stream_dropped",
        "overloaded",
        "model_server_error",
        "model_bad_request",
    ]
    for error in errors:
        chain = [error, error.__cause__, error.__cause__ and error.__cause__.__cause__]
        for shown in [error.message, repr(error), str(error.as_payload())] + [
            str(e) for e in chain
        ]:
            assert api_key not in shown and "Bearer" not in shown


async def test_a_prompt_too_long_is_its_own_error_with_the_counts(
    sim: SimServer, client: ModelClient, model: str
):
    sim.script(model, [{"content": [text("never")]}], context_window=1500)
    long = (Message("user", (TextPart("x" * 8000),)),)
    _, error = await failure(client, request(model, long))
    assert (error.code, error.transient) == ("model_context_exceeded", False)
    assert error.data["maximum"] == 1500
    assert error.data["tokens"] > 1500
    assert len(sim.requests(model)) == 1


async def test_usage_counts_cache_reads_on_the_second_request(
    sim: SimServer, client: ModelClient, model: str
):
    sim.script(model, [{"content": [text("one")]}, {"content": [text("two")]}])
    history = (Message("user", (TextPart("y" * 6000),)),)
    first = [e for e in await collect(client, request(model, history)) if isinstance(e, MessageEnd)]
    reply = Message("assistant", (TextPart("one"),))
    later = (*history, reply, Message("user", (TextPart("and now?"),)))
    second = [e for e in await collect(client, request(model, later)) if isinstance(e, MessageEnd)]
    assert first[0].usage.cache_read_tokens == 0
    assert second[0].usage.cache_read_tokens >= 1024
    assert second[0].usage.prompt_tokens > first[0].usage.prompt_tokens
