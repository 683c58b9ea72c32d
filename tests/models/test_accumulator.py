"""The stream accumulator on its own: streams in the orders providers send them fold into
the message a person then sees, and orders no provider may send are refused rather than
guessed at."""

from __future__ import annotations

import pytest

from appwright.models.types import (
    Accumulator,
    KeepAlive,
    MessageEnd,
    StreamEvent,
    StreamOrderError,
    TextChunk,
    TextPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    accumulate,
)


def fold(events: list[StreamEvent]) -> Accumulator:
    acc = Accumulator()
    for event in events:
        acc.apply(event)
    return acc


# As Anthropic streams a reply with text, two tool calls and pings between blocks.
ANTHROPIC_LIKE: list[StreamEvent] = [
    TextChunk("Let me "),
    KeepAlive(),
    TextChunk("look."),
    ToolCallStart(1, "toolu_1", "get_current_code"),
    ToolCallDelta(1, '{"filepath": '),
    ToolCallDelta(1, '"index.html"}'),
    ToolCallEnd(1),
    ToolCallStart(2, "toolu_2", "list_files"),
    ToolCallEnd(2),
    MessageEnd("tool_use"),
]

# As OpenAI streams parallel calls: both open, their arguments interleaved, ended together.
OPENAI_LIKE: list[StreamEvent] = [
    ToolCallStart(0, "call_a", "web_search"),
    ToolCallStart(1, "call_b", "get_current_code"),
    ToolCallDelta(0, '{"query": "pri'),
    ToolCallDelta(1, '{"filepath": "a.css"}'),
    ToolCallDelta(0, 'cing"}'),
    ToolCallEnd(0),
    ToolCallEnd(1),
    MessageEnd("tool_calls"),
]


def test_a_reply_with_text_and_calls_folds_into_one_message() -> None:
    message = accumulate(ANTHROPIC_LIKE)
    assert message.parts == (
        TextPart("Let me look."),
        ToolCallPart("toolu_1", "get_current_code", {"filepath": "index.html"}),
        ToolCallPart("toolu_2", "list_files", {}),
    )


def test_interleaved_parallel_calls_keep_their_own_arguments() -> None:
    acc = Accumulator()
    completed = [part for event in OPENAI_LIKE if (part := acc.apply(event)) is not None]
    assert [(c.id, c.input) for c in completed] == [
        ("call_a", {"query": "pricing"}),
        ("call_b", {"filepath": "a.css"}),
    ]
    assert acc.stop_reason == "tool_calls"


def test_an_output_cut_reply_keeps_what_finished_and_names_the_cut_call() -> None:
    acc = fold(
        [
            TextChunk("Writing it."),
            ToolCallStart(0, "toolu_9", "apply_edit"),
            ToolCallDelta(0, '{"filepath": "a.html", "old_co'),
            MessageEnd("max_tokens"),
        ]
    )
    reply = acc.reply()
    assert reply.message.text == "Writing it." and reply.message.tool_calls == []
    assert [(c.id, c.name) for c in reply.cut_calls] == [("toolu_9", "apply_edit")]


def test_text_that_is_not_valid_is_repaired_not_kept() -> None:
    message = accumulate([TextChunk("a\ud800b"), TextChunk("\x00c"), MessageEnd("end_turn")])
    assert "\ud800" not in message.text and "\x00" not in message.text


IMPOSSIBLE: dict[str, list[StreamEvent]] = {
    "a delta for a call never started": [ToolCallDelta(0, "{}")],
    "a call ended twice": [ToolCallStart(0, "t", "list_files"), ToolCallEnd(0), ToolCallEnd(0)],
    "a call started twice": [ToolCallStart(0, "t", "x"), ToolCallStart(0, "u", "y")],
    "an event after the end": [MessageEnd("end_turn"), TextChunk("more")],
    "the end with a call still open": [ToolCallStart(0, "t", "list_files"), MessageEnd("tool_use")],
}


@pytest.mark.parametrize("events", IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_an_impossible_order_is_refused(events: list[StreamEvent]) -> None:
    with pytest.raises(StreamOrderError):
        fold(events)


def test_a_message_not_yet_ended_has_no_reply() -> None:
    with pytest.raises(StreamOrderError):
        fold([TextChunk("half")]).reply()
