"""Conversations are searched by the server (every session, whatever the page has read of
it), and a result reopens with its log replayed."""

from __future__ import annotations

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, turn

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Bakery</h1>\n</body>\n</html>\n"


def test_search_asks_the_server_and_reopens_the_match(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(MODEL, [turn(text("The croissants now sit under a striped awning."))])
    ws.send("Decorate the shop front")
    ws.wait_runs(1)
    first = api.sessions(app)[0]["id"]
    page.get_by_test_id("new-conversation").click()
    ws.wait_connected()
    sim.script(MODEL, [turn(text("Prices are listed in a table."))])
    ws.send("List the prices")
    ws.wait_runs(1)

    page.get_by_test_id("conversations-toggle").click()
    page.get_by_test_id("conversation-list").and_(page.locator("[data-state=ready]")).wait_for()
    with page.expect_response(
        lambda r: "/sessions?q=" in r.url and "awning" in r.url.lower()
    ) as found:
        page.get_by_test_id("conversation-search").fill("AWNING striped")
    assert [s["id"] for s in found.value.json()] == [first]
    page.wait_for_function("document.querySelectorAll('[data-testid=conversation]').length === 1")
    page.get_by_test_id("conversation-list").and_(page.locator("[data-state=ready]")).wait_for()
    shot(page, "ws-conversation-search")

    page.locator(f"[data-testid=conversation][data-session-id={first}]").click()
    page.get_by_test_id("conversations").wait_for(state="detached")
    ws.wait_runs(1)
    assert "striped awning" in ws.runs().first.inner_text()
    assert page.get_by_test_id("conversation-title").inner_text() == "Decorate the shop front"
