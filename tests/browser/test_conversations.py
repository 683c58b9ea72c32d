"""Conversations: the app's sessions listed newest first with a title from their first
message, searched by what was said in them, and any reopened (its log replays, and the
next message goes to it)."""

from __future__ import annotations

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, turn

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Bakery</h1>\n</body>\n</html>\n"


def ask(ws: Workspace, sim, message: str, answer: str, runs: int) -> None:
    sim.script(MODEL, [turn(text(answer))])
    ws.send(message)
    ws.wait_runs(runs)


def titles(page) -> list[str]:
    return page.locator("[data-testid=conversation] .conversation-title").all_inner_texts()


def test_list_search_and_reopen_conversations(page, server, sim, api):
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()
    ask(ws, sim, "Make the heading blue\nand bigger", "The heading is now a calm zebra blue.", 1)
    first = api.sessions(app)[0]["id"]

    page.get_by_test_id("new-conversation").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=run]').length === 0")
    ws.wait_connected()
    ask(ws, sim, "Add a contact form about pricing", "Added the form.", 1)
    assert (
        page.get_by_test_id("conversation-title").inner_text() == "Add a contact form about pricing"
    )

    page.get_by_test_id("conversations-toggle").click()
    listing = page.get_by_test_id("conversation-list")
    listing.and_(page.locator("[data-state=ready]")).wait_for()
    # Newest first, titled by the first line of the first message; the open one is marked.
    assert titles(page) == ["Add a contact form about pricing", "Make the heading blue"]
    assert (
        page.locator("[data-testid=conversation][aria-current=true]")
        .inner_text()
        .startswith("Add a contact form")
    )

    search = page.get_by_test_id("conversation-search")
    search.fill("zebra")  # only in the model's answer of the first conversation
    page.wait_for_function("document.querySelectorAll('[data-testid=conversation]').length === 1")
    assert titles(page) == ["Make the heading blue"]
    search.fill("pricing FORM")
    page.wait_for_function(
        "document.querySelector('[data-testid=conversation] .conversation-title')"
        "?.textContent === 'Add a contact form about pricing'"
    )
    assert len(titles(page)) == 1
    search.fill("nothing like this")
    page.get_by_test_id("conversations-empty").wait_for()
    search.fill("")
    page.wait_for_function("document.querySelectorAll('[data-testid=conversation]').length === 2")
    shot(page, "ux-conversations")

    # Reopen the first: its log replays through the live connection.
    page.locator(f"[data-testid=conversation][data-session-id={first}]").click()
    page.get_by_test_id("conversations").wait_for(state="detached")
    ws.wait_runs(1)
    assert ws.runs().count() == 1
    assert "zebra blue" in ws.runs().first.inner_text()
    assert page.get_by_test_id("conversation-title").inner_text() == "Make the heading blue"
    ws.wait_connected()

    # The next message continues that conversation.
    ask(ws, sim, "And the footer too", "Footer done.", 2)
    started = [e["text"] for e in api.session_events(first) if e["type"] == "run.started"]
    assert started == ["Make the heading blue\nand bigger", "And the footer too"]
