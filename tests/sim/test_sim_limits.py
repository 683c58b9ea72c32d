"""The sim's model limits and prompt cache, through the real SDKs: a context window it
enforces, output cut at `max_tokens` or at the window, usage with cache reads and writes,
and the stop reasons a real model ends with."""

import anthropic
import httpx
import openai
import pytest

from appwright.sim import SimServer
from appwright.sim.tokens import CHARS_PER_TOKEN

USER = [{"role": "user", "content": "hi"}]
CACHED = {"type": "ephemeral"}


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool_use(name: str, tool_input: dict) -> dict:
    return {"type": "tool_use", "name": name, "input": tool_input}


def long_user(chars: int, marked: bool = False) -> list[dict]:
    block = {"type": "text", "text": "x" * chars}
    if marked:
        block["cache_control"] = CACHED
    return [{"role": "user", "content": [block]}]


async def test_a_prompt_longer_than_the_window_is_refused_as_the_api_refuses_it(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("ok")]}], context_window=2000)
    fits = await claude.messages.create(
        model=model, max_tokens=100, messages=long_user(int(1500 * CHARS_PER_TOKEN))
    )
    assert fits.content[0].text == "ok"
    with pytest.raises(anthropic.BadRequestError) as caught:
        await claude.messages.create(
            model=model, max_tokens=100, messages=long_user(int(2100 * CHARS_PER_TOKEN))
        )
    assert caught.value.type == "invalid_request_error"
    assert caught.value.api_message.startswith("prompt is too long: 21")
    assert caught.value.api_message.endswith(" tokens > 2000 maximum")


async def test_max_tokens_above_the_models_output_limit_is_refused(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("ok")]}], max_output_tokens=4096)
    with pytest.raises(anthropic.BadRequestError) as caught:
        await claude.messages.create(model=model, max_tokens=5000, messages=USER)
    assert "5000 > 4096" in caught.value.api_message


async def test_a_tool_call_cut_by_max_tokens_never_ends(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    big = {"filepath": "index.html", "old_code": "", "new_code": "<p>" + "y" * 2000 + "</p>"}
    sim.script(model, [{"content": [text("Writing it."), tool_use("apply_edit", big)]}])
    stream = await claude.messages.create(model=model, max_tokens=200, messages=USER, stream=True)
    events = [event async for event in stream]
    kinds = [e.type for e in events]
    stops = [e.index for e in events if e.type == "content_block_stop"]
    assert stops == [0], "the text block ends; the cut tool_use block does not"
    delta = next(e for e in events if e.type == "message_delta")
    assert delta.delta.stop_reason == "max_tokens"
    assert delta.usage.output_tokens == 200
    assert kinds[-1] == "message_stop"
    partial = "".join(
        e.delta.partial_json
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    )
    assert 0 < len(partial) < len(str(big))


async def test_the_window_cuts_output_where_max_tokens_would_not(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("z" * 2000)]}], context_window=1000)
    message = await claude.messages.create(
        model=model, max_tokens=900, messages=long_user(int(700 * CHARS_PER_TOKEN))
    )
    assert message.stop_reason == "model_context_window_exceeded"
    assert 0 < len(message.content[0].text) < 2000


async def test_cache_writes_then_reads_the_marked_prefix(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("one")]}, {"content": [text("two")]}])
    system = [{"type": "text", "text": "s" * 5000, "cache_control": CACHED}]
    first_messages = long_user(4000, marked=True)
    first = await claude.messages.create(
        model=model, max_tokens=100, system=system, messages=first_messages
    )
    assert first.usage.cache_read_input_tokens == 0
    assert first.usage.cache_creation_input_tokens > 0
    written = first.usage.cache_creation_input_tokens
    # The next request repeats the whole first prompt and adds to it: all of it is read.
    later = [
        {"role": "user", "content": [{"type": "text", "text": "x" * 4000}]},
        {"role": "assistant", "content": "one"},
        {"role": "user", "content": [{"type": "text", "text": "more", "cache_control": CACHED}]},
    ]
    second = await claude.messages.create(
        model=model, max_tokens=100, system=system, messages=later
    )
    assert second.usage.cache_read_input_tokens == written
    assert 0 < second.usage.cache_creation_input_tokens < written
    total = (
        second.usage.input_tokens
        + second.usage.cache_read_input_tokens
        + second.usage.cache_creation_input_tokens
    )
    assert total > written


