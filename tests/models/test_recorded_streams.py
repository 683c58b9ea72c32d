"""Recorded-style streams (`recorded/`, in the shapes the official SDKs' own fixtures show,
odd spacing included) replayed verbatim by the sim through the real SDKs and our adapters:
how each stop reason, usage shape and unknown block arrives as our events."""

from pathlib import Path

import pytest

from appwright.models.anthropic import AnthropicModel
from appwright.models.openai import OpenAIModel
from appwright.models.types import (
    Accumulator,
    CutCall,
    KeepAlive,
    Message,
    ModelRequest,
    Reply,
    StopDetails,
    TextPart,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    Usage,
)
from appwright.sim import SimServer

RECORDED = Path(__file__).parent / "recorded"
HELLO = (Message("user", (TextPart("Make the page a grid."),)),)


async def replay(sim: SimServer, model: str, provider: str, name: str) -> tuple[Reply, list]:
    sim.script(model, [{"content": [], "replay": (RECORDED / name).read_text()}])
    if provider == "anthropic":
        client = AnthropicModel("sk-recorded", sim.url, idle_timeout=2.0)
    else:
        client = OpenAIModel("sk-recorded", f"{sim.url}/v1", idle_timeout=2.0)
    events = []
    try:
        accumulator = Accumulator()
        async for event in client.stream(ModelRequest(model, "sys", HELLO, ())):
            if not isinstance(event, KeepAlive):
                events.append(event)
            accumulator.apply(event)
    finally:
        await client.aclose()
    return accumulator.reply(), events


async def test_anthropic_refusal_carries_its_stop_details(sim: SimServer, model: str):
    reply, _ = await replay(sim, model, "anthropic", "anthropic_refusal.sse")
    assert reply.end.stop_reason == "refusal"
    assert reply.end.stop_details == StopDetails(
        category="cyber", explanation="This request was refused due to policy."
    )
    assert reply.end.usage == Usage(input_tokens=1840, output_tokens=120)
    assert reply.message.parts == ()


async def test_anthropic_tool_call_cut_by_max_tokens_is_cut_not_malformed(
    sim: SimServer, model: str
):
    reply, events = await replay(sim, model, "anthropic", "anthropic_max_tokens_cut_tool.sse")
    assert reply.end.stop_reason == "max_tokens"
    assert reply.message.text == "I'll rewrite the page with the new layout."
    assert reply.message.tool_calls == [], "the cut call is not part of the message"
    assert [c.name for c in reply.cut_calls] == ["apply_edit"]
    assert reply.cut_calls[0].id == "toolu_01RecordedCutCall0000001"
    assert reply.cut_calls[0].input_chars > 100
    assert any(isinstance(e, ToolCallStart) for e in events)
    assert not any(isinstance(e, ToolCallEnd) for e in events), "never started as a tool"
    assert reply.end.usage.output_tokens == 8000


async def test_anthropic_cache_reads_and_writes_are_counted_apart(sim: SimServer, model: str):
    reply, _ = await replay(sim, model, "anthropic", "anthropic_cached_usage.sse")
    usage = reply.end.usage
    assert usage == Usage(
        input_tokens=25, output_tokens=9, cache_read_tokens=18344, cache_write_tokens=1210
    )
    assert usage.prompt_tokens == 25 + 18344 + 1210


async def test_anthropic_unknown_blocks_and_events_are_ignored(sim: SimServer, model: str):
    reply, _ = await replay(sim, model, "anthropic", "anthropic_unknown_blocks.sse")
    assert reply.end.stop_reason == "tool_use"
    assert reply.message.parts == (
        ToolCallPart("toolu_01RecordedListFiles000001", "list_files", {}),
    )
    # message_start had no usage at all; message_delta's counts are the whole of it.
    assert reply.end.usage == Usage(12, 6, cache_read_tokens=3, cache_write_tokens=4)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("anthropic_pause_turn.sse", "pause_turn"),
        ("anthropic_window_exceeded.sse", "model_context_window_exceeded"),
    ],
)
async def test_anthropic_stop_reasons_arrive_as_sent(
    sim: SimServer, model: str, name: str, reason: str
):
    reply, _ = await replay(sim, model, "anthropic", name)
    assert reply.end.stop_reason == reason
    assert reply.message.text and reply.cut_calls == ()


async def test_openai_length_cuts_the_open_call_and_keeps_the_finished_one(
    sim: SimServer, model: str
):
    reply, events = await replay(sim, model, "openai", "openai_length_cut_tool.sse")
    assert reply.end.stop_reason == "max_tokens"
    assert reply.message.tool_calls == [
        ToolCallPart("call_RecordedRead0001", "get_current_code", {"filepath": "app.js"})
    ]
    assert reply.cut_calls == (CutCall("call_RecordedEdit0002", "apply_edit", 81),)
    assert [e.index for e in events if isinstance(e, ToolCallEnd)] == [0]
    # prompt_tokens includes the cached ones; we count them apart.
    assert reply.end.usage == Usage(
        input_tokens=5120 - 4864, output_tokens=4096, cache_read_tokens=4864
    )


@pytest.mark.parametrize(
    ("name", "explanation"),
    [
        ("openai_content_filter.sse", "The provider's content filter stopped the reply."),
        ("openai_refusal_delta.sse", "I'm sorry, I can't help with that."),
    ],
)
async def test_openai_refusals(sim: SimServer, model: str, name: str, explanation: str):
    reply, _ = await replay(sim, model, "openai", name)
    assert reply.end.stop_reason == "refusal"
    assert reply.end.stop_details is not None
    assert reply.end.stop_details.explanation == explanation
