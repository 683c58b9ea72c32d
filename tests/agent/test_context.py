"""Counting a request and the steps that make a conversation shorter (pure functions)."""

from appwright.agent.context import (
    Measured,
    cut_newest_results,
    elide,
    estimate_message,
    estimate_messages,
    files_changed,
    instructions,
    protected_from,
    request_tokens,
    summary_cut,
    summary_message,
    transcript,
)
from appwright.models.types import Message, TextPart, ToolCallPart, ToolResultPart

PAGE = "<p>" + "lorem ipsum " * 400 + "</p>"  # ~4,800 characters


def user(text: str, note: str | None = None) -> Message:
    parts = [TextPart(text)] + ([TextPart(note, note=True)] if note else [])
    return Message("user", tuple(parts))


def assistant(*parts) -> Message:
    return Message("assistant", tuple(parts))


def read(call_id: str, path: str) -> ToolCallPart:
    return ToolCallPart(call_id, "get_current_code", {"filepath": path})


def edit(call_id: str, path: str, new: str = "x") -> ToolCallPart:
    return ToolCallPart(call_id, "apply_edit", {"filepath": path, "old_code": "a", "new_code": new})


def results(*pairs: tuple[str, str], error: bool = False) -> Message:
    return Message("user", tuple(ToolResultPart(i, c, is_error=error) for i, c in pairs))


def session() -> list[Message]:
    """Two requests: read a.html, read b.html, edit a.html, read a.html again; then a new
    request reading b.html."""
    return [
        user("Make the title blue.", note="(files: a.html, b.html)"),
        assistant(TextPart("Reading."), read("r1", "a.html"), read("r2", "b.html")),
        results(("r1", PAGE), ("r2", PAGE)),
        assistant(edit("e1", "a.html")),
        results(("e1", "Updated a.html.")),
        assistant(read("r3", "a.html")),
        results(("r3", PAGE)),
        assistant(TextPart("Done.")),
        user("Now the footer.", note="(files: a.html, b.html)"),
        assistant(read("r4", "b.html")),
        results(("r4", PAGE)),
    ]


def contents(messages: list[Message]) -> dict[str, str]:
    return {
        p.tool_call_id: p.content
        for m in messages
        for p in m.parts
        if isinstance(p, ToolResultPart)
    }


def test_estimates_run_high_and_count_every_block():
    one = estimate_message(user("x" * 300))
    assert one >= 100, "3 characters a token at most"
    assert estimate_message(user("x" * 300, note="y" * 300)) > 2 * 100


def test_a_request_is_counted_from_the_providers_count_plus_what_was_added():
    conversation = session()
    measured = Measured(tokens=5000, messages=9)
    added = estimate_messages(conversation[9:])
    assert request_tokens(900, conversation, measured) == 5000 + added
    # A count of a longer conversation than this one describes something else: estimate.
    stale = Measured(tokens=5000, messages=20)
    assert request_tokens(900, conversation, stale) == 900 + estimate_messages(conversation)


