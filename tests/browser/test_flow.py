"""The whole workspace flow: log in by the printed URL, create an app, ask for a change,
watch the tool cards, see the editor and the preview change, undo, redo."""

from __future__ import annotations

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, tool, turn

pytestmark = pytest.mark.browser


def test_full_flow(page, server, sim):
    page.goto(server.workspace_url)
    page.get_by_test_id("new-app-name").wait_for()
    assert "token=" not in page.url, "the token must leave the address bar"
    assert page.evaluate("localStorage.getItem('appwright.token')") == server.token
    shot(page, "flow-01-apps")

    page.get_by_test_id("new-app-name").fill("Corner Bakery")
    page.get_by_test_id("create-app").click()
    page.wait_for_url("**/apps/*")
    app_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    ws = Workspace(page, server, app_id)
    ws.wait_connected()
    ws.wait_editor_contains("<h1>Corner Bakery</h1>")
    frame = ws.preview_frame()
    frame.wait_for_function("document.querySelector('h1')?.textContent === 'Corner Bakery'")
    iframe = ws.preview_element().element_handle()

    sim.script(
        MODEL,
        [
            turn(
                text("Let me look at the page and find some ideas."),
                tool("get_current_code", filepath="index.html"),
                tool(
                    "web_search",
                    query="[[delay=1.5]] bakery homepage headline ideas",
                    num_results=2,
                ),
            ),
            turn(
                tool(
                    "apply_edit",
                    filepath="index.html",
                    old_code="<h1>Corner Bakery</h1>",
                    new_code="<h1>Fresh bread daily</h1>",
                )
            ),
            turn(text("Done: the heading now says **Fresh bread daily**.")),
        ],
    )
    ws.send("Make the heading say that we bake fresh bread daily")

    running = page.locator("[data-testid=tool-card][data-tool=web_search][data-status=running]")
    running.wait_for()
    shot(page, "flow-02-tool-running")
    page.locator("[data-testid=tool-card][data-tool=apply_edit][data-status=ok]").wait_for()
    ws.wait_runs(1)
    summary = page.locator("[data-tool=apply_edit] [data-testid=tool-summary]").inner_text()
    assert "index.html" in summary
    assert page.locator("[data-testid=tool-card][data-status=ok]").count() == 3
    assert page.locator(".markdown strong", has_text="Fresh bread daily").count() == 1

    ws.wait_editor_contains("<h1>Fresh bread daily</h1>")
    frame.wait_for_function("document.querySelector('h1')?.textContent === 'Fresh bread daily'")
    page.locator("[data-testid=version][data-source=ai]").first.wait_for()
    shot(page, "flow-03-edited")

    page.get_by_test_id("undo").click()
    ws.wait_editor_contains("<h1>Corner Bakery</h1>")
    frame.wait_for_function("document.querySelector('h1')?.textContent === 'Corner Bakery'")
    page.locator("[data-testid=version][data-source=undo]").first.wait_for()
    shot(page, "flow-04-undone")

    page.keyboard.press("Control+Alt+Shift+KeyZ")  # the redo shortcut
    ws.wait_editor_contains("<h1>Fresh bread daily</h1>")
    frame.wait_for_function("document.querySelector('h1')?.textContent === 'Fresh bread daily'")
    page.locator("[data-testid=version][data-source=redo]").first.wait_for()
    shot(page, "flow-05-redone")

    assert page.evaluate("el => el.isConnected", iframe), "the preview iframe was recreated"
    assert page.locator("[data-testid=preview-frame]").count() == 1
