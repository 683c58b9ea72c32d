"""No silent overwrite: two tabs on one app both edit the top of index.html. The second
tab's save is refused by the server (it started from an older version), so it shows both
versions side by side; the vendor merges on the right and saves, and neither tab's text is
lost."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Shop</h1>\n<p>Welcome</p>\n</body>\n</html>\n"


class HeldAppLog:
    """Routes a page's WebSockets through the test, so the app log's news can be held back:
    that tab then saves without knowing that another tab saved first."""

    def __init__(self, page: Any) -> None:
        self.holding = False
        self.held: list[tuple[Any, Any]] = []
        page.route_web_socket(re.compile(r".*/ws(\?.*)?$"), self._route)

    def _route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        app_log = "/api/apps/" in ws.url

        def from_server(message: Any) -> None:
            if self.holding and app_log:
                self.held.append((ws, message))
            else:
                ws.send(message)

        server.on_message(from_server)

    def release(self) -> None:
        self.holding = False
        for ws, message in self.held:
            ws.send(message)
        self.held.clear()


def type_at_top(ws: Workspace, text: str) -> None:
    ws.editor("(ed.focus(), ed.setPosition({lineNumber: 1, column: 1}), true)")
    ws.page.keyboard.type(text)


def saved(page: Any) -> None:
    page.get_by_test_id("editor-state").filter(has_text=re.compile(r"^Saved$")).wait_for()


def test_two_tabs_editing_the_top_of_a_page_never_lose_a_keystroke(page, server, api):
    app = api.create_app({"index.html": PAGE})
    first = Workspace(page, server, app).open()
    other = page.context.new_page()
    other.set_default_timeout(15_000)
    log = HeldAppLog(other)
    second = Workspace(other, server, app).open()

    log.holding = True  # the second tab hears nothing of the first tab's save
    type_at_top(first, "<!-- first tab -->\n")
    saved(page)
    assert api.read(app, "index.html") == "<!-- first tab -->\n" + PAGE

    type_at_top(second, "<!-- second tab -->\n")
    other.get_by_test_id("conflict-view").wait_for()
    mine = "<!-- second tab -->\n" + PAGE
    assert second.editor_value() == mine, "the second tab's text stays in its editor"
    assert api.read(app, "index.html") == "<!-- first tab -->\n" + PAGE, "nothing overwritten"
    # Both versions side by side: theirs (the first tab's) on the left, mine on the right.
    other.wait_for_function(
        "document.querySelector('[data-testid=conflict-diff] .editor.original')"
        "?.textContent.includes('first\u00a0tab')"
    )
    assert other.get_by_test_id("keep-mine").inner_text() == "Keep mine"
    shot(other, "ws-edit-conflict")

    # Merge on the right: add the first tab's line under mine, then save the merge.
    other.locator(
        "[data-testid=conflict-diff] .editor.modified .view-lines:not(.line-delete)"
    ).click()
    other.keyboard.press("Control+Home")
    other.keyboard.press("ArrowDown")
    other.keyboard.type("<!-- first tab -->\n")
    merged = "<!-- second tab -->\n<!-- first tab -->\n" + PAGE
    other.get_by_test_id("keep-mine").filter(has_text="Save merged").wait_for()
    shot(other, "ws-edit-conflict-merged")
    other.get_by_test_id("keep-mine").click()
    other.get_by_test_id("conflict-view").wait_for(state="detached")
    saved(other)
    assert api.read(app, "index.html") == merged

    # The held news arrives late and changes nothing; the first tab follows the merge.
    log.release()
    first.wait_editor_value(merged)
    second.wait_editor_value(merged)
    assert other.get_by_test_id("conflict-view").count() == 0
    other.close()


def test_take_theirs_drops_my_edit_only_when_asked(page, server, api):
    app = api.create_app({"index.html": PAGE})
    first = Workspace(page, server, app).open()
    other = page.context.new_page()
    other.set_default_timeout(15_000)
    log = HeldAppLog(other)
    second = Workspace(other, server, app).open()

    log.holding = True
    type_at_top(first, "<!-- first -->\n")
    saved(page)
    type_at_top(second, "<!-- second -->\n")
    other.get_by_test_id("conflict-view").wait_for()
    other.get_by_test_id("take-theirs").click()
    other.get_by_test_id("conflict-view").wait_for(state="detached")
    second.wait_editor_value("<!-- first -->\n" + PAGE)
    log.release()
    saved(other)
    assert api.read(app, "index.html") == "<!-- first -->\n" + PAGE
    other.close()
