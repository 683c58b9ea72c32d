"""The sim's Messages API, driven through the real `anthropic` SDK."""

import anthropic
import httpx
import httpx2
import pytest

from appwright.sim import SimServer

USER = [{"role": "user", "content": "hi"}]
EDIT = {"filepath": "index.html", "old_code": "a", "new_code": "b"}


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool_use(name: str = "apply_edit", tool_input: dict | None = None) -> dict:
    return {"type": "tool_use", "name": name, "input": tool_input or EDIT}


async def test_streamed_text_turn(sim: SimServer, claude: anthropic.AsyncAnthropic, model: str):
    sim.script(model, [{"content": [text("Hello from the script")], "chunk_chars": 4}])
    async with claude.messages.stream(model=model, max_tokens=100, messages=USER) as stream:
        pieces = [piece async for piece in stream.text_stream]
        final = await stream.get_final_message()
    assert pieces == ["Hell", "o fr", "om t", "he s", "crip", "t"]
    assert final.content[0].text == "Hello from the script"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_stream_events_come_in_the_real_order(sim: SimServer, model: str):
    sim.script(model, [{"content": [text("ok"), tool_use()]}])
    response = httpx.post(
        f"{sim.url}/v1/messages",
        headers={"x-api-key": "k"},
        json={"model": model, "max_tokens": 1000, "stream": True, "messages": USER},
    )
    events = [line[7:] for line in response.text.splitlines() if line.startswith("event: ")]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert events[:3] == ["message_start", "content_block_start", "ping"]
    assert events[-2:] == ["message_delta", "message_stop"]
    assert events.count("content_block_stop") == 2


async def test_tool_use_turn_then_next_turn(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("Editing."), tool_use()]}, {"content": [text("Done.")]}])
    async with claude.messages.stream(model=model, max_tokens=100, messages=USER) as stream:
        first = await stream.get_final_message()
    call = first.content[1]
    assert first.stop_reason == "tool_use"
    assert call.type == "tool_use" and call.name == "apply_edit" and call.input == EDIT
    assert call.id.startswith("toolu_")

    history = [
        *USER,
        {"role": "assistant", "content": [b.model_dump() for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "ok"}],
        },
    ]
    second = await claude.messages.create(model=model, max_tokens=100, messages=history)
    assert second.content[0].text == "Done."
    assert [(r["turn"], r["attempt"]) for r in sim.requests(model)] == [(0, 1), (1, 1)]


async def test_non_streaming_answer(sim: SimServer, claude: anthropic.AsyncAnthropic, model: str):
    sim.script(model, [{"content": [text("plain"), tool_use("list_files", {})]}])
    message = await claude.messages.create(model=model, max_tokens=100, messages=USER)
    assert message.content[0].text == "plain"
    assert message.content[1].name == "list_files"
    assert message.stop_reason == "tool_use"


async def test_past_the_script_and_unscripted(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [])
    ended = await claude.messages.create(model=model, max_tokens=1000, messages=USER)
    assert ended.stop_reason == "end_turn" and ended.content[0].text == "(end of script)"
    demo = await claude.messages.create(
        model=f"{model}-unscripted",
        max_tokens=1000,
        messages=[{"role": "user", "content": "echo me"}],
    )
    assert "echo me" in demo.content[0].text


CALL = {"type": "tool_use", "id": "toolu_1", "name": "list_files", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "[]"}


@pytest.mark.parametrize(
    ("messages", "complaint"),
    [
        (
            [*USER, {"role": "assistant", "content": [CALL]}, {"role": "user", "content": "no"}],
            "without `tool_result`",
        ),
        ([*USER, {"role": "assistant", "content": [CALL]}], "without `tool_result`"),
        (
            [
                *USER,
                {"role": "assistant", "content": [CALL]},
                {"role": "user", "content": [text("first"), RESULT]},
            ],
            "must come first",
        ),
        (
            [*USER, {"role": "assistant", "content": "hm"}, {"role": "user", "content": [RESULT]}],
            "unexpected `tool_use_id`",
        ),
        ([*USER, *USER], "roles must alternate"),
        ([{"role": "assistant", "content": "hi"}], 'first message must use the "user" role'),
    ],
    ids=[
        "result-missing",
        "call-last",
        "result-not-first",
        "unknown-id",
        "user-user",
        "first-assistant",
    ],
)
async def test_strict_conversation_rules(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str, messages: list, complaint: str
):
    with pytest.raises(anthropic.BadRequestError) as caught:
        await claude.messages.create(model=model, max_tokens=1000, messages=messages)
    assert caught.value.type == "invalid_request_error"
    assert complaint in caught.value.api_message


