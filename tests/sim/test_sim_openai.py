"""The sim's chat completions API, driven through the real `openai` SDK."""

import json

import httpx
import openai
import pytest

from appwright.sim import SimServer

USER = [{"role": "user", "content": "hi"}]
EDIT = {"filepath": "index.html", "old_code": "", "new_code": "<h1>hi</h1>"}


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool_use(name: str = "apply_edit", tool_input: dict | None = None) -> dict:
    return {"type": "tool_use", "name": name, "input": EDIT if tool_input is None else tool_input}


async def _chunks(gpt: openai.AsyncOpenAI, model: str, messages: list = USER) -> list:
    stream = await gpt.chat.completions.create(
        model=model, messages=messages, stream=True, stream_options={"include_usage": True}
    )
    return [chunk async for chunk in stream]


async def test_streamed_text_turn(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    sim.script(model, [{"content": [text("Hello from the script")], "chunk_chars": 5}])
    chunks = await _chunks(gpt, model)
    deltas = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert deltas == ["Hello", " from", " the ", "scrip", "t"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0


async def test_tool_calls_by_index(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    sim.script(
        model,
        [
            {
                "content": [text("Two calls."), tool_use(), tool_use("list_files", {})],
                "chunk_chars": 6,
            }
        ],
    )
    calls: dict[int, dict] = {}
    finish = None
    for chunk in await _chunks(gpt, model):
        if not chunk.choices:
            continue
        finish = chunk.choices[0].finish_reason or finish
        for fragment in chunk.choices[0].delta.tool_calls or []:
            call = calls.setdefault(fragment.index, {"arguments": ""})
            if fragment.id:
                call["id"], call["name"] = fragment.id, fragment.function.name
            call["arguments"] += fragment.function.arguments or ""
    assert finish == "tool_calls"
    assert [calls[i]["name"] for i in sorted(calls)] == ["apply_edit", "list_files"]
    assert json.loads(calls[0]["arguments"]) == EDIT and json.loads(calls[1]["arguments"]) == {}
    assert all(c["id"].startswith("call_") for c in calls.values())


async def test_non_streaming_and_next_turn(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    sim.script(model, [{"content": [tool_use()]}, {"content": [text("Done.")]}])
    first = await gpt.chat.completions.create(model=model, messages=USER)
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    history = [
        *USER,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "ok"},
    ]
    second = await gpt.chat.completions.create(model=model, messages=history)
    assert second.choices[0].message.content == "Done."
    assert [r["turn"] for r in sim.requests(model)] == [0, 1]


CALLED = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ],
}


@pytest.mark.parametrize(
    ("messages", "complaint"),
    [
        ([*USER, CALLED, *USER], "did not have response messages: call_1"),
        ([*USER, CALLED], "did not have response messages: call_1"),
        ([*USER, {"role": "tool", "tool_call_id": "call_1", "content": "x"}], "role 'tool'"),
        ([*USER, CALLED, {"role": "tool", "tool_call_id": "call_9", "content": "x"}], "call_9"),
    ],
    ids=["no-tool-message", "call-last", "tool-without-call", "unknown-id"],
)
async def test_strict_tool_messages(
    sim: SimServer, gpt: openai.AsyncOpenAI, model: str, messages: list, complaint: str
):
    with pytest.raises(openai.BadRequestError) as caught:
        await gpt.chat.completions.create(model=model, messages=messages)
    assert caught.value.type == "invalid_request_error"
    assert complaint in caught.value.message


async def test_auth(sim: SimServer, model: str):
    async with httpx.AsyncClient() as raw:
        body = {"model": model, "messages": USER}
        missing = await raw.post(f"{sim.url}/v1/chat/completions", json=body)
    assert missing.status_code == 401
    async with openai.AsyncOpenAI(api_key="invalid-key-123456", base_url=f"{sim.url}/v1") as c:
        with pytest.raises(openai.AuthenticationError) as caught:
            await c.with_options(max_retries=0).chat.completions.create(model=model, messages=USER)
    assert caught.value.code == "invalid_api_key"
    assert "invalid-key-123456" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (400, openai.BadRequestError),
    ],
)
async def test_status_fault(
    sim: SimServer, gpt: openai.AsyncOpenAI, model: str, status, error_class
):
    fault = {"attempt": 1, "kind": "status", "status": status, "retry_after": 1.5}
    sim.script(model, [{"content": [text("after")], "faults": [fault]}])
    with pytest.raises(error_class) as caught:
        await _chunks(gpt, model)
    assert caught.value.status_code == status
    assert caught.value.response.headers["retry-after"] == "1.5"
    assert (await gpt.chat.completions.create(model=model, messages=USER)).choices[
        0
    ].message.content == "after"


async def test_stall_after(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    sim.script(
        model,
        [
            {
                "content": [text("never")],
                "faults": [{"attempt": 1, "kind": "stall_after", "events": 1}],
            }
        ],
    )
    stream = await gpt.with_options(timeout=0.3).chat.completions.create(
        model=model, messages=USER, stream=True
    )
    seen = []
    with pytest.raises(openai.APITimeoutError):
        async for chunk in stream:
            seen.append(chunk)
    assert len(seen) == 1


async def test_drop_after(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    sim.script(
        model,
        [
            {
                "content": [text("cut off here")],
                "faults": [{"attempt": 1, "kind": "drop_after", "events": 2}],
            }
        ],
    )
    stream = await gpt.chat.completions.create(model=model, messages=USER, stream=True)
    seen = []
    with pytest.raises(openai.APIConnectionError) as caught:
        async for chunk in stream:
            seen.append(chunk)
    assert len(seen) == 2
    assert not isinstance(caught.value, openai.APITimeoutError)


async def test_error_event_after(sim: SimServer, gpt: openai.AsyncOpenAI, model: str):
    fault = {"attempt": 1, "kind": "error_event_after", "events": 2, "error_type": "server_error"}
    sim.script(model, [{"content": [text("interrupted")], "faults": [fault]}])
    stream = await gpt.chat.completions.create(model=model, messages=USER, stream=True)
    with pytest.raises(openai.APIError) as caught:
        async for _ in stream:
            pass
    assert caught.value.type == "server_error"
    assert not isinstance(caught.value, openai.APIStatusError)
