"""What comes after a reply, for every way a reply can end."""

import pytest

from appwright.agent.stops import after_reply, raised_output
from appwright.models.types import (
    CutCall,
    Message,
    MessageEnd,
    Reply,
    StopDetails,
    TextPart,
    ToolCallPart,
)

CALL = ToolCallPart("t1", "list_files", {})


def reply(reason: str, *parts, cut=(), details=None) -> Reply:
    return Reply(Message("assistant", tuple(parts)), MessageEnd(reason, stop_details=details), cut)


@pytest.mark.parametrize("reason", ["end_turn", "stop_sequence", "something_new"])
def test_a_finished_reply_without_calls_ends_the_run(reason):
    step = after_reply(reply(reason, TextPart("Done.")), 8000)
    assert step.done and not step.notes and step.refused is None


def test_tool_calls_go_on():
    step = after_reply(reply("tool_use", TextPart("Looking."), CALL), 8000)
    assert not step.done and step.message.tool_calls == [CALL]


def test_a_cut_tool_call_is_never_run_and_the_model_is_told_to_split_it():
    cut = (CutCall("t2", "apply_edit", 5000),)
    step = after_reply(reply("max_tokens", TextPart("Writing."), cut=cut), 8000)
    assert not step.done and step.raise_output
    assert step.message.tool_calls == []
    [note] = step.notes
    assert "apply_edit was cut off at the output limit (8000 tokens)" in note
    assert "not run" in note and "smaller steps" in note


def test_cut_text_is_continued():
    step = after_reply(reply("max_tokens", TextPart("Here is a long expl")), 8000)
    assert not step.done and not step.raise_output
    assert "Continue exactly where it stopped" in step.notes[0]


def test_a_full_window_condenses_and_continues():
    step = after_reply(reply("model_context_window_exceeded", TextPart("Half")), 8000)
    assert step.compact and not step.done and "context window was full" in step.notes[0]


def test_a_paused_turn_is_continued_as_it_is():
    step = after_reply(reply("pause_turn", TextPart("Searching")), 8000)
    assert not step.done and not step.notes


def test_a_refusal_ends_the_run_with_the_models_explanation_and_runs_nothing():
    details = StopDetails(category="cyber", explanation="This request was refused due to policy.")
    step = after_reply(reply("refusal", CALL, details=details), 8000)
    assert step.refused == (
        "The model declined this request (category: cyber): This request was refused due to policy."
    )
    assert step.message.tool_calls == []
    bare = after_reply(reply("refusal", TextPart("I can't help with that.")), 8000)
    assert bare.refused == "The model declined this request: I can't help with that."


def test_the_output_limit_is_raised_once_within_the_models_maximum():
    assert raised_output(8000, 64000) == 32000
    assert raised_output(8000, 16000) == 16000
    assert raised_output(8000, 4000) == 8000
