"""PUT/GET/DELETE /api/apps/{app}/remote and POST /api/apps/{app}/push as an HTTP client
sees them: validation with specific codes, a token that goes in and never comes out, and
another vendor's app answering exactly like a missing one.

The outbox is wired but not started here (except where a push is the point), so setting a
remote never reaches out to the URLs these tests use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from dulwich.repo import Repo
from fastapi import FastAPI

from appwright.api.app import create_app
from appwright.api.routes import remote as remote_routes
from appwright.config import Settings
from appwright.git.outbox import GitOutbox
from appwright.git.remotes import RemoteService
from appwright.runtime import Runtime

TOKEN = "glpat-RemoteRouteToken-0123456789"
# Port 1 on loopback: refused at once, so an outbox that later drains what these tests
# leave behind (the PostgreSQL test database is shared by the session) never waits on it.
URL = "https://127.0.0.1:1/acme/shop.git"


class Client:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def __call__(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, url, headers=self.headers, **kwargs)


@pytest.fixture
def local_remotes() -> bool:
    return False  # parametrize to True where a test pushes to a bare repository on disk


@pytest.fixture
async def api(make_settings: Callable[..., Settings], local_remotes: bool) -> Any:
    """(client, outbox) over a runtime with the remote routes and an outbox wired in."""
    local = local_remotes
    # The loopback URLs these tests set are allowed by name, as a self-hosted server's are.
    settings = make_settings(
        allow_local_remotes=local, timeout_git=3.0, git_allowed_hosts="127.0.0.1, localhost"
    )
    runtime = Runtime(settings)
    await runtime.start()
    existing = getattr(runtime, "git_outbox", None)
    if existing is not None:
        await existing.stop()
    outbox = GitOutbox(settings, runtime.db, runtime.bus, runtime.metrics)
    runtime.git_outbox = outbox
    runtime.git_remotes = RemoteService(runtime.db, runtime.bus, outbox)
    runtime.workspace.on_version(outbox.wake)
    app = create_app(runtime=runtime)
    if not has_route(app, "/api/apps/{app_id}/push"):  # until create_app includes it
        app.include_router(remote_routes.router)
        app.router.routes.insert(0, app.router.routes.pop())  # ahead of the page catch-all
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://appwright.test") as c:
            yield c, outbox
    finally:
        await outbox.stop()
        await runtime.stop()


def has_route(app: FastAPI, path: str) -> bool:
    try:
        from fastapi.routing import iter_route_contexts  # routers included lazily
    except ImportError:
        return any(getattr(r, "path", None) == path for r in app.routes)
    return any(getattr(r, "path", None) == path for r in iter_route_contexts(app.routes))


async def vendor(client: httpx.AsyncClient, name: str) -> Client:
    made = await client.post(
        "/api/vendors", json={"name": name}, headers={"Authorization": "Bearer admin-test-token"}
    )
    assert made.status_code == 201, made.text
    return Client(client, made.json()["token"])


async def new_app(call: Client) -> str:
    made = await call("POST", "/api/apps", json={"name": "shop", "files": {"a.html": "<p>"}})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
async def app_of(api: Any) -> AsyncIterator[tuple[Client, str]]:
    client, _outbox = api
    call = await vendor(client, "A")
    yield call, await new_app(call)


async def test_a_remote_is_validated_with_specific_codes(app_of: tuple[Client, str]) -> None:
    call, app_id = app_of
    put = f"/api/apps/{app_id}/remote"
    for body, expected in [
        ({"url": "git@github.com:acme/shop.git"}, "invalid_remote"),
        ({"url": "ftp://example.com/shop.git"}, "invalid_remote"),
        ({"url": "   "}, "invalid_remote"),
        ({"url": f"https://me:{TOKEN}@127.0.0.1:1/shop.git"}, "credentials_in_url"),
        ({"url": "/srv/git/shop.git"}, "local_remote_not_allowed"),
        ({"url": "file:///srv/git/shop.git"}, "local_remote_not_allowed"),
        ({"url": URL, "branch": "bad..name"}, "invalid_branch"),
        ({"url": URL, "branch": ""}, "invalid_branch"),
        ({"url": URL, "token": f"{TOKEN} extra"}, "invalid_token_format"),
        ({"url": "http://git.example.com/shop.git", "token": TOKEN}, "insecure_remote"),
        ({"token": TOKEN}, "invalid_request"),
    ]:
        response = await call("PUT", put, json=body)
        assert code(response) == (422, expected), body
        assert TOKEN not in response.text
    assert code(await call("GET", put)) == (404, "remote_not_found")


async def test_the_token_goes_in_and_never_comes_out(app_of: tuple[Client, str]) -> None:
    call, app_id = app_of
    url = f"/api/apps/{app_id}/remote"
    assert code(await call("GET", url)) == (404, "remote_not_found")
    assert code(await call("DELETE", url)) == (404, "remote_not_found")
    assert code(await call("POST", f"/api/apps/{app_id}/push")) == (409, "no_remote")

    async def put(body: dict[str, Any]) -> dict[str, Any]:
        response = await call("PUT", url, json=body)
        assert response.status_code == 200, response.text
        assert TOKEN not in response.text
        shown = (await call("GET", url)).json()
        assert shown == response.json() and TOKEN not in str(shown)
        return shown

    shown = await put({"url": URL, "token": TOKEN})
    assert {k: shown[k] for k in ("url", "branch", "has_token")} == {
        "url": URL,
        "branch": "main",
        "has_token": True,
    }
    assert set(shown) == {"url", "branch", "has_token", "updated_at"}
    # No `token`: kept for the same URL (a client never sees it, so cannot resend it).
    assert (await put({"url": URL, "branch": "release"}))["has_token"] is True
    # ... but never carried over to another host.
    assert (await put({"url": "https://localhost:1/shop.git"}))["has_token"] is False
    await put({"url": URL, "token": TOKEN})
    assert (await put({"url": URL, "token": None}))["has_token"] is False  # null removes it

    assert (await call("DELETE", url)).status_code == 204
    assert code(await call("GET", url)) == (404, "remote_not_found")
    versions = await call("GET", f"/api/apps/{app_id}/versions")
    events = await call("GET", f"/api/apps/{app_id}/events")
    assert TOKEN not in versions.text + events.text


async def test_another_vendors_app_answers_like_a_missing_one(api: Any) -> None:
    client, _outbox = api
    owner, intruder = await vendor(client, "A"), await vendor(client, "B")
    app_id = await new_app(owner)
    assert (await owner("PUT", f"/api/apps/{app_id}/remote", json={"url": URL})).status_code == 200
    missing = "app_" + "0" * 20
    for method, suffix, body in [
        ("GET", "remote", None),
        ("PUT", "remote", {"url": "https://127.0.0.1:1/steal.git"}),
        ("DELETE", "remote", None),
        ("POST", "push", None),
    ]:
        theirs = await intruder(method, f"/api/apps/{app_id}/{suffix}", json=body)
        nothing = await intruder(method, f"/api/apps/{missing}/{suffix}", json=body)
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json()["error"]["code"] == nothing.json()["error"]["code"] == "app_not_found"
    assert (await owner("GET", f"/api/apps/{app_id}/remote")).json()["url"] == URL


@pytest.mark.parametrize(("backend", "local_remotes"), [("sqlite", True)])
async def test_push_answers_with_the_outcome(app_of: tuple[Client, str], tmp_path: Path) -> None:
    call, app_id = app_of
    remote = tmp_path / "remote.git"
    remote.mkdir()
    Repo.init_bare(str(remote)).close()
    # The outbox is not running: POST /push does the work itself and waits for it.
    assert (await call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})).is_success
    pushed = await call("POST", f"/api/apps/{app_id}/push")
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert body["in_progress"] is False
    assert body["versions"] == {"pending": 0, "committed": 0, "pushed": 1, "failed": 0}
    assert body["latest"]["commit"]["state"] == "pushed"
    assert body["remote"]["url"] == str(remote)
    with Repo(str(remote)) as raw:
        assert raw.refs[b"refs/heads/main"].decode() == body["latest"]["commit"]["sha"]
