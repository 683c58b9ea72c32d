"""The preview's own origin: where a link points for each way the workspace is reached, the
link's credential traded for a cookie that opens one app only, and nothing of the service
but that app's files reachable there (no token taken, no API, no workspace page)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from appwright.api.app import create_app

SITE = {
    "index.html": '<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head>'
    '<body><h1>Shop</h1><script src="app.js"></script></body></html>',
    "style.css": "h1 { color: red; }",
    "app.js": "fetch('data/items.json')",
    "data/items.json": '{"items": [1]}',
    "about.html": "<p>About us</p>",
    "docs/index.html": "<p>Docs</p>",
}
COOKIE = "appwright_preview"


def label(app_id: str) -> str:
    return app_id.replace("_", "-")


async def link(vendor: Any, app_id: str, host: str = "appwright.localhost:8000") -> dict[str, Any]:
    """The preview link the workspace gets when the browser reached it as `host`."""
    response = await vendor.get(f"/api/apps/{app_id}/preview", headers={"Host": host})
    assert response.status_code == 200, response.text
    assert vendor.token not in response.text
    return response.json()


@pytest.fixture
async def browser_at(asgi_app) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """A client of the service as a browser at `origin` would reach it."""
    clients: list[httpx.AsyncClient] = []

    def make(origin: str, app: Any = None) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app or asgi_app)
        client = httpx.AsyncClient(transport=transport, base_url=origin)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def enter(browser: httpx.AsyncClient, url: str) -> tuple[str, httpx.Response]:
    """Opens a link: (the credential cookie it set, the redirect)."""
    response = await browser.get(url)
    assert response.status_code == 303, response.text
    set_cookie = response.headers["set-cookie"]
    value = set_cookie.split(";", 1)[0]
    assert value.startswith(f"{COOKIE}=")
    return value.split("=", 1)[1], response


def own_origin(response: httpx.Response, framer: str = "http://appwright.localhost:*") -> None:
    """Served as on a real host, framed by the workspace only."""
    policy = response.headers["content-security-policy"]
    sandbox, _, ancestors = policy.partition("; frame-ancestors ")
    assert sandbox.split()[0] == "sandbox", policy
    assert {"allow-scripts", "allow-same-origin", "allow-modals"} <= set(sandbox.split()), policy
    assert framer in ancestors.split(), policy
    assert "x-frame-options" not in response.headers  # SAMEORIGIN would refuse the workspace
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture
async def shop(new_vendor) -> tuple[Any, str]:
    vendor = await new_vendor()
    return vendor, await vendor.create_app(SITE)


@pytest.mark.parametrize(
    ("host", "under"),
    [
        ("appwright.localhost:8000", "appwright.localhost"),
        ("AppWright.LocalHost:8000", "appwright.localhost"),
        ("my.dev.localhost:8000", "my.dev.localhost"),
    ],
)
async def test_a_local_workspace_gives_each_app_its_own_origin(shop, host, under) -> None:
    vendor, app_id = shop
    got = await link(vendor, app_id, host)
    # Under the workspace's own name: another origin, the same site (storage is allowed).
    origin = f"http://{label(app_id)}.{under}:8000"
    assert got["origin"] == origin
    assert got["root"] == origin + "/"
    assert got["url"].startswith(origin + "/.appwright/") and got["url"].endswith("/")
    other = await vendor.create_app({"index.html": "x"}, name="other")
    assert (await link(vendor, other, host))["origin"] != origin


async def test_the_link_sets_a_cookie_and_the_app_loads_at_clean_urls(shop, browser_at) -> None:
    vendor, app_id = shop
    got = await link(vendor, app_id)
    browser = browser_at(got["origin"])
    credential, entered = await enter(browser, got["url"])
    assert entered.headers["location"] == "/"
    cookie = entered.headers["set-cookie"].lower()
    for attribute in ("httponly", "path=/", "samesite=lax", "max-age="):
        assert attribute in cookie, cookie
    assert "secure" not in cookie  # plain http: a Secure cookie would not be kept
    assert vendor.token not in entered.headers["set-cookie"]
    own_origin(entered)

    jar = {"Cookie": f"{COOKIE}={credential}"}
    page = await browser.get("/", headers=jar)
    assert page.status_code == 200 and "<h1>Shop</h1>" in page.text
    own_origin(page)
    for path, kind in [
        ("/style.css", "text/css"),  # an absolute path works, as on a real host
        ("/app.js", "text/javascript"),
        ("/data/items.json", "application/json"),
        ("/docs/", "text/html"),
    ]:
        response = await browser.get(path, headers=jar)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith(kind)
        own_origin(response)
    moved = await browser.get("/docs", headers=jar)
    assert moved.status_code == 307 and moved.headers["location"] == "/docs/"

    # The link's path after the credential is where it lands (a renewed link keeps the page).
    _, deep = await enter(browser, got["url"] + "about.html?x=1")
    assert deep.headers["location"] == "/about.html?x=1"


async def test_without_the_cookie_nothing_is_served(shop, browser_at) -> None:
    vendor, app_id = shop
    got = await link(vendor, app_id)
    browser = browser_at(got["origin"])
    bare = await browser.get("/")
    assert bare.status_code == 401 and bare.json()["error"]["code"] == "invalid_preview_link"
    page = await browser.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 401 and "Preview unavailable" in page.text
    assert "Shop" not in page.text
    # The vendor's token is never taken here, in a header or in the URL.
    for headers, params in [
        ({"Authorization": f"Bearer {vendor.token}"}, {}),
        ({}, {"token": vendor.token}),
        ({"Cookie": f"{COOKIE}={vendor.token}"}, {}),
    ]:
        refused = await browser.get("/index.html", headers=headers, params=params)
        assert refused.status_code == 401, refused.text
        assert "Shop" not in refused.text and vendor.token not in refused.text
    expired = got["url"].split("/.appwright/")[1].strip("/")
    stale = f"{int(expired.split('.')[0]) - 10**6}.{expired.split('.')[1]}"
    assert (await browser.get(f"/.appwright/{stale}/")).status_code == 401


async def test_one_apps_credential_opens_no_other_app(shop, browser_at, new_vendor) -> None:
    vendor, app_id = shop
    own_other = await vendor.create_app({"index.html": "<p>mine too</p>"}, name="other")
    stranger = await new_vendor("stranger")
    theirs = await stranger.create_app({"index.html": "<p>secret</p>"}, name="theirs")
    got = await link(vendor, app_id)
    credential, _ = await enter(browser_at(got["origin"]), got["url"])
    for target in (own_other, theirs, "app_00000000000000000000"):
        browser = browser_at(f"http://{label(target)}.appwright.localhost:8000")
        for response in (
            await browser.get("/", headers={"Cookie": f"{COOKIE}={credential}"}),
            await browser.get(f"/.appwright/{credential}/"),
        ):
            assert response.status_code == 401, (target, response.text)
            assert "secret" not in response.text and "mine too" not in response.text
            assert "set-cookie" not in response.headers
    # Another app's credential sent beside this app's own (set for a parent domain by that
    # app's scripts) neither opens that app here nor locks this one.
    other_link = await link(vendor, own_other)
    other_credential, _ = await enter(browser_at(other_link["origin"]), other_link["url"])
    mine = browser_at(got["origin"])
    both = {"Cookie": f"{COOKIE}={other_credential}; {COOKIE}={credential}"}
    assert (await mine.get("/", headers=both)).status_code == 200
    alone = {"Cookie": f"{COOKIE}={other_credential}"}
    assert (await mine.get("/", headers=alone)).status_code == 401
    # A stranger's token cannot make a link to this app.
    refused = await stranger.get(f"/api/apps/{app_id}/preview")
    assert refused.status_code == 404


async def test_nothing_but_the_app_is_reachable_on_its_origin(shop, browser_at) -> None:
    vendor, app_id = shop
    got = await link(vendor, app_id)
    browser = browser_at(got["origin"])
    credential, _ = await enter(browser, got["url"])
    both = {"Cookie": f"{COOKIE}={credential}", "Authorization": f"Bearer {vendor.token}"}
    # Every path is a path of the app's files: the API and the workspace are not there.
    for path in ("/api/apps", f"/api/apps/{app_id}/files", "/apps/x", "/openapi.json"):
        response = await browser.get(path, headers=both)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "file_not_found"
    # /docs is the app's own folder here, not the API's documentation.
    moved = await browser.get("/docs", headers=both)
    assert moved.status_code == 307 and moved.headers["location"] == "/docs/"
    posted = await browser.post("/api/apps", headers=both, json={"name": "x", "files": {}})
    assert posted.status_code == 405
    assert len((await vendor.get("/api/apps")).json()) == 1


async def test_a_missing_page_is_a_page_listing_the_apps_pages(shop, browser_at) -> None:
    vendor, app_id = shop
    got = await link(vendor, app_id)
    browser = browser_at(got["origin"])
    credential, _ = await enter(browser, got["url"])
    headers = {"Cookie": f"{COOKIE}={credential}", "Accept": "text/html,*/*"}
    page = await browser.get("/nope.html", headers=headers)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "nope.html" in page.text and "{" not in page.text.split("<script>")[0]
    assert page.text.index('href="/index.html"') < page.text.index('href="/about.html"')
    assert 'href="/docs/index.html"' in page.text
    own_origin(page)
    fetched = await browser.get("/nope.json", headers={"Cookie": headers["Cookie"]})
    assert fetched.status_code == 404 and fetched.json()["error"]["code"] == "file_not_found"


async def test_an_ip_address_workspace_gets_a_second_port(make_service, browser_at) -> None:
    service = await make_service(preview_port=8001)
    vendor = await service.vendor()
    app_id = await vendor.create_app(SITE)
    other = await vendor.create_app({"index.html": "<p>other app</p>"}, name="other")
    got = await link(vendor, app_id, "192.0.2.10:8000")
    assert got["origin"] == "http://192.0.2.10:8001"
    assert got["root"] == f"http://192.0.2.10:8001/preview/{app_id}/"
    app = create_app(runtime=service.runtime)
    browser = browser_at(got["origin"], app)
    credential, entered = await enter(browser, got["url"])
    assert entered.headers["location"] == f"/preview/{app_id}/"
    cookie = entered.headers["set-cookie"].lower()
    # Plain http on the same host as the workspace: the same site, so Lax; its own app's path.
    assert f"path=/preview/{app_id}/" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie and "httponly" in cookie
    jar = {"Cookie": f"{COOKIE}={credential}"}
    page = await browser.get(f"/preview/{app_id}/", headers=jar)
    assert page.status_code == 200 and "Shop" in page.text
    own_origin(page, framer="http://192.0.2.10:*")
    assert (await browser.get(f"/preview/{other}/", headers=jar)).status_code == 401
    for path in ("/", "/api/apps", "/preview"):
        response = await browser.get(path, headers={**jar, **vendor.headers})
        assert response.status_code == 404, (path, response.text)
    # The workspace's own port is still the workspace (and its API).
    workspace = browser_at("http://192.0.2.10:8000", app)
    assert (await workspace.get("/api/apps", headers=vendor.headers)).status_code == 200


async def test_a_template_gives_each_app_an_origin_under_a_domain(make_service, browser_at) -> None:
    service = await make_service(
        preview_url_template="https://{app}.preview.example.com",
        public_url="https://appwright.example.com",
    )
    vendor = await service.vendor()
    app_id = await vendor.create_app(SITE)
    got = await link(vendor, app_id, "appwright.example.com")
    origin = f"https://{label(app_id)}.preview.example.com"
    assert got["origin"] == origin and got["root"] == origin + "/"
    browser = browser_at(origin, create_app(runtime=service.runtime))
    credential, entered = await enter(browser, got["url"])
    assert "secure" in entered.headers["set-cookie"].lower()
    page = await browser.get("/", headers={"Cookie": f"{COOKIE}={credential}"})
    assert page.status_code == 200
    own_origin(page, framer="https://appwright.example.com")
    # A name that does not fit the template is the workspace's.
    stray = browser_at("https://elsewhere.example.com", create_app(runtime=service.runtime))
    assert (await stray.get("/api/apps", headers=vendor.headers)).status_code == 200


async def test_the_workspace_may_frame_the_preview_and_no_one_the_workspace(
    shop, client, browser_at
) -> None:
    vendor, app_id = shop
    page = await client.get("/apps/x")
    assert page.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    api = await vendor.get("/api/apps")
    assert api.headers["x-frame-options"] == "SAMEORIGIN"
    got = await link(vendor, app_id)
    entered = await browser_at(got["origin"]).get(got["url"])
    ancestors = entered.headers["content-security-policy"].split("frame-ancestors ")[1].split()
    assert ancestors == ["http://appwright.localhost:*"]


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
async def test_a_workspace_opened_at_a_loopback_address_moves_to_the_local_name(
    shop, client, host
) -> None:
    vendor, _app_id = shop
    moved = await client.get("/apps/app_1?token=T&x=%20y", headers={"Host": host})
    assert moved.status_code == 307
    assert moved.headers["location"] == "http://appwright.localhost:8000/apps/app_1?token=T&x=%20y"
    # The API stays where it is asked.
    assert (await vendor.get("/api/apps", headers={"Host": host})).status_code == 200
    assert (
        await client.get("/apps/x", headers={"Host": "appwright.localhost:8000"})
    ).status_code == 200
    assert (await client.get("/apps/x", headers={"Host": "192.0.2.1:8000"})).status_code == 200


async def test_without_a_local_name_a_loopback_workspace_stays_and_uses_a_port(
    make_service,
) -> None:
    service = await make_service(local_name="")
    vendor = await service.vendor()
    app_id = await vendor.create_app(SITE)
    page = await service.client.get("/apps/x", headers={"Host": "127.0.0.1:8000"})
    assert page.status_code == 200
    got = await link(vendor, app_id, "127.0.0.1:8000")
    assert got["root"] == f"http://127.0.0.1:8001/preview/{app_id}/"


async def test_a_socket_on_the_preview_origin_is_closed(shop, asgi_app) -> None:
    vendor, app_id = shop
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "websocket.connect"}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": f"/ws/apps/{app_id}",
        "raw_path": f"/ws/apps/{app_id}".encode(),
        "query_string": f"token={vendor.token}".encode(),
        "headers": [(b"host", f"{label(app_id)}.appwright.localhost:8000".encode())],
        "scheme": "ws",
        "server": ("127.0.0.1", 8000),
    }
    await asgi_app(scope, receive, send)
    assert [m["type"] for m in sent] == ["websocket.close"]
