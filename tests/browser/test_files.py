"""Files from the page: create, rename and delete text files from the file tree, with the
server's path errors shown in words and a confirmation before a file is deleted."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser

PAGE = '<!doctype html>\n<html>\n<head><link rel="stylesheet" href="style.css"></head>\n<body>\n<h1>Files</h1>\n</body>\n</html>\n'
CSS = "h1 { color: teal; }\n"


def paths(api: Any, app: str) -> list[str]:
    return sorted(f["path"] for f in api.request("GET", f"/api/apps/{app}/files"))


def wait_tree(page: Any, expected: list[str]) -> None:
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('[data-testid=file]')]"
        ".map(e => e.dataset.path)) === JSON.stringify(want)",
        arg=expected,
    )


def versions(api: Any, app: str) -> list[dict[str, Any]]:
    return api.request("GET", f"/api/apps/{app}/versions")


def test_create_rename_and_delete_files_from_the_tree(page, server, api):
    app = api.create_app({"index.html": PAGE, "style.css": CSS})
    ws = Workspace(page, server, app).open()

    # Create: a bad path is refused in words, the field stays open to fix it.
    page.get_by_test_id("new-file").click()
    field = page.get_by_test_id("new-file-input")
    for typed, words in (
        ("../outside.html", "cannot leave the app's folder"),
        ("/about.html", "relative to the app"),
        ("index.html", "exists already"),
    ):
        field.fill(typed)
        field.press("Enter")
        page.get_by_test_id("path-error").filter(has_text=words).wait_for()
    shot(page, "ux-files-path-error")
    field.fill("about.html")
    field.press("Enter")
    wait_tree(page, ["about.html", "index.html", "style.css"])
    page.get_by_test_id("editor-path").filter(has_text="about.html").wait_for()
    assert api.read(app, "about.html") == ""
    ws.editor("(ed.focus(), true)")
    page.keyboard.type("<h1>About us</h1>")
    page.get_by_test_id("editor-state").filter(has_text="Unsaved").wait_for()
    page.get_by_test_id("editor-state").filter(has_text=re.compile(r"^Saved$")).wait_for()
    assert api.read(app, "about.html") == "<h1>About us</h1>"
    before = len(versions(api, app))

    # Rename (F2 on the row), into a folder: the content moves, the editor follows.
    page.locator("[data-testid=file][data-path='about.html']").focus()
    page.keyboard.press("F2")
    rename = page.get_by_test_id("rename-input")
    rename.fill("pages/about.html")
    rename.press("Enter")
    wait_tree(page, ["index.html", "pages/about.html", "style.css"])
    assert api.read(app, "pages/about.html") == "<h1>About us</h1>"
    page.get_by_test_id("editor-path").filter(has_text="pages/about.html").wait_for()
    # A rename is one version (one undo takes it back).
    assert len(versions(api, app)) == before + 1
    assert versions(api, app)[0]["paths"] == ["about.html", "pages/about.html"]
    shot(page, "ux-files")

    # Delete asks first; Cancel keeps the file.
    row = page.locator("[data-testid=file][data-path='style.css']")
    row.hover()
    page.locator("li:has([data-path='style.css']) [data-testid=delete-file]").click()
    dialog = page.get_by_test_id("confirm-dialog")
    dialog.wait_for()
    assert "style.css" in dialog.inner_text() and "Undo brings the file back" in dialog.inner_text()
    shot(page, "ux-files-confirm-delete")
    dialog.get_by_test_id("confirm-cancel").click()
    dialog.wait_for(state="detached")
    assert "style.css" in paths(api, app)

    row.focus()
    page.keyboard.press("Delete")
    page.get_by_test_id("confirm-ok").click()
    wait_tree(page, ["index.html", "pages/about.html"])
    with pytest.raises(httpx.HTTPStatusError):
        api.read(app, "style.css")
