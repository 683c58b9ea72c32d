"""A real site, end to end: a zipped site of our own with PNG and JPEG images, a script that
keeps a choice in localStorage, asks with prompt() and fetches its own JSON, imported from
the apps page, runs in the preview as on a host, keeps its stored data across a preview
reload, and cannot reach the workspace that frames it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixtures.images import jpeg, png, zipped
from fixtures.sites import REAL_SITE_INFO, STORAGE_KEY, real_site

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser


def site_with_images() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(real_site())
    page = str(files["index.html"])
    files["index.html"] = page.replace(
        "<main>",
        '<main>\n    <img id="logo" src="images/logo.png" alt="logo">'
        '\n    <img id="photo" src="images/terrace.jpg" alt="terrace">',
    )
    files["images/logo.png"] = png(width=24, height=16)
    files["images/terrace.jpg"] = jpeg(width=32, height=20)
    return files


def test_an_imported_real_site_runs_in_the_preview_as_on_a_host(page, server, api, tmp_path: Path):
    archive = tmp_path / "harbour-tea-rooms.zip"
    archive.write_bytes(zipped(site_with_images(), "harbour-tea-rooms"))
    answers: list[str] = []

    def answer(dialog) -> None:
        answers.append(f"{dialog.type}: {dialog.message}")
        dialog.accept("Grace")

    page.on("dialog", answer)
    page.goto(f"{server.base}/?token={server.token}")
    page.get_by_test_id("import-zip").set_input_files(str(archive))
    page.wait_for_url(re.compile(r"/apps/app_\w+"))
    app = page.url.rsplit("/apps/", 1)[1].split("?")[0]
    listed = {f["path"]: f for f in api.request("GET", f"/api/apps/{app}/files")}
    assert listed["images/logo.png"]["binary"] and listed["images/terrace.jpg"]["binary"]
    assert not any(p.startswith((".git/", "__MACOSX")) for p in listed)
    ws = Workspace(page, server, app)
    ws.wait_connected()
    frame = ws.preview_frame()

    # Its images are shown: served under their types and decoded by the browser.
    frame.wait_for_function("document.getElementById('logo')?.naturalWidth === 24")
    frame.wait_for_function("document.getElementById('photo')?.naturalWidth === 32")
    # Its script fetches the site's own JSON file.
    frame.wait_for_function(
        "t => document.getElementById('info-hours').textContent === t",
        arg=REAL_SITE_INFO["hours"],
    )
    # prompt() is answered.
    frame.click("#ask-name")
    frame.wait_for_function("document.getElementById('greeting').textContent === 'Hello, Grace!'")
    assert answers == ["prompt: What is your name?"]

    # A choice kept in localStorage survives the preview's reload after an edit.
    frame.click("#theme-dark")
    frame.wait_for_function("document.getElementById('theme').textContent === 'Theme: dark'")
    api.write(app, "about.html", real_site()["about.html"].replace("1987", "1988"))
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-activity]').dataset.reloads === '1'"
    )
    frame = ws.preview_frame()
    frame.wait_for_function("document.getElementById('theme').textContent === 'Theme: dark'")
    assert frame.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "dark"
    frame.wait_for_function("document.getElementById('logo')?.naturalWidth === 24")

    # Its scripts cannot read the workspace's token, storage or page.
    reach = frame.evaluate(
        """() => {
        const attempt = (f) => { try { return "read: " + String(f()); } catch (e) { return e.name; } };
        return {
            parentDocument: attempt(() => window.parent.document.body.innerHTML),
            parentStorage: attempt(() => window.parent.localStorage.getItem("appwright.token")),
            ownToken: localStorage.getItem("appwright.token"),
            cookies: document.cookie,
        };
    }"""
    )
    assert reach == {
        "parentDocument": "SecurityError",
        "parentStorage": "SecurityError",
        "ownToken": None,
        "cookies": "",
    }
    assert server.token not in frame.content()
    assert page.get_by_test_id("preview-console-count").inner_text() == "0"
    shot(page, "real-site-imported")
