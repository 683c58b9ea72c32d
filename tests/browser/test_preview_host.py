"""The preview runs an app as a real host would, on an origin of its own: its script keeps a
choice in localStorage across a reload, asks with prompt(), fetches the site's own JSON; and
it cannot reach the workspace (its token, storage or page), nor another app's storage."""

from __future__ import annotations

import re

import httpx
import pytest

from fixtures.sites import REAL_SITE_INFO, STORAGE_KEY, real_site

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser


def preview_origin(server, app_id: str) -> str:
    return f"http://{app_id.replace('_', '-')}.appwright.localhost:{server.port}"


def test_a_real_site_runs_in_the_preview_as_on_a_host(page, server, api):
    app = api.create_app(real_site(), name="Harbour")
    answers: list[str] = []

    def answer(dialog):
        answers.append(f"{dialog.type}: {dialog.message}")
        dialog.accept("Ada")

    page.on("dialog", answer)
    ws = Workspace(page, server, app).open()
    frame = ws.preview_frame()
    assert frame.evaluate("location.origin") == preview_origin(server, app)

    # Its own JSON file, fetched by its script.
    frame.wait_for_function(
        "t => document.getElementById('info-title').textContent === t",
        arg=REAL_SITE_INFO["title"],
    )
    assert frame.inner_text("#info-hours") == REAL_SITE_INFO["hours"]

    # prompt() is answered, not blocked.
    frame.click("#ask-name")
    frame.wait_for_function("document.getElementById('greeting').textContent === 'Hello, Ada!'")
    assert answers == ["prompt: What is your name?"]

    # A choice kept in localStorage is still there after the preview reloads.
    frame.click("#theme-dark")
    frame.wait_for_function("document.getElementById('theme').textContent === 'Theme: dark'")
    api.write(app, "about.html", real_site()["about.html"].replace("1987", "1988"))
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-activity]').dataset.reloads === '1'"
    )
    frame.wait_for_function("document.getElementById('theme').textContent === 'Theme: dark'")
    assert frame.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "dark"
    assert frame.evaluate("document.body.className") == "dark"
    # Cookies of its own, IndexedDB, and the other dialogs work too.
    works = frame.evaluate(
        """async () => {
        document.cookie = "visited=yes; path=/";
        const db = await new Promise((ok, fail) => {
            const open = indexedDB.open("harbour", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("notes");
            open.onsuccess = () => ok(open.result);
            open.onerror = () => fail(open.error);
        });
        await new Promise((ok, fail) => {
            const tx = db.transaction("notes", "readwrite");
            tx.objectStore("notes").put("scones", "favourite");
            tx.oncomplete = ok;
            tx.onerror = () => fail(tx.error);
        });
        const stored = await new Promise((ok) => {
            const get = db.transaction("notes").objectStore("notes").get("favourite");
            get.onsuccess = () => ok(get.result);
        });
        const booked = confirm("Book a table?");
        alert("See you soon");
        return { cookie: document.cookie, stored, booked };
    }"""
    )
    assert works == {"cookie": "visited=yes", "stored": "scones", "booked": True}
    assert answers[1:] == ["confirm: Book a table?", "alert: See you soon"]
    # Nothing went wrong on the page: the console shows no error.
    assert page.get_by_test_id("preview-console-count").inner_text() == "0"
    shot(page, "preview-host-real-site")


def test_the_preview_cannot_reach_the_workspace_nor_another_app(page, server, api):
    first = api.create_app(real_site("First"), name="First")
    second = api.create_app(real_site("Second"), name="Second")
    ws = Workspace(page, server, first).open()
    # The workspace moved to its local name; the preview is under it, on another origin.
    assert page.evaluate("location.origin") == f"http://appwright.localhost:{server.port}"
    assert page.evaluate("localStorage.getItem('appwright.token')") == server.token
    frame = ws.preview_frame()
    frame.wait_for_selector("#info-hours:not(:empty)")

    reach = frame.evaluate(
        """async (workspace) => {
        const attempt = (f) => { try { return "read: " + String(f()); } catch (e) { return e.name; } };
        let api;
        try {
            await fetch(workspace + "/api/apps", { credentials: "include" });
            api = "answered";
        } catch (e) {
            api = "blocked";
        }
        return {
            parentDocument: attempt(() => window.parent.document.title),
            parentStorage: attempt(() => window.parent.localStorage.getItem("appwright.token")),
            topLocation: attempt(() => window.top.location.href),
            ownToken: localStorage.getItem("appwright.token"),
            cookies: document.cookie,
            api,
            ownApi: (await fetch("/api/apps")).status,
        };
    }""",
        page.evaluate("location.origin"),
    )
    assert reach == {
        "parentDocument": "SecurityError",
        "parentStorage": "SecurityError",
        "topLocation": "SecurityError",
        "ownToken": None,
        "cookies": "",  # the link's credential is HttpOnly
        "api": "blocked",  # cross-origin, no CORS: the answer is never readable
        "ownApi": 404,  # the preview's origin serves the app's files, no API
    }
    html = page.content()
    assert server.token not in frame.content() and server.token not in html

    frame.evaluate("localStorage.setItem('shared', 'from the first app')")
    shot(page, "preview-host-isolated")
    other = Workspace(page, server, second).open()
    other_frame = other.preview_frame()
    other_frame.wait_for_selector("#info-hours:not(:empty)")
    assert other_frame.evaluate("location.origin") == preview_origin(server, second)
    assert other_frame.evaluate("localStorage.getItem('shared')") is None
    assert re.search(r"Second", other_frame.inner_text("h1"))


def test_only_the_workspace_may_frame_the_preview(page, server, api):
    app = api.create_app(real_site(), name="Harbour")
    workspace = f"http://appwright.localhost:{server.port}"
    link = httpx.get(
        f"{server.base}/api/apps/{app}/preview",
        headers={
            "Authorization": f"Bearer {server.token}",
            "Host": f"appwright.localhost:{server.port}",
        },
    ).json()
    # Another site (this machine, another name) frames the preview's link and the workspace.
    elsewhere = f"http://elsewhere.localhost:{server.port}/"
    page.route(
        elsewhere,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<iframe name="preview" src="{link["url"]}"></iframe>'
            f'<iframe name="workspace" src="{workspace}/apps/{app}"></iframe>',
        ),
    )
    page.goto(elsewhere)
    frames = {f.name: f.url for f in page.frames if f.name}
    assert frames == {
        "preview": "chrome-error://chromewebdata/",
        "workspace": "chrome-error://chromewebdata/",
    }
    shot(page, "preview-host-framing-refused")

    # The workspace frames it.
    ws = Workspace(page, server, app).open()
    assert ws.preview_frame().url.startswith(link["root"])
