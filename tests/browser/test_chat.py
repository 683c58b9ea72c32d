"""The chat's honesty about failures: a retried model call, or a run another server took over,
drops its abandoned text and says so quietly; a failed run shows its specific message and
offers a retry. And a streamed answer re-renders the chat alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, turn

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Chat</h1>\n</body>\n</html>\n"
ANSWER = "This is the complete answer, streamed after the first attempt was dropped."


def test_model_retry_removes_the_abandoned_text(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            turn(
                text(ANSWER),
                chunk_chars=6,
                faults=[{"attempt": 1, "kind": "drop_after", "events": 6}],
            )
        ],
    )
    ws.send("Answer me")
    ws.wait_runs(1)
    run = ws.runs().first
    assert run.get_by_test_id("retry-notice").count() == 1
    assert run.locator(".markdown").all_inner_texts() == [ANSWER]
    shot(page, "chat-model-retry")


def test_failed_run_shows_its_message_and_can_be_retried(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            turn(
                text("Second time lucky."), faults=[{"attempt": 1, "kind": "status", "status": 400}]
            )
        ],
    )
    ws.send("Try this")
    ws.wait_runs(1, status="failed")
    error = page.get_by_test_id("run-error").first
    message = error.inner_text()
    assert "Failed" in message and len(message) > len("Failed: "), message
    shot(page, "chat-run-failed")

    page.get_by_test_id("retry").click()
    ws.wait_runs(1)
    assert ws.runs().count() == 2
    assert ws.runs().nth(1).locator(".markdown").inner_text() == "Second time lucky."


def _web_search(tool_id: str, status: str, duration_ms: int, summary: str) -> list[dict[str, Any]]:
    call = {"tool_id": tool_id, "name": "web_search"}
    return [
        {"type": "tool.started", **call, "input": {"query": "hours"}},
        {
            "type": "tool.finished",
            **call,
            "status": status,
            "duration_ms": duration_ms,
            "summary": summary,
        },
    ]


def _resumed_log(run_id: str) -> list[dict[str, Any]]:
    """A session log whose run was taken over mid-tool, as the contract writes it: the dead
    process's tool closed `cancelled`, then `run.resumed`, then turn 1 again."""
    tokens = dict.fromkeys(
        ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"], 0
    )
    bodies: list[dict[str, Any]] = [
        {"type": "run.started", "text": "Find our opening hours", "client_msg_id": None},
        {"type": "turn.started", "turn": 1},
        {"type": "text.delta", "text": "ABANDONED: let me search for that."},
        *_web_search("t-a", "cancelled", 0, "The server running it stopped."),
        {"type": "run.resumed", "reason": "server_restarted", "turn": 1},
        {"type": "turn.started", "turn": 1},
        {"type": "text.delta", "text": "Searching again."},
        *_web_search("t-b", "ok", 80, "5 results"),
        {"type": "turn.started", "turn": 2},
        {"type": "text.delta", "text": "We are open 9 to 5."},
        {
            "type": "run.finished",
            "status": "completed",
            "edited_paths": [],
            "usage": {**tokens, "cost_usd": None},
        },
    ]
    ts = "2025-01-01T00:00:00.000Z"
    return [{**b, "seq": i + 1, "ts": ts, "run_id": run_id} for i, b in enumerate(bodies)]


def test_a_run_taken_over_by_another_server_says_so(page, server, api):
    app = api.create_app({"index.html": PAGE})
    session = api.request("POST", f"/api/apps/{app}/sessions")["id"]
    events = _resumed_log("run-taken-over")
    # The page reads this log over HTTP, then resumes the real (empty) session log after it.
    page.route(
        re.compile(rf".*/api/sessions/{session}/events\?after=0$"),
        lambda route: route.fulfill(json={"events": events}),
    )
    ws = Workspace(page, server, app).open()
    ws.wait_runs(1)
    run = ws.runs().first
    notice = run.get_by_test_id("resumed-notice")
    assert notice.count() == 1
    assert "another took over" in notice.inner_text()
    assert "turn 1" in notice.inner_text()
    cards = run.locator("[data-testid=tool-card]")
    assert [cards.nth(i).get_attribute("data-status") for i in range(cards.count())] == [
        "cancelled",
        "ok",
    ]
    assert "The server running it stopped." in cards.first.inner_text()
    texts = run.locator(".markdown").all_inner_texts()
    assert texts == ["Searching again.", "We are open 9 to 5."]
    assert "ABANDONED" not in run.inner_text()
    shot(page, "chat-run-resumed")


def test_streamed_text_re_renders_the_chat_and_not_the_editor_or_preview(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    # Settled: the version listing and the initial version's commit have arrived.
    page.wait_for_selector("[data-testid=version] .version-no:text-is('#1')")
    page.wait_for_selector("[data-testid=commit-state].commit-committed")
    sim.script(MODEL, [turn(text(ANSWER), chunk_chars=4, token_delay=0.01)])
    before = page.evaluate("({...window.__appwright_debug.renders})")
    ws.send("Answer me at length")
    ws.wait_runs(1)
    after = page.evaluate("({...window.__appwright_debug.renders})")
    session = api.sessions(app)[0]["id"]
    events = api.session_events(session)
    deltas = sum(1 for e in events if e["type"] == "text.delta")
    assert deltas >= 10
    # The run's usage moved the chat's meter too, and nothing else.
    assert any(e["type"] == "model.usage" for e in events)
    page.get_by_test_id("session-cost").wait_for()
    # React may fold deltas that arrive together into one render (it does on a busy machine);
    # what matters is that streaming re-rendered the chat again and again, and nothing else.
    assert after["chat"] - before["chat"] >= 3, (before, after, deltas)
    assert after["editor"] == before["editor"], (before, after)
    assert after["preview"] == before["preview"], (before, after)
