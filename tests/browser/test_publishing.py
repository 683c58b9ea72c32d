"""Publishing from the page: connect the app's git remote (URL, branch, a write-only token),
watch every version get pushed, read a failed push's reason in words, and retry it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dulwich.repo import Repo

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Shop</h1>\n</body>\n</html>\n"
TOKEN = "glpat-NeverShownAgain-0123456789"


def bare_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    Repo.init_bare(str(path)).close()
    return path


def branch_sha(path: Path, branch: str = "main") -> str | None:
    with Repo(str(path)) as raw:
        sha = raw.refs.as_dict().get(f"refs/heads/{branch}".encode())
    return sha.decode() if sha else None


def open_panel(page: Any) -> Any:
    page.get_by_test_id("open-publish").click()
    panel = page.get_by_test_id("publish-panel")
    panel.wait_for()
    return panel


def test_connect_a_remote_and_every_version_is_pushed(page, server, api, tmp_path):
    remote = bare_repo(tmp_path / "shop.git")
    app = api.create_app({"index.html": PAGE})
    api.write(app, "index.html", PAGE.replace("Shop", "Corner shop"))
    Workspace(page, server, app).open()
    page.locator("[data-testid=commit-state].commit-committed").nth(1).wait_for()
    assert page.get_by_test_id("open-publish").inner_text() == "Publish: not connected"

    panel = open_panel(page)
    # Addresses the service cannot use are refused, in words, before anything is saved.
    for url, code, words in (
        ("git@github.com:me/shop.git", "invalid_remote", "not a git address"),
        ("https://me:secret@github.com/me/shop.git", "credentials_in_url", "Token field"),
    ):
        panel.get_by_test_id("remote-url").fill(url)
        panel.get_by_test_id("remote-save").click()
        error = panel.locator(f"[data-testid=remote-error][data-code={code}]")
        error.wait_for()
        assert words in error.inner_text()
    assert panel.get_by_test_id("remote-disconnect").count() == 0, "nothing was saved"

    panel.get_by_test_id("remote-url").fill(str(remote))
    panel.get_by_test_id("remote-branch").fill("main")
    panel.get_by_test_id("remote-token").fill(TOKEN)
    panel.get_by_test_id("remote-save").click()
    panel.get_by_test_id("remote-disconnect").wait_for()
    assert panel.get_by_test_id("remote-error").count() == 0
    # Both versions are pushed, live, in the panel and in the history.
    panel.locator("[data-testid=push-version][data-state=pushed]").nth(1).wait_for()
    assert panel.get_by_test_id("push-counts").inner_text() == "2 pushed · 0 waiting · 0 failed"
    page.locator("[data-testid=version] [data-testid=commit-state].commit-pushed").nth(1).wait_for()
    head = page.locator("[data-testid=version] [data-testid=commit-state]").first.inner_text()
    assert branch_sha(remote) is not None and branch_sha(remote)[:7] in head
    # The token is write-only: the field is emptied and the page never shows it.
    assert panel.get_by_test_id("remote-token").input_value() == ""
    assert "A token is saved" in panel.get_by_test_id("remote-token").get_attribute("placeholder")
    assert TOKEN not in page.content()
    shot(page, "ux-publishing")

    page.get_by_test_id("modal-close").click()
    assert page.get_by_test_id("open-publish").inner_text() == "Publish: up to date"
    assert api.request("GET", f"/api/apps/{app}/remote")["has_token"] is True


def test_a_refused_push_is_explained_and_retried(page, server, api, tmp_path):
    # Another app already publishes to this branch: its history is not this app's.
    remote = bare_repo(tmp_path / "taken.git")
    other = api.create_app({"index.html": PAGE}, name="other app")
    api.request("PUT", f"/api/apps/{other}/remote", json={"url": str(remote)})
    assert api.request("POST", f"/api/apps/{other}/push")["versions"]["pushed"] == 1
    theirs = branch_sha(remote)
    assert theirs is not None
    app = api.create_app({"index.html": PAGE})
    ws = Workspace(page, server, app).open()

    panel = open_panel(page)
    panel.get_by_test_id("remote-url").fill(str(remote))
    panel.get_by_test_id("remote-save").click()
    error = panel.locator("[data-testid=push-error][data-code=non_fast_forward]")
    error.wait_for()
    assert "commits this app does not have" in error.inner_text()
    assert "Nothing was overwritten" in error.inner_text()
    assert branch_sha(remote) == theirs, "the other app's history was left alone"
    assert panel.get_by_test_id("retry-push").inner_text() == "Retry push"
    ws.page.locator("[data-testid=version] [data-testid=version-error]").first.wait_for()
    shot(page, "ux-publishing-failed")

    # The vendor clears the remote branch, then retries from the page.
    with Repo(str(remote)) as raw:
        del raw.refs[b"refs/heads/main"]
    panel.get_by_test_id("retry-push").click()
    panel.locator("[data-testid=push-version][data-state=pushed]").first.wait_for()
    assert panel.get_by_test_id("push-error").count() == 0
    assert panel.get_by_test_id("push-counts").inner_text() == "1 pushed · 0 waiting · 0 failed"
    assert branch_sha(remote) not in (None, theirs)

    panel.get_by_test_id("modal-close").click()
    assert page.get_by_test_id("open-publish").inner_text() == "Publish: up to date"