async def test_nothing_is_cached_without_marks_or_below_the_minimum(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    sim.script(model, [{"content": [text("a")]}] * 4, cache_min_tokens=1024)
    for _ in range(2):
        unmarked = await claude.messages.create(
            model=model, max_tokens=100, messages=long_user(8000)
        )
        assert unmarked.usage.cache_read_input_tokens == 0
        assert unmarked.usage.cache_creation_input_tokens == 0
    for _ in range(2):
        short = await claude.messages.create(
            model=model, max_tokens=100, messages=long_user(200, marked=True)
        )
        assert short.usage.cache_read_input_tokens == 0
        assert short.usage.cache_creation_input_tokens == 0
        assert short.usage.input_tokens > 0


async def test_refusal_with_its_stop_details(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    details = {"category": "cyber", "explanation": "This request was refused due to policy."}
    sim.script(model, [{"content": [], "stop_reason": "refusal", "stop_details": details}])
    async with claude.messages.stream(model=model, max_tokens=100, messages=USER) as stream:
        final = await stream.get_final_message()
    assert final.stop_reason == "refusal"
    assert final.stop_details is not None
    assert (final.stop_details.category, final.stop_details.explanation) == (
        "cyber",
        "This request was refused due to policy.",
    )


async def test_pause_turn_and_unknown_blocks(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    opaque = {
        "type": "opaque",
        "block": {"type": "mystery_block", "data": ""},
        "deltas": [{"type": "mystery_delta", "data": "??"}],
    }
    sim.script(model, [{"content": [opaque, text("Still working.")], "stop_reason": "pause_turn"}])
    stream = await claude.messages.create(model=model, max_tokens=100, messages=USER, stream=True)
    events = [event async for event in stream]
    starts = [e.content_block.type for e in events if e.type == "content_block_start"]
    assert starts == ["mystery_block", "text"]
    end = next(e for e in events if e.type == "message_delta")
    assert end.delta.stop_reason == "pause_turn"


async def test_final_assistant_whitespace_and_too_many_breakpoints_are_refused(
    sim: SimServer, claude: anthropic.AsyncAnthropic, model: str
):
    trailing = [*USER, {"role": "assistant", "content": "Let me think "}]
    with pytest.raises(anthropic.BadRequestError) as caught:
        await claude.messages.create(model=model, max_tokens=100, messages=trailing)
    assert "trailing whitespace" in caught.value.api_message
    marked = {"type": "text", "text": "m", "cache_control": CACHED}
    five = [{"role": "user", "content": [marked] * 5}]
    with pytest.raises(anthropic.BadRequestError) as caught:
        await claude.messages.create(model=model, max_tokens=100, messages=five)
    assert "A maximum of 4 blocks with cache_control" in caught.value.api_message


def test_turns_by_order_and_asides(sim: SimServer, model: str):
    sim.script(
        model,
        [{"content": [text("first")]}, {"content": [text("second")]}],
        turns_by="order",
        asides=[{"when_system_contains": "summarise", "content": [text("a summary")]}],
    )

    def ask(system: str | None = None) -> str:
        body = {"model": model, "max_tokens": 100, "messages": USER}
        if system:
            body["system"] = system
        answer = httpx.post(f"{sim.url}/v1/messages", headers={"x-api-key": "k"}, json=body)
        return answer.json()["content"][0]["text"]

    # Without assistant messages in the request, each request still gets the next turn.
    assert ask() == "first"
    assert ask("please summarise this") == "a summary"
    assert ask() == "second"
    assert [r["turn"] for r in sim.requests(model)] == [0, -1, 1]


async def test_openai_window_usage_cache_and_finish_reasons(
    sim: SimServer, gpt: openai.AsyncOpenAI, model: str
):
    big = {"filepath": "a.js", "old_code": "", "new_code": "x" * 3000}
    sim.script(
        model,
        [
            {"content": [text("ok")]},
            {"content": [text("ok again")]},
            {"content": [tool_use("apply_edit", big)]},
            {"content": [text("no")], "stop_reason": "refusal"},
        ],
        context_window=3000,
        turns_by="order",
    )
    long = [{"role": "user", "content": "x" * 6000}]
    with pytest.raises(openai.BadRequestError) as caught:
        await gpt.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x" * 20000}]
        )
    assert caught.value.code == "context_length_exceeded"
    assert caught.value.param == "messages"
    assert "maximum context length is 3000 tokens" in caught.value.message

    first = await gpt.chat.completions.create(model=model, messages=long)
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    second = await gpt.chat.completions.create(model=model, messages=long)
    assert second.usage.prompt_tokens_details.cached_tokens >= 1024
    assert second.usage.prompt_tokens_details.cached_tokens % 128 == 0

    cut = await gpt.chat.completions.create(model=model, messages=USER, max_tokens=100)
    assert cut.choices[0].finish_reason == "length"
    arguments = cut.choices[0].message.tool_calls[0].function.arguments
    assert 0 < len(arguments) < 3000

    filtered = await gpt.chat.completions.create(model=model, messages=USER)
    assert filtered.choices[0].finish_reason == "content_filter"
