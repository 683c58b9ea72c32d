"""The live channel from the page's side: reconnect and resume, the offline outbox (and a
message frame lost with its socket, sent again), cancel, and no timers, listeners or
sockets left behind."""

from __future__ import annotations

import json
import re
import time

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, tool, turn

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Live</h1>\n<p>Body</p>\n</body>\n</html>\n"
ANSWER = (
    "I will change the heading now. This sentence is long so that it streams in many small "
    "pieces while the connection is cut and comes back, and every piece must appear once."
)


def test_reconnect_mid_run_shows_every_event_once(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            turn(
                text(ANSWER),
                tool(
                    "apply_edit",
                    filepath="index.html",
                    old_code="<h1>Live</h1>",
                    new_code="<h1>Resumed</h1>",
                ),
                token_delay=0.05,
                chunk_chars=4,
            ),
            turn(text("Finished after the reconnect."), token_delay=0.05, chunk_chars=4),
        ],
    )
    ws.send("Change the heading")
    page.wait_for_function(
        "document.querySelector('[data-testid=run] .markdown')?.textContent.length > 10"
    )
    assert page.evaluate("window.__appwright_debug.dropSockets()") == 2
    page.wait_for_selector("[data-testid=conn-chat]:not([data-status=open])")
    shot(page, "reconnect-dropped")
    ws.wait_connected()
    ws.wait_runs(1)
    ws.wait_editor_contains("<h1>Resumed</h1>")

    run_text = ws.runs().first.inner_text()
    assert run_text.count(ANSWER) == 1
    assert run_text.count("Finished after the reconnect.") == 1
    assert page.locator("[data-testid=tool-card]").count() == 1

    fresh = page.context.new_page()
    other = Workspace(fresh, server, app).open()
    other.wait_runs(1)
    other.wait_editor_contains("<h1>Resumed</h1>")
    assert other.runs().first.inner_text() == run_text
    assert other.editor_value() == ws.editor_value()
    versions = (
        "[...document.querySelectorAll('[data-testid=version]')].map(v => v.dataset.versionId)"
    )
    assert fresh.evaluate(versions) == page.evaluate(versions)
    fresh.close()


def test_messages_typed_offline_are_sent_once_on_reconnect(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.forget(MODEL)  # the sim's echo replies

    server.stop()
    page.wait_for_selector("[data-testid=conn-chat][data-status=reconnecting]")
    ws.send("first while offline")
    ws.send("second while offline")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=pending-message]').length === 2"
    )
    shot(page, "offline-queued")

    server.start()
    ws.wait_connected()
    ws.wait_runs(2)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=pending-message]').length === 0"
    )
    session = api.sessions(app)[0]["id"]
    started = [e["text"] for e in api.session_events(session) if e["type"] == "run.started"]
    assert started == ["first while offline", "second while offline"]
    shot(page, "offline-sent")


def test_a_message_lost_with_its_socket_is_sent_again_and_runs_once(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    sim.forget(MODEL)
    frames: list[dict[str, object]] = []

    def session_socket(route):
        upstream = route.connect_to_server()

        def from_page(message):
            frame = json.loads(message)
            if frame.get("type") == "message":
                frames.append(frame)
                if len(frames) == 1:
                    # The process this frame reached dies before committing it.
                    route.close(code=4000, reason="server died")
                    upstream.close()
                    return
            upstream.send(message)

        route.on_message(from_page)
        upstream.on_message(route.send)

    page.route_web_socket(re.compile(r".*/api/sessions/[^/]+/ws.*"), session_socket)
    ws = Workspace(page, server, app).open()
    ws.send("say this once")
    ws.wait_runs(1)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=pending-message]').length === 0"
    )
    assert ws.runs().count() == 1
    assert len(frames) == 2
    assert frames[0]["client_msg_id"] == frames[1]["client_msg_id"]
    session = api.sessions(app)[0]["id"]
    started = [e for e in api.session_events(session) if e["type"] == "run.started"]
    assert [e["client_msg_id"] for e in started] == [frames[0]["client_msg_id"]]
    shot(page, "lost-message-resent")


def test_cancel_during_a_hung_tool_ends_the_run_within_a_second(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            turn(text("Searching."), tool("web_search", query="[[hang]] opening hours")),
            turn(text("never reached")),
        ],
    )
    ws.send("Look up opening hours")
    page.locator("[data-testid=tool-card][data-tool=web_search][data-status=running]").wait_for()
    shot(page, "cancel-hung-tool")

    started = time.monotonic()
    page.get_by_test_id("cancel").click()
    page.locator("[data-testid=run][data-status=cancelled]").wait_for(timeout=5000)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"the run ended on screen {elapsed:.2f} s after cancel"
    assert page.locator("[data-testid=tool-card][data-status=cancelled]").count() == 1
    assert page.get_by_test_id("cancel").count() == 0
    shot(page, "cancel-done")


def test_thirty_runs_leave_no_timers_listeners_or_sockets(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.forget(MODEL)

    ws.send("message 1")
    ws.wait_runs(1)
    baseline = ws.counters()
    assert baseline["sockets"] == 2
    for i in range(2, 31):
        ws.send(f"message {i}")
        ws.wait_runs(i)
    ws.wait_counters(baseline)
    assert ws.runs().count() == 30
    shot(page, "thirty-runs")
