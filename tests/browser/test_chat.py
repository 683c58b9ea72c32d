"""The chat's honesty about failures: a retried model call drops its abandoned text and
says so quietly; a failed run shows its specific message and offers a retry."""

from __future__ import annotations

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
