"""Every way a reply can end, and the run's spending limits, through the HTTP API with the
in-process test model."""

from __future__ import annotations

import asyncio

from appwright.models.types import Message, StopDetails, TextPart
from appwright.testing.fake_search import FakeSearch
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool

SITE = {"index.html": "<h1>Hello</h1>\n<p>Old</p>\n"}
WHOLE_PAGE = "<!doctype html>\n" + "<p>new layout</p>\n" * 200


def notes(message: Message) -> list[str]:
    return [p.text for p in message.parts if isinstance(p, TextPart) and p.note]


async def test_a_tool_call_cut_at_the_output_limit_is_never_run(harness) -> None:
    model = ScriptedModel(
        [
            Turn(
                [
                    text("Rewriting the page."),
                    tool("apply_edit", filepath="index.html", old_code="", new_code=WHOLE_PAGE),
                ],
                stop_reason="max_tokens",
            ),
            Turn(
                [
                    tool("apply_edit", filepath="index.html", old_code="Hello", new_code="Hi"),
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="New"),
                ]
            ),
            Turn([text("Done in two small steps.")]),
        ]
    )
    h = await harness(model, max_tokens=1000)
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "Redo the page")
    assert end["status"] == "completed", end
    assert await h.file(app_id, "index.html") == "<h1>Hi</h1>\n<p>New</p>\n"
    started = [e for e in await h.events(session) if e["type"] == "tool.started"]
    assert [e["input"]["old_code"] for e in started] == ["Hello", "Old"], "the cut call never ran"
    first, second, _ = model.requests
    assert second.max_tokens == 4000 > first.max_tokens == 1000, "raised once"
    assert second.messages != first.messages
    [note] = notes(second.messages[-1])
    assert "apply_edit was cut off at the output limit (1000 tokens)" in note
    assert second.messages[-2].text == "Rewriting the page."
    assert second.messages[-2].tool_calls == []


async def test_text_cut_at_the_output_limit_is_continued(harness) -> None:
    model = ScriptedModel(
        [Turn([text("Here is part one")], stop_reason="max_tokens"), Turn([text(", and two.")])]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "Explain")
    assert end["status"] == "completed"
    said = "".join(e["text"] for e in await h.events(session) if e["type"] == "text.delta")
    assert said == "Here is part one, and two."
    assert "Continue exactly where it stopped" in notes(model.requests[1].messages[-1])[0]


async def test_a_refusal_fails_the_run_with_the_models_explanation(harness) -> None:
    details = StopDetails(category="cyber", explanation="This request was refused due to policy.")
    model = ScriptedModel(
        [
            Turn(
                [
                    tool("web_search", query="how to do something dubious"),
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="Bad"),
                ],
                stop_reason="refusal",
                stop_details=details,
            ),
            Turn([text("Sure, here is the list.")]),
        ]
    )
    # The search starts while the reply streams and cannot finish before the refusal ends it.
    h = await harness(model, search=FakeSearch(gate=asyncio.Event()))
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "Do something dubious")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_refused")
    assert end["error"]["message"].startswith(
        "The model declined this request (category: cyber): This request was refused due to policy."
    )
    statuses = [e["status"] for e in await h.events(session) if e["type"] == "tool.finished"]
    assert "ok" not in statuses
    assert await h.file(app_id, "index.html") == SITE["index.html"]  # the refused edit never ran
    # The session goes on: the refused turn is in the conversation, without its calls.
    again = await h.run(session, "Then list the files")
    assert again["status"] == "completed"
    assert [m.role for m in model.requests[-1].messages] == ["user", "assistant", "user"]


async def test_a_paused_turn_is_sent_back_to_be_continued(harness) -> None:
    model = ScriptedModel(
        [Turn([text("Searching")], stop_reason="pause_turn"), Turn([text(" and found it.")])]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "Look it up")
    assert end["status"] == "completed"
    assert model.requests[1].messages[-1] == Message("assistant", (TextPart("Searching"),))


async def test_a_full_context_window_condenses_and_continues(harness) -> None:
    model = ScriptedModel(
        [
            Turn([tool("get_current_code", filepath="index.html")]),
            Turn([text("Half an answer")], stop_reason="model_context_window_exceeded"),
            Turn([text("The rest.")]),
        ]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "Summarise the page")
    assert end["status"] == "completed"
    events = await h.events(session)
    compacted = [e for e in events if e["type"] == "context.compacted"]
    assert len(compacted) == 1
    turn_3 = next(e["seq"] for e in events if e["type"] == "turn.started" and e["turn"] == 3)
    assert compacted[0]["seq"] < turn_3
    assert "context window was full" in notes(model.requests[2].messages[-1])[0]


async def test_the_token_limit_ends_the_run_before_a_call_could_pass_it(harness) -> None:
    model = ScriptedModel([Turn([tool("list_files")]) for _ in range(20)])
    h = await harness(model, max_run_tokens=6000, max_tokens=500)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "Loop")
    assert (end["status"], end["error"]["code"]) == ("failed", "budget_exceeded")
    assert "APPWRIGHT_MAX_RUN_TOKENS" in end["error"]["message"]
    used = sum(v for k, v in end["usage"].items() if k.endswith("tokens"))
    assert 3000 < used <= 6000
    assert all(r.max_tokens <= 500 for r in model.requests)


async def test_the_cost_limit_ends_the_run_before_a_call_could_pass_it(harness) -> None:
    model = ScriptedModel([Turn([tool("list_files")]) for _ in range(20)])
    h = await harness(model, max_run_cost_usd=0.05, max_tokens=500)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "Loop")
    assert (end["status"], end["error"]["code"]) == ("failed", "budget_exceeded")
    assert 0.03 < end["usage"]["cost_usd"] <= 0.05
