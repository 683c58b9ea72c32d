"""Safer review: rejecting a version that deletes files asks first and names them; a hunk of
an older version is rejected from the file as it is now, or says it no longer applies; an old
version is restored only after its changes have been shown."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import shot
from .workspace import SHOP_PAGE, SHOP_PAGE_TWO_HUNKS, Workspace, shop_edited_by_ai

pytestmark = pytest.mark.browser

BASE = SHOP_PAGE
TWO_HUNKS = SHOP_PAGE_TWO_HUNKS
FILES = {"index.html": BASE, "style.css": "h1 { color: navy; }\n", "app.js": "// app\n"}


def files(api: Any, app: str) -> list[str]:
    return sorted(f["path"] for f in api.request("GET", f"/api/apps/{app}/files"))


def open_version(page: Any, number: int) -> None:
    page.locator(f"[data-testid=version]:has(.version-no:text-is('#{number}'))").click()
    page.get_by_test_id("diff-view").wait_for()


def test_rejecting_the_first_version_asks_first_and_names_every_file(page, server, api):
    app = api.create_app(FILES)
    ws = Workspace(page, server, app).open()
    page.wait_for_selector("[data-testid=version] .version-no:text-is('#1')")
    open_version(page, 1)

    page.get_by_test_id("reject-version").click()
    dialog = page.get_by_test_id("confirm-dialog")
    dialog.wait_for()
    assert sorted(dialog.get_by_test_id("confirm-removes").locator("li").all_inner_texts()) == [
        "app.js",
        "index.html",
        "style.css",
    ]
    assert "deletes 3 files" in dialog.inner_text()
    assert dialog.get_by_test_id("confirm-ok").inner_text() == "Reject and delete 3 files"
    shot(page, "ux-confirm-reject")

    # Cancel (the focused button) removes nothing.
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert files(api, app) == ["app.js", "index.html", "style.css"]

    page.get_by_test_id("reject-version").click()
    page.get_by_test_id("confirm-ok").click()
    page.get_by_test_id("confirm-dialog").wait_for(state="detached")
    page.locator("[data-testid=version][data-source=revert]").first.wait_for()
    assert files(api, app) == []
    page.wait_for_function("document.querySelectorAll('[data-testid=file]').length === 0")
    assert ws.page.get_by_test_id("diff-view").count() == 0


def test_a_hunk_of_an_older_version_is_rejected_from_the_file_as_it_is_now(page, server, sim, api):
    app, ws = shop_edited_by_ai(page, server, sim, api)
    # Later work: a line added at the top (moving everything down) and the footer reworded.
    later = ("<!-- banner -->\n" + TWO_HUNKS).replace("New footer", "Newest footer")
    api.write(app, "index.html", later)
    ws.wait_editor_value(later)

    open_version(page, 2)  # the AI edit, no longer the newest version
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=hunk]:not([data-hunk-state=unknown])').length === 2"
    )
    hunks = page.get_by_test_id("hunk")
    assert hunks.nth(0).get_attribute("data-hunk-state") == "applies"
    assert hunks.nth(1).get_attribute("data-hunk-state") == "conflict"
    assert hunks.nth(1).get_by_test_id("reject-hunk").count() == 0
    assert hunks.nth(1).get_by_test_id("hunk-conflict").inner_text() == "edited since"
    shot(page, "ux-reject-older-hunk")

    hunks.nth(0).get_by_test_id("reject-hunk").click()
    expected = later.replace("New title", "Old title")
    ws.wait_editor_value(expected)  # the editor behind follows; the file is what we expect
    assert api.read(app, "index.html") == expected
    page.locator("[data-testid=hunk][data-hunk-state=rejected]").wait_for()
    assert hunks.nth(1).get_attribute("data-hunk-state") == "conflict"


def test_restore_shows_what_changes_before_it_restores(page, server, api):
    app = api.create_app({"index.html": BASE, "style.css": "h1 { color: navy; }\n"})
    api.write(app, "index.html", BASE.replace("Old title", "Second title"))
    api.write(app, "extra.js", "console.log('later');\n")
    Workspace(page, server, app).open()
    page.wait_for_selector("[data-testid=version] .version-no:text-is('#3')")
    open_version(page, 1)
    page.get_by_test_id("restore-version").click()

    view = page.get_by_test_id("restore-view")
    view.get_by_test_id("restore-files").wait_for()
    kinds = {
        el.get_attribute("data-path"): el.get_attribute("data-kind")
        for el in view.get_by_test_id("restore-file").all()
    }
    assert kinds == {"extra.js": "removed", "index.html": "changed"}
    assert view.get_by_test_id("restore-removes").inner_text() == "extra.js"
    assert view.get_by_test_id("confirm-restore").inner_text() == "Restore (deletes 1)"
    view.locator("[data-testid=restore-file][data-path='index.html']").click()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=restore-view] .view-line')]"
        ".some(l => /Old\\stitle/.test(l.textContent))"  # Monaco draws spaces as U+00A0
    )
    shot(page, "ux-restore-preview")
    assert files(api, app) == ["extra.js", "index.html", "style.css"], "nothing written yet"

    view.get_by_test_id("confirm-restore").click()
    view.wait_for(state="detached")
    page.wait_for_function("document.querySelectorAll('[data-testid=file]').length === 2")
    assert files(api, app) == ["index.html", "style.css"]
    assert api.read(app, "index.html") == BASE


def test_accept_is_kept_after_a_reload(page, server, sim, api):
    app, ws = shop_edited_by_ai(page, server, sim, api)
    open_version(page, 2)
    page.get_by_test_id("accept-version").click()
    page.get_by_test_id("diff-view").wait_for(state="detached")
    page.locator(
        "[data-testid=version]:has(.version-no:text-is('#2')) [data-testid=version-accepted]"
    ).wait_for()
    newest = api.request("GET", f"/api/apps/{app}/versions")[0]
    assert newest["number"] == 2 and newest["accepted_at"] is not None

    page.reload()
    ws.wait_connected()
    page.locator(
        "[data-testid=version]:has(.version-no:text-is('#2')) [data-testid=version-accepted]"
    ).wait_for()
    open_version(page, 2)
    page.get_by_test_id("diff-view").locator(".badge.ok").filter(has_text="accepted").wait_for()
    assert page.get_by_test_id("accept-version").count() == 0
    shot(page, "ws-accepted-after-reload")


def test_restore_shows_the_old_version_as_a_page_first(page, server, api):
    styled = BASE.replace("<head>", '<head><link rel="stylesheet" href="style.css">')
    old = styled.replace("Old title", "The first title")
    later = styled.replace("Old title", "A later title")
    app = api.create_app({"index.html": old, "style.css": "h1 { color: rgb(0, 0, 128); }\n"})
    api.write(app, "index.html", later)
    api.write(app, "style.css", "h1 { color: rgb(200, 0, 0); }\n")
    Workspace(page, server, app).open()
    page.wait_for_selector("[data-testid=version] .version-no:text-is('#3')")
    open_version(page, 1)
    page.get_by_test_id("restore-version").click()

    frame = page.get_by_test_id("restore-preview").element_handle().content_frame()
    frame.wait_for_function(
        "document.querySelector('h1')?.textContent === 'The first title'"
        " && getComputedStyle(document.querySelector('h1')).color === 'rgb(0, 0, 128)'"
    )
    shot(page, "ws-restore-version-preview")
    assert api.read(app, "index.html") == later, "nothing written yet"

    page.get_by_test_id("confirm-restore").click()
    page.get_by_test_id("restore-view").wait_for(state="detached")
    page.locator("[data-testid=version][data-source=revert]").first.wait_for()
    assert api.read(app, "index.html") == old
    versions = api.request("GET", f"/api/apps/{app}/versions")
    assert len(versions) == 4, "the restore is one version"
    assert versions[0]["paths"] == ["index.html", "style.css"]


def test_a_hunk_rejected_over_a_file_that_just_changed_writes_nothing(page, server, sim, api):
    app, ws = shop_edited_by_ai(page, server, sim, api)
    open_version(page, 2)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=hunk][data-hunk-state=applies]').length === 2"
    )
    elsewhere = TWO_HUNKS.replace("<p>two</p>", "<p>two, from another tab</p>")

    def another_tab_saves_first(route: Any) -> None:
        api.write(app, "index.html", elsewhere)  # lands between the read and the reject
        route.continue_()

    page.route("**/versions/*/revert", another_tab_saves_first)
    page.get_by_test_id("hunk").nth(0).get_by_test_id("reject-hunk").click()
    page.locator(".toast-error").filter(has_text="changed meanwhile").wait_for()
    shot(page, "ws-reject-hunk-conflict")
    assert api.read(app, "index.html") == elsewhere, "the other tab's edit stands"
    assert len(api.request("GET", f"/api/apps/{app}/versions")) == 3


def test_a_version_rejected_over_a_file_that_just_changed_writes_nothing(page, server, sim, api):
    app, ws = shop_edited_by_ai(page, server, sim, api)
    open_version(page, 2)
    elsewhere = TWO_HUNKS.replace("<p>two</p>", "<p>two, from another tab</p>")

    def another_tab_saves_first(route: Any) -> None:
        api.write(app, "index.html", elsewhere)
        route.continue_()

    page.route("**/versions/*/revert", another_tab_saves_first)
    page.get_by_test_id("reject-version").click()
    page.locator(".toast-error").filter(has_text="changed meanwhile").wait_for()
    assert api.read(app, "index.html") == elsewhere, "the other tab's edit stands"
    assert len(api.request("GET", f"/api/apps/{app}/versions")) == 3
