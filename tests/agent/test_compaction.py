"""The compaction steps in order: elide, then summarise, then cut the newest results."""

import pytest

from appwright.agent.compaction import ContextTooLong, compact
from appwright.agent.context import estimate_messages, instructions
from appwright.models.types import Message, TextPart, ToolCallPart, ToolResultPart

PAGE = "<p>" + "lorem ipsum " * 400 + "</p>"


def request(i: int) -> list[Message]:
    """One request of a long session: read a file, edit it, say so."""
    path = f"page{i}.html"
    return [
        Message("user", (TextPart(f"Instruction {i}: fix {path}."),)),
        Message("assistant", (ToolCallPart(f"r{i}", "get_current_code", {"filepath": path}),)),
        Message("user", (ToolResultPart(f"r{i}", PAGE),)),
        Message(
            "assistant",
            (
                ToolCallPart(
                    f"e{i}", "apply_edit", {"filepath": path, "old_code": "a", "new_code": "b"}
                ),
            ),
        ),
        Message("user", (ToolResultPart(f"e{i}", f"Updated {path}."),)),
        Message("assistant", (TextPart(f"Fixed {path}. " + "Details. " * 40),)),
    ]


def long_session(requests: int) -> list[Message]:
    messages = [m for i in range(requests) for m in request(i)]
    return [*messages, Message("user", (TextPart("And the next one."),))]


class Summariser:
    def __init__(self, prose: str | None = "They fixed several pages.") -> None:
        self.prose = prose
        self.asked: list[str] = []

    async def __call__(self, text: str) -> str | None:
        self.asked.append(text)
        return self.prose


async def versions() -> list[str]:
    return ["v2 (page0.html)", "v3 (page1.html)"]


async def test_eliding_alone_when_it_is_enough():
    conversation = long_session(3)
    tokens = estimate_messages(conversation)
    summarise = Summariser()
    done = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=tokens - 100,
        summarise=summarise,
        versions=versions,
    )
    assert summarise.asked == [] and done.summarised == 0
    assert len(done.messages) == len(conversation)
    assert done.tokens_before == tokens
    assert done.tokens_after == estimate_messages(done.messages) <= int((tokens - 100) * 0.6)


async def test_a_summary_when_eliding_leaves_too_much():
    conversation = long_session(30)
    tokens = estimate_messages(conversation)
    limit = 6000
    summarise = Summariser()
    done = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=limit,
        summarise=summarise,
        versions=versions,
    )
    assert done.summarised > 0 and len(summarise.asked) == 1
    summary = done.messages[0]
    assert summary.role == "user" and "They fixed several pages." in summary.text
    assert "v3 (page1.html)" in summary.text
    said = instructions(conversation)
    assert instructions(done.messages) == said, "every instruction, verbatim, in order"
    kept = conversation[done.summarised :]
    assert [m.role for m in done.messages[1:]] == [m.role for m in kept], "the rest, in order"
    assert done.messages[-1] == conversation[-1]
    assert done.tokens_after <= limit


async def test_without_the_models_summary_the_facts_still_stand():
    conversation = long_session(30)
    tokens = estimate_messages(conversation)
    done = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=6000,
        summarise=Summariser(None),
        versions=versions,
    )
    summary = done.messages[0].text
    assert "Files changed in that part: page0.html" in summary
    assert instructions(done.messages) == instructions(conversation)


async def test_a_measured_count_is_credited_only_part_of_what_was_removed():
    conversation = long_session(3)
    tokens = estimate_messages(conversation)
    estimated = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=tokens - 100,
        summarise=Summariser(),
        versions=versions,
    )
    measured = await compact(
        conversation,
        tokens=tokens,
        measured=True,
        limit=tokens - 100,
        summarise=Summariser(),
        versions=versions,
    )
    assert measured.tokens_after > estimated.tokens_after


async def test_one_huge_newest_result_is_cut_to_fit():
    huge = PAGE * 20
    conversation = [
        Message("user", (TextPart("Read it."),)),
        Message("assistant", (ToolCallPart("r", "get_current_code", {"filepath": "big.html"}),)),
        Message("user", (ToolResultPart("r", huge),)),
    ]
    tokens = estimate_messages(conversation)
    done = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=8000,
        summarise=Summariser(),
        versions=versions,
    )
    result = done.messages[-1].parts[0]
    assert isinstance(result, ToolResultPart) and "[cut here" in result.content
    assert done.tokens_after <= 8000


async def test_what_cannot_be_made_to_fit_is_an_error():
    conversation = [Message("user", (TextPart("x" * 30000),))]
    with pytest.raises(ContextTooLong) as caught:
        await compact(
            conversation,
            tokens=10_000,
            measured=False,
            limit=5000,
            summarise=Summariser(),
            versions=versions,
        )
    assert caught.value.code == "model_context_exceeded"
    assert "does not fit" in caught.value.message


async def test_forced_compaction_condenses_even_when_the_count_says_it_fits():
    conversation = long_session(3)
    tokens = estimate_messages(conversation)
    done = await compact(
        conversation,
        tokens=tokens,
        measured=False,
        limit=tokens * 10,
        summarise=Summariser(),
        versions=versions,
        force=True,
    )
    assert done.tokens_after <= tokens * 3 // 4
