"""Whatever the model writes (steered, say, by a page it read), the session survives: its
words reach the log repaired, a tool call whose input is not valid text gets an error
result, the run ends normally, the log reads back, and the next message works."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from appwright import text as text_rule
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool
from hostile import hostile_json, hostile_text


@pytest.fixture
async def session_maker(harness) -> Any:
    model = ScriptedModel([])
    h = await harness(model)
    app_id = await h.app({"index.html": "<p>hi</p>"})
    return h, model, app_id


def assert_valid(value: Any) -> None:
    assert text_rule.find_in_tree(value) is None, value
    json.dumps(value, ensure_ascii=False).encode("utf-8")


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(said=hostile_text, path=hostile_text, content=hostile_text, extra=hostile_json)
async def test_nothing_the_model_writes_breaks_the_session(
    session_maker, said: str, path: str, content: str, extra: Any
) -> None:
    h, model, app_id = session_maker
    calls = [
        tool("apply_edit", filepath=f"{path}.js", old_code="", new_code=content),
        tool("get_current_code", filepath=path),
        tool("web_search", query=f"q {said}"),
        {"type": "tool_use", "name": f"list_files{said}", "input": {said: extra}},
    ]
    model.turns = [Turn([text(f"Here {said}"), *calls]), Turn([text(said or "done")])]
    session = await h.session(app_id)
    end = await h.run(session, "go")
    assert end["status"] == "completed", end

    # A 200 with JSON: the log reads back (and the harness checks its invariants at the end).
    events = await h.events(session)
    assert_valid(events)
    if text_rule.find(said) is None:
        shown = "".join(e["text"] for e in events if e["type"] == "text.delta")
        assert shown == f"Here {said}{said or 'done'}"
    finished = {e["tool_id"]: e for e in events if e["type"] == "tool.finished"}
    started = [e for e in events if e["type"] == "tool.started"]
    for event, call in zip(started, calls, strict=True):
        # As the model's JSON carries it: two surrogate halves side by side are one character.
        if text_rule.find_in_tree(json.loads(json.dumps(call["input"]))) is not None:
            assert finished[event["tool_id"]]["status"] == "error", event
            assert "__invalid_text__" in event["input"]
    # The conversation the model is sent back is valid text, however it was poisoned.
    for request in model.requests:
        assert_valid([m.to_json() for m in request.messages])

    model.turns = [Turn([text("again")])]
    again = await h.run(session, "and again")
    assert again["status"] == "completed"


async def test_a_lone_surrogate_in_a_tool_input_is_an_error_result(harness) -> None:
    model = ScriptedModel(
        [
            Turn([tool("apply_edit", filepath="\ud800.js", old_code="", new_code="x")]),
            Turn([text("hello \ud800 world")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app({"index.html": "<p>hi</p>"})
    session = await h.session(app_id)
    end = await h.run(session, "go")
    assert end["status"] == "completed"
    events = await h.events(session)
    done = next(e for e in events if e["type"] == "tool.finished")
    assert done["status"] == "error" and "lone surrogate (U+D800)" in done["summary"]
    assert "".join(e["text"] for e in events if e["type"] == "text.delta") == "hello \ufffd world"
    result = model.requests[1].messages[-1].parts[0]
    assert result.is_error and "Send it again" in result.content
    files = (await h.client.get(f"/api/apps/{app_id}/files", headers=h.headers)).json()
    assert [f["path"] for f in files] == ["index.html"]
