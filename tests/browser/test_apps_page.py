"""Apps from the page: import one from a git URL (a bad URL answered in words), rename one,
delete one after a confirmation and bring it back with Undo or from "Recently deleted"."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

SITE = {
    "index.html": "<!doctype html>\n<html>\n<body>\n<h1>From git</h1>\n</body>\n</html>\n",
    "style.css": "h1 { color: teal; }\n",
}


def git_repo(path: Path) -> str:
    """A repository on this disk whose `main` holds SITE (the test server allows local
    remotes). Made in a thread: Playwright's loop owns this one."""
    from appwright.git.repository import AppRepository

    async def make() -> None:
        repo = AppRepository(path)
        await repo.ensure()
        await repo.commit(SITE, "site", "Someone", "someone@example.com", "v1")

    worker = threading.Thread(target=lambda: asyncio.run(make()))
    worker.start()
    worker.join()
    return str(path)


def open_apps(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/?token={server.token}")
    page.get_by_test_id("new-app").wait_for()


def card(page: Any, app: str) -> Any:
    return page.locator(f"[data-testid=app-card][data-app-id='{app}']")


def app_ids(api: Any) -> list[str]:
    return [a["id"] for a in api.request("GET", "/api/apps")]


def test_import_an_app_from_a_git_url(page, server, api, tmp_path):
    url = git_repo(tmp_path / "site.git")
    open_apps(page, server)
    page.get_by_test_id("new-app-git").click()
    page.get_by_test_id("new-app-name").fill("Imported site")

    # A URL that cannot be read is answered in words, and nothing is made.
    before = app_ids(api)
    page.get_by_test_id("new-app-url").fill("git@github.com:someone/site.git")
    page.get_by_test_id("create-app").click()
    error = page.get_by_test_id("new-app-error")
    error.wait_for()
    assert "ssh" in error.inner_text().lower() or "https" in error.inner_text().lower()
    page.get_by_test_id("new-app-url").fill(url)
    page.get_by_test_id("new-app-branch").fill("no-such-branch")
    page.get_by_test_id("create-app").click()
    page.get_by_test_id("new-app-error").filter(has_text="no-such-branch").wait_for()
    shot(page, "ws-new-app-from-git-error")
    assert app_ids(api) == before

    page.get_by_test_id("new-app-branch").fill("")
    shot(page, "ws-new-app-from-git")
    page.get_by_test_id("create-app").click()
    page.wait_for_url("**/apps/app_*")
    app = page.url.rsplit("/", 1)[1].split("?")[0]
    page.get_by_test_id("editor-path").filter(has_text="index.html").wait_for()
    page.wait_for_function(
        "window.__appwright_debug.editor?.getModel()?.getValue().includes('From git')"
    )
    assert api.read(app, "style.css") == SITE["style.css"]


def test_rename_delete_undo_and_restore_apps(page, server, api):
    keep = api.create_app({"index.html": "<h1>Keep</h1>\n"}, name="Bakery")
    doomed = api.create_app({"index.html": "<h1>Doomed</h1>\n"}, name="Old shop")
    open_apps(page, server)

    # Rename in place; an empty name is refused in words.
    card(page, keep).get_by_test_id("rename-app").click()
    field = card(page, keep).get_by_test_id("rename-app-input")
    field.fill("   ")
    field.press("Enter")
    card(page, keep).get_by_test_id("rename-app-error").filter(
        has_text="name is required"
    ).wait_for()
    field.fill("Corner Bakery")
    field.press("Enter")
    card(page, keep).get_by_test_id("app-link").filter(has_text="Corner Bakery").wait_for()
    assert api.request("GET", f"/api/apps/{keep}")["name"] == "Corner Bakery"

    # Delete asks first; Cancel keeps it.
    card(page, doomed).get_by_test_id("delete-app").click()
    dialog = page.get_by_test_id("confirm-dialog")
    dialog.wait_for()
    assert "Old shop" in dialog.inner_text() and "restored" in dialog.inner_text()
    shot(page, "ws-delete-app-confirm")
    dialog.get_by_test_id("confirm-cancel").click()
    dialog.wait_for(state="detached")
    assert doomed in app_ids(api)

    card(page, doomed).get_by_test_id("delete-app").click()
    page.get_by_test_id("confirm-ok").click()
    page.get_by_test_id("deleted-notice").wait_for()
    card(page, doomed).wait_for(state="detached")
    assert doomed not in app_ids(api)
    with pytest.raises(httpx.HTTPStatusError) as gone:
        api.request("GET", f"/api/apps/{doomed}/files")
    assert gone.value.response.status_code == 404
    page.locator(f"[data-testid=deleted-app][data-app-id='{doomed}']").wait_for()
    shot(page, "ws-deleted-app-undo")

    # Undo brings it back with its files.
    page.get_by_test_id("undo-delete").click()
    card(page, doomed).wait_for()
    page.get_by_test_id("deleted-notice").wait_for(state="detached")
    assert api.read(doomed, "index.html") == "<h1>Doomed</h1>\n"

    # Deleted again, and restored from the list after a reload.
    card(page, doomed).get_by_test_id("delete-app").click()
    page.get_by_test_id("confirm-ok").click()
    card(page, doomed).wait_for(state="detached")
    page.reload()
    restore = page.locator(f"[data-testid=deleted-app][data-app-id='{doomed}']")
    restore.get_by_test_id("restore-app").click()
    card(page, doomed).wait_for()
    page.get_by_test_id("deleted-apps").wait_for(state="detached")
    assert doomed in app_ids(api)
    shot(page, "ws-apps-page")


def test_a_new_app_from_the_landing_page_template(page, server, api):
    open_apps(page, server)
    page.get_by_test_id("template-landing").click()
    page.locator("[data-testid=template-landing].active").wait_for()
    page.get_by_test_id("new-app-name").fill("Corner Cafe")
    shot(page, "ws-new-app-templates")
    page.get_by_test_id("create-app").click()
    page.wait_for_url("**/apps/app_*")
    app = page.url.rsplit("/", 1)[1].split("?")[0]
    assert sorted(f["path"] for f in api.request("GET", f"/api/apps/{app}/files")) == [
        "app.js",
        "index.html",
        "style.css",
    ]
    frame = page.locator("[data-testid=preview-frame]").element_handle().content_frame()
    frame.wait_for_selector("h1:text-is('Corner Cafe')")
    frame.fill("input[name=email]", "someone@example.com")
    frame.click("button[type=submit]")
    frame.wait_for_selector("#thanks:not([hidden])")