def test_elision_takes_stale_reads_first_and_keeps_the_latest_read_of_each_file_longest():
    conversation = session()
    page = estimate_message(results(("x", PAGE)))
    # Enough for one result: the first read of a.html, read again later (and edited), goes.
    once = contents(elide(conversation, page // 2))
    assert once["r1"].startswith("[a.html as read at turn 1: elided")
    assert once["r2"] == once["r3"] == once["r4"] == PAGE
    # More: b.html's first read (read again in the newest turn) goes next; then the latest
    # read of a.html; the newest results, which the model is about to read, never.
    everything = contents(elide(conversation, 10 * page))
    assert everything["r2"].startswith("[b.html as read at turn 1")
    assert everything["r3"].startswith("[a.html as read at turn 3")
    assert everything["r4"] == PAGE
    assert everything["e1"] == "Updated a.html.", "too short to be worth a stub"


def test_elision_keeps_every_call_paired_and_the_owners_words_whole():
    elided = elide(session(), 10**6)
    calls = [p.id for m in elided for p in m.parts if isinstance(p, ToolCallPart)]
    answered = [p.tool_call_id for m in elided for p in m.parts if isinstance(p, ToolResultPart)]
    assert calls == answered
    assert instructions(elided) == ["Make the title blue.", "Now the footer."]
    notes = [p.text for m in elided for p in m.parts if isinstance(p, TextPart) and p.note]
    assert notes == ["(files: a.html, b.html)"] * 2, "notes this short are not worth a stub"


def test_long_tool_inputs_and_old_notes_are_elided_too():
    listing = "(The app's files:\n" + "\n".join(f"- page{i}.html" for i in range(60)) + ")"
    conversation = [
        user("Rewrite a.html.", note=listing),
        assistant(edit("e1", "a.html", new=PAGE)),
        results(("e1", "Updated a.html.")),
        assistant(TextPart("Done.")),
        user("Thanks.", note=listing),
    ]
    elided = elide(conversation, 10**6)
    call = elided[1].parts[0]
    assert isinstance(call, ToolCallPart)
    assert call.input == {
        "filepath": "a.html",
        "old_code": "a",
        "new_code": f"[elided: {len(PAGE)} characters]",
    }
    assert elided[0].parts[1].text.startswith("[an earlier note")
    assert elided[-1] == conversation[-1], "the newest message is untouched"


def test_the_protected_part_starts_at_the_newest_assistant_message():
    conversation = session()
    assert protected_from(conversation) == 9
    assert protected_from([user("hi")]) == 0


def test_a_summary_cut_never_separates_a_call_from_its_result():
    conversation = session()
    for keep in (0, 100, 2000, 10**6):
        cut = summary_cut(conversation, keep)
        assert cut == 0 or cut >= 2
        kept = conversation[cut:]
        if cut:
            first = kept[0]
            assert first.role == "assistant" or not any(
                isinstance(p, ToolResultPart) for p in first.parts
            )
        assert conversation[protected_from(conversation)] in kept
    assert summary_cut(conversation, 10**6) == 3, "keeps as much as fits"
    assert summary_cut(conversation, 0) == 9, "keeps at least the protected part"
    assert summary_cut([user("hi"), assistant(TextPart("yo"))], 0) == 0


def test_the_summary_keeps_every_instruction_verbatim_and_the_files_changed():
    conversation = session()
    conversation.insert(5, assistant(edit("e2", "c.css")))
    conversation.insert(6, results(("e2", "old_code not found"), error=True))
    summary = summary_message(conversation[:9], "They made the title blue.", ["v2 (a.html)"])
    said = [p.text for p in summary.parts if isinstance(p, TextPart) and not p.note]
    assert said == ["Make the title blue."]
    text = summary.text
    assert "They made the title blue." in text
    assert "Files changed in that part: a.html." in text, "not c.css: that edit failed"
    assert "v2 (a.html)" in text
    # A later summary of a conversation that starts with this one keeps the words again.
    again = summary_message([summary, *conversation[9:]], None, [])
    assert [p.text for p in again.parts if not p.note] == [
        "Make the title blue.",
        "Now the footer.",
    ]


def test_the_model_is_given_the_newest_lines_of_a_long_transcript():
    text = transcript(session(), max_tokens=200)
    assert text.startswith("(earlier lines left out)\n[result] <p>lorem")
    assert "Owner: Make the title blue." not in text
    assert "Owner: Now the footer.\n" in text
    assert len(text) <= 200 * 3 + 40


def test_cutting_the_newest_results_says_how_long_they_were():
    conversation = session()
    cut = cut_newest_results(conversation, 1000)
    result = cut[-1].parts[0]
    assert isinstance(result, ToolResultPart)
    assert result.content.startswith(PAGE[:100])
    assert "[cut here: this result was about" in result.content
    assert estimate_messages(conversation) - estimate_messages(cut) >= 1000 - 50
    assert cut[:-1] == conversation[:-1]


def test_files_changed_counts_only_edits_that_succeeded():
    messages = [
        assistant(edit("e1", "a.html"), edit("e2", "b.html"), read("r1", "c.html")),
        Message(
            "user",
            (
                ToolResultPart("e1", "ok"),
                ToolResultPart("e2", "no", is_error=True),
                ToolResultPart("r1", "x"),
            ),
        ),
    ]
    assert files_changed(messages) == ["a.html"]


def test_the_current_requests_file_list_outlives_older_ones():
    listing = "(The app's files:\n" + "\n".join(f"- page{i}.html" for i in range(60)) + ")"
    conversation = [
        user("Earlier request.", note=listing),
        assistant(TextPart("Done.")),
        user("This request.", note=listing),
        assistant(read("r1", "page1.html")),
        results(("r1", PAGE)),
        assistant(read("r2", "page2.html")),
        results(("r2", PAGE)),
    ]
    note_tokens = estimate_message(user("", note=listing))
    elided = elide(conversation, note_tokens + estimate_message(results(("r1", PAGE))) // 2)
    assert elided[0].parts[1].text.startswith("[an earlier note")
    assert contents(elided)["r1"].startswith("[page1.html as read")
    assert elided[2] == conversation[2], "the current request's list goes last"


def test_edits_in_a_list_renames_and_windowed_reads_are_understood():
    batch = ToolCallPart(
        "e1",
        "apply_edit",
        {"filepath": "a.html", "edits": [{"old_code": "a", "new_code": PAGE}]},
    )
    rename = ToolCallPart("m1", "rename_file", {"from": "a.html", "to": "b.html"})
    window = ToolCallPart("r1", "get_current_code", {"filepath": "c.html", "offset": 400})
    conversation = [
        user("Go."),
        assistant(batch, rename, window),
        Message(
            "user",
            (ToolResultPart("e1", "ok"), ToolResultPart("m1", "ok"), ToolResultPart("r1", PAGE)),
        ),
        assistant(TextPart("Done.")),
        user("Next."),
    ]
    elided = elide(conversation, 10**6)
    call = elided[1].parts[0]
    assert isinstance(call, ToolCallPart)
    assert call.input["edits"] == [
        {"old_code": "a", "new_code": f"[elided: {len(PAGE)} characters]"}
    ]
    assert contents(elided)["r1"].startswith("[c.html from line 400 as read at turn 1")
    assert files_changed(conversation) == ["a.html", "b.html"]
