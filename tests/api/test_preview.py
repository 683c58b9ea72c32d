"""The preview on the workspace's own origin (`/preview/{app}/...`): an app's files as a
browser loads them, with the vendor's token or a link's credential in the path, sandboxed in
an opaque origin (no `allow-same-origin`: there the app's scripts would share the
workspace's). The preview's own origin is tested in `test_preview_origin.py`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from appwright.api.routes import preview as preview_route

SITE = {
    "index.html": (
        '<!doctype html><html><head><link rel="stylesheet" href="style.css"></head>'
        '<body><h1>Shop</h1><img src="img/logo.svg"><script src="js/app.js"></script></body></html>'
    ),
    "style.css": "h1 { color: red; }",
    "js/app.js": "fetch('data/items.json').then(r => r.json());",
    "img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>',
    "data/items.json": '{"items": [1, 2]}',
    "docs/index.html": '<html><body><a href="../style.css">style</a></body></html>',
    "pages/about.html": '<html><head><link rel="stylesheet" href="../style.css"></head></html>',
    "notes.txt": "plain",
}
TYPES = {
    "index.html": "text/html",
    "style.css": "text/css",
    "js/app.js": "text/javascript",
    "img/logo.svg": "image/svg+xml",
    "data/items.json": "application/json",
    "notes.txt": "text/plain",
}


def agent() -> str:
    """The agent as the preview injects it."""
    return preview_route._agent_script()


def served(response: httpx.Response, path: str) -> None:
    """`response` is SITE[path] as the preview serves it: its own type, sandboxed."""
    assert response.status_code == 200, (path, response.status_code, response.text)
    kind = response.headers["content-type"]
    assert kind.split(";")[0] == TYPES.get(path, "text/html"), (path, kind)
    assert "charset=utf-8" in kind
    policy = response.headers["content-security-policy"]
    directives = policy.split()
    assert "sandbox" in directives and "allow-scripts" in directives, policy
    # The workspace's own origin: the app's scripts must not share it.
    assert "allow-same-origin" not in policy, policy
    assert response.headers["x-content-type-options"] == "nosniff"
    if kind.startswith("text/html"):
        assert strip_agent(response.text) == SITE[path]
    else:
        assert response.text == SITE[path]


def strip_agent(html: str) -> str:
    script = agent()
    return html.replace(f"<script>{script}</script>", "", 1) if script else html


@pytest.fixture
async def shop(new_vendor) -> tuple[Any, str]:
    vendor = await new_vendor()
    return vendor, await vendor.create_app(SITE)


async def link_of(vendor: Any, app_id: str) -> str:
    """The link's credential, as a path on the workspace's own origin."""
    response = await vendor.get(f"/api/apps/{app_id}/preview")
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert vendor.token not in response.text
    credential = url.split("/.appwright/", 1)[1].strip("/")
    return f"/preview/{app_id}/.appwright/{credential}/"


async def test_files_are_served_with_their_types_and_the_sandbox(shop) -> None:
    vendor, app_id = shop
    for path in TYPES:
        served(await vendor.get(f"/preview/{app_id}/{path}"), path)


async def test_index_html_for_the_root_and_for_folders(shop, client) -> None:
    vendor, app_id = shop
    served(await vendor.get(f"/preview/{app_id}/"), "index.html")
    served(await vendor.get(f"/preview/{app_id}/docs/"), "docs/index.html")
    # Without the slash, the browser is sent to the folder, where relative URLs resolve.
    for bare, folder in [
        (f"/preview/{app_id}", f"/preview/{app_id}/"),
        (f"/preview/{app_id}/docs", f"/preview/{app_id}/docs/"),
    ]:
        moved = await vendor.get(bare)
        assert moved.status_code in (307, 308), moved.text
        assert moved.headers["location"] == folder
    link = await link_of(vendor, app_id)
    moved = await client.get(link.rstrip("/"))
    assert moved.status_code in (307, 308) and moved.headers["location"] == link
    served(await client.get(moved.headers["location"]), "index.html")


async def test_missing_files_are_404(shop) -> None:
    vendor, app_id = shop
    for path in ("nope.html", "js/", "img/nope.svg", "docs/nope/"):
        response = await vendor.get(f"/preview/{app_id}/{path}")
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "file_not_found"
        # A browser loading a page gets a page: what is missing, and the app's pages.
        page = await vendor.get(f"/preview/{app_id}/{path}", headers={"Accept": "text/html"})
        assert page.status_code == 404, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert "No page here" in page.text and "file_not_found" not in page.text
        for listed in ("index.html", "docs/index.html", "pages/about.html"):
            assert f'href="/preview/{app_id}/{listed}"' in page.text
    missing_app = await vendor.get("/preview/app_00000000000000000000/index.html")
    assert missing_app.status_code == 404
    assert missing_app.json()["error"]["code"] == "app_not_found"


async def test_the_link_loads_the_page_its_style_and_script_without_a_token(shop, client) -> None:
    vendor, app_id = shop
    link = await link_of(vendor, app_id)
    page = await client.get(link)  # no Authorization header, no cookie, no ?token=
    served(page, "index.html")
    refs = re.findall(r'(?:href|src)="([^"]+)"', strip_agent(page.text))
    assert refs == ["style.css", "img/logo.svg", "js/app.js"]
    loaded = {}
    for ref in refs:
        url = urljoin(f"http://appwright.test{link}", ref)
        loaded[ref] = await client.get(url)
    served(loaded["style.css"], "style.css")
    served(loaded["img/logo.svg"], "img/logo.svg")
    served(loaded["js/app.js"], "js/app.js")
    # The script's own relative fetch, and a page in a subfolder linking back up.
    served(
        await client.get(urljoin(f"http://appwright.test{link}", "data/items.json")),
        "data/items.json",
    )
    about = urljoin(f"http://appwright.test{link}", "pages/about.html")
    served(await client.get(about), "pages/about.html")
    served(await client.get(urljoin(about, "../style.css")), "style.css")
    # An edit shows on the next load through the same link.
    await vendor.put(f"/api/apps/{app_id}/files/style.css", json={"content": "h1 { color: blue; }"})
    assert (await client.get(urljoin(f"http://appwright.test{link}", "style.css"))).text == (
        "h1 { color: blue; }"
    )


async def test_bad_links_and_tokens_in_urls_are_refused(shop, client, make_service) -> None:
    vendor, app_id = shop
    link = await link_of(vendor, app_id)
    credential = link.split("/.appwright/")[1].strip("/")
    expires, _, signature = credential.partition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (
        f"{expires}.{flipped}",
        f"{int(expires) + 3600}.{signature}",
        f"{expires}.",
        "garbage",
        signature,
    ):
        response = await client.get(f"/preview/{app_id}/.appwright/{bad}/index.html")
        assert response.status_code == 401, (bad, response.text)
        assert response.json()["error"]["code"] == "invalid_preview_link"
    # The vendor's token is never accepted from a preview URL, where the app could read it.
    in_url = await client.get(f"/preview/{app_id}/index.html?token={vendor.token}")
    assert in_url.status_code == 401
    assert (await client.get(f"/preview/{app_id}/index.html")).status_code == 401

    expired_service = await make_service(preview_link_ttl=-60)
    owner = await expired_service.vendor()
    other_app = await owner.create_app(SITE)
    expired = await link_of(owner, other_app)
    response = await expired_service.client.get(expired)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_preview_link"


async def test_a_link_for_one_app_cannot_read_another(shop, client, new_vendor) -> None:
    vendor, app_id = shop
    link = await link_of(vendor, app_id)
    credential = link.split("/.appwright/")[1].strip("/")
    own_other = await vendor.create_app({"index.html": "<p>mine too</p>"}, name="other")
    stranger = await new_vendor("stranger")
    theirs = await stranger.create_app({"index.html": "<p>secret</p>"}, name="theirs")
    for target in (own_other, theirs, "app_00000000000000000000"):
        response = await client.get(f"/preview/{target}/.appwright/{credential}/index.html")
        assert response.status_code == 401, (target, response.text)
        assert "secret" not in response.text and "mine too" not in response.text
    # And the stranger's bearer token cannot read this app's preview.
    foreign = await stranger.get(f"/preview/{app_id}/index.html")
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "app_not_found"


async def test_html_pages_get_the_preview_agent(shop) -> None:
    vendor, app_id = shop
    await vendor.put(f"/api/apps/{app_id}/files/bare.html", json={"content": "<p>no body tag"})
    script = agent()
    page = (await vendor.get(f"/preview/{app_id}/index.html")).text
    bare = (await vendor.get(f"/preview/{app_id}/bare.html")).text
    css = (await vendor.get(f"/preview/{app_id}/style.css")).text
    js = (await vendor.get(f"/preview/{app_id}/js/app.js")).text
    if not script:
        assert page == SITE["index.html"] and bare == "<p>no body tag"
        return
    tag = f"<script>{script}</script>"
    assert page.count(tag) == 1
    # First in <head>, so it hears the errors of every script of the page.
    assert page.index(tag) == page.index("<head>") + len("<head>")
    assert page.replace(tag, "") == SITE["index.html"]
    assert bare == tag + "<p>no body tag"
    # Never before the doctype (the page would lose standards mode), else as early as can be.
    for source, expected in [
        ("<!DOCTYPE html><p>x", "<!DOCTYPE html>" + tag + "<p>x"),
        ('<html lang="en"><header>h</header>', '<html lang="en">' + tag + "<header>h</header>"),
        ("<!doctype html><HEAD lang=x></HEAD>", "<!doctype html><HEAD lang=x>" + tag + "</HEAD>"),
    ]:
        await vendor.put(f"/api/apps/{app_id}/files/early.html", json={"content": source})
        assert (await vendor.get(f"/preview/{app_id}/early.html")).text == expected
    assert "</script" not in script.lower()  # the inlined agent cannot end its own tag
    assert "\n" not in script  # one line: the page's own line numbers stay right
    assert css == SITE["style.css"] and js == SITE["js/app.js"]
