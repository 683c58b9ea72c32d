"""The editor follows the app log without losing the vendor's place, and the diff view
rejects single hunks."""

from __future__ import annotations

import re

import pytest

from .conftest import MODEL, shot
from .workspace import (
    SHOP_PAGE,
    SHOP_PAGE_TWO_HUNKS,
    Workspace,
    shop_edited_by_ai,
    text,
    tool,
    turn,
)

pytestmark = pytest.mark.browser

LONG_PAGE = (
    "<!doctype html>\n<html>\n<body>\n"
    + "".join(f"<p>Line {i}</p>\n" for i in range(1, 201))
    + "</body>\n</html>\n"
)


def test_cursor_and_scroll_survive_an_ai_edit(page, server, sim, api):
    app = api.create_app({"index.html": LONG_PAGE})
    ws = Workspace(page, server, app).open()
    ws.editor(
        "(ed.focus(), ed.setSelection({startLineNumber: 150, startColumn: 4,"
        " endLineNumber: 150, endColumn: 8}), ed.setScrollTop(2000), true)"
    )
    before = ws.editor(
        "({sel: ed.getSelection().toString(), top: ed.getScrollTop(), model: ed.getModel().id})"
    )
    assert before["top"] == 2000

    sim.script(
        MODEL,
        [
            turn(
                tool(
                    "apply_edit",
                    filepath="index.html",
                    old_code="<p>Line 3</p>",
                    new_code="<p>Line three, rewritten by the model</p>",
                )
            ),
            turn(text("Rewrote line 3.")),
        ],
    )
    ws.send("Rewrite line 3")
    ws.wait_editor_contains("<p>Line three, rewritten by the model</p>")
    ws.wait_runs(1)

    after = ws.editor(
        "({sel: ed.getSelection().toString(), top: ed.getScrollTop(), model: ed.getModel().id})"
    )
    assert after == before, "cursor, selection, scroll and the model itself must survive"
    assert ws.editor("ed.getModel().canUndo()"), "the edit joins the local undo stack"
    shot(page, "editor-after-ai-edit")


BASE = SHOP_PAGE
TWO_HUNKS = SHOP_PAGE_TWO_HUNKS


def test_reject_one_hunk_keeps_the_other(page, server, sim, api):
    app, ws = shop_edited_by_ai(page, server, sim, api)

    page.locator("[data-testid=version][data-source=ai]").first.click()
    page.get_by_test_id("diff-view").wait_for()
    page.wait_for_function("document.querySelectorAll('[data-testid=hunk]').length === 2")
    shot(page, "diff-two-hunks")
    page.get_by_test_id("reject-hunk").first.click()

    expected = BASE.replace("Old footer", "New footer")
    page.locator("[data-testid=version][data-source=revert]").first.wait_for()
    assert api.read(app, "index.html") == expected
    page.get_by_test_id("close-diff").click()
    ws.wait_editor_value(expected)
    shot(page, "diff-after-reject")


def test_ai_edit_over_unsaved_local_edits_is_a_conflict_not_an_overwrite(page, server, sim, api):
    app = api.create_app({"index.html": BASE})
    ws = Workspace(page, server, app).open()
    page.evaluate("window.__appwright_debug.saveDelayMs = 600000")  # hold the typing unsaved
    ws.editor("(ed.focus(), ed.setPosition({lineNumber: 6, column: 6}), true)")
    page.keyboard.type("LOCAL ")
    page.get_by_test_id("editor-state").filter(has_text="Unsaved").wait_for()
    local = ws.editor_value()
    assert "<p>LOCAL one</p>" in local

    sim.script(
        MODEL,
        [
            turn(
                tool("apply_edit", filepath="index.html", old_code="Old title", new_code="AI title")
            ),
            turn(text("Changed the title.")),
        ],
    )
    ws.send("Change the title")
    ws.wait_runs(1)
    page.get_by_test_id("conflict").wait_for()
    assert ws.editor_value() == local, "the vendor's text must not be overwritten"
    assert api.read(app, "index.html") == BASE.replace("Old title", "AI title")
    shot(page, "editor-conflict")

    page.get_by_test_id("keep-mine").click()
    page.get_by_test_id("conflict").wait_for(state="detached")
    # Exactly "Saved": a plain has_text="Saved" is a case-insensitive substring, so "Unsaved"
    # would match too.
    page.get_by_test_id("editor-state").filter(has_text=re.compile(r"^Saved$")).wait_for()
    assert api.read(app, "index.html") == local