@pytest.mark.parametrize("missing", ["model", "max_tokens"])
def test_missing_required_field(sim: SimServer, model: str, missing: str):
    body = {"model": model, "max_tokens": 1000, "messages": USER}
    del body[missing]
    response = httpx.post(f"{sim.url}/v1/messages", headers={"x-api-key": "k"}, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request_error",
        "message": f"{missing}: Field required",
    }


async def test_auth(sim: SimServer, model: str):
    body = {"model": model, "max_tokens": 1000, "messages": USER}
    async with httpx.AsyncClient() as raw:
        missing = await raw.post(f"{sim.url}/v1/messages", json=body)
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "authentication_error"
    async with anthropic.AsyncAnthropic(
        api_key="invalid-key", base_url=sim.url, max_retries=0
    ) as c:
        with pytest.raises(anthropic.AuthenticationError):
            await c.messages.create(model=model, max_tokens=1000, messages=USER)


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (400, anthropic.BadRequestError, "invalid_request_error"),
    ],
)
async def test_status_fault(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str, status, error_class, error_type
):
    fault = {"attempt": 1, "kind": "status", "status": status, "retry_after": 2}
    sim.script(model, [{"content": [text("after the fault")], "faults": [fault]}])
    with pytest.raises(error_class) as caught:
        await claude.messages.create(model=model, max_tokens=1000, messages=USER, stream=True)
    assert caught.value.status_code == status
    assert caught.value.type == error_type
    assert caught.value.response.headers["retry-after"] == "2"
    # The fault names attempt 1 only: the retry of the same turn goes through.
    retried = await claude.messages.create(model=model, max_tokens=1000, messages=USER)
    assert retried.content[0].text == "after the fault"
    assert [r["attempt"] for r in sim.requests(model)] == [1, 2]


async def test_stall_after(sim: SimServer, claude: anthropic.AsyncAnthropic, model: str):
    fault = {"attempt": 1, "kind": "stall_after", "events": 3}
    sim.script(model, [{"content": [text("never finished")], "faults": [fault]}])
    stream = await claude.with_options(timeout=0.3).messages.create(
        model=model, max_tokens=1000, messages=USER, stream=True
    )
    seen: list[str] = []
    with pytest.raises((httpx2.ReadTimeout, anthropic.APITimeoutError)):
        async for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]  # the SDK swallows the ping


async def test_drop_after(sim: SimServer, claude: anthropic.AsyncAnthropic, model: str):
    fault = {"attempt": 1, "kind": "drop_after", "events": 4}
    sim.script(model, [{"content": [text("cut off in the middle")], "faults": [fault]}])
    stream = await claude.messages.create(model=model, max_tokens=1000, messages=USER, stream=True)
    seen: list[str] = []
    with pytest.raises((httpx2.RemoteProtocolError, anthropic.APIConnectionError)):
        async for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start", "content_block_delta"]


async def test_error_event_after(sim: SimServer, claude: anthropic.AsyncAnthropic, model: str):
    fault = {
        "attempt": 1,
        "kind": "error_event_after",
        "events": 2,
        "error_type": "overloaded_error",
    }
    sim.script(model, [{"content": [text("interrupted")], "faults": [fault]}])
    stream = await claude.messages.create(model=model, max_tokens=1000, messages=USER, stream=True)
    seen: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        async for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]
    assert caught.value.type == "overloaded_error"


async def test_stream_faults_on_a_non_streamed_request(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    faults = [
        {"attempt": 1, "kind": "stall_after", "events": 1},
        {"attempt": 2, "kind": "drop_after", "events": 1},
        {"attempt": 3, "kind": "error_event_after", "events": 1, "error_type": "overloaded_error"},
    ]
    sim.script(model, [{"content": [text("finally")], "faults": faults}])
    fast = claude.with_options(timeout=0.3)
    with pytest.raises(anthropic.APITimeoutError):
        await fast.messages.create(model=model, max_tokens=1000, messages=USER)
    with pytest.raises(anthropic.APIConnectionError):
        await claude.messages.create(model=model, max_tokens=1000, messages=USER)
    with pytest.raises(anthropic.OverloadedError):
        await claude.messages.create(model=model, max_tokens=1000, messages=USER)
    done = await claude.messages.create(model=model, max_tokens=1000, messages=USER)
    assert done.content[0].text == "finally"
