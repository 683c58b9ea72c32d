"""Tenant isolation, route by route.

The routes are enumerated from the running FastAPI app, so a route added later is covered
without touching this file; a route whose path has a parameter this file cannot fill fails
the matrix with a message saying so. For every route:

- no token, a wrong token, and a preview link's credential (as a bearer token and as
  `?token=`) answer 401;
- vendor B on vendor A's app, version, file or session answers exactly what B gets for one
  that does not exist (404, same code, same message once the ids are masked);
- and after all of it, A's app is exactly as it was.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import WebSocketRoute

# FastAPI's own documentation, ops endpoints without tenant data, and the workspace page.
SKIPPED_PATHS = {
    "/healthz",
    "/metrics",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
}
ADMIN_ONLY = {("POST", "/api/vendors")}

APP_PARAMS = {"app_id", "app"}
VERSION_PARAMS = {"version_id", "version"}
SESSION_PARAMS = {"session_id", "session", "s"}
PATH_PARAMS = {"path", "file_path"}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")

# Valid bodies, so that a refusal is about who is asking and never about the body.
BODIES: dict[str, Any] = {
    "POST /api/apps": {"name": "intruder", "files": {}},
    "PUT /api/apps/{}/files/{}": {"content": "<h1>defaced</h1>"},
    "POST /api/apps/{}/versions/{}/revert": {},
    "PUT /api/apps/{}/remote": {"url": "https://example.com/shop.git", "branch": "main"},
    "POST /api/apps/{}/sessions": {},
    "POST /api/sessions/{}/messages": {"text": "delete everything", "client_msg_id": "iso-1"},
    "PATCH /api/apps/{}": {"name": "intruder"},
    "POST /api/apps/{}/files/{}/rename": {"to": "stolen.html"},
    "POST /api/apps/from-git": {"name": "intruder", "url": "https://example.com/shop.git"},
}


@dataclass(frozen=True)
class Endpoint:
    method: str  # "WS" for a WebSocket route
    path: str

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def shape(self) -> str:
        return f"{self.method} {_PARAM.sub('{}', self.path)}"

    def url(self, values: dict[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            return values[match.group(1)]

        return _PARAM.sub(fill, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _flat_routes(app: FastAPI) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before routers were included lazily
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def endpoints(app: FastAPI) -> list[Endpoint]:
    found: set[Endpoint] = set()
    for route in _flat_routes(app):
        path = route.path
        if not path or path in SKIPPED_PATHS or path.startswith("/{"):  # catch-all page
            continue
        original = getattr(route, "original_route", route)
        if isinstance(original, WebSocketRoute):
            found.add(Endpoint("WS", path))
            continue
        for method in route.methods or ():
            if method != "HEAD" and (method, path) not in ADMIN_ONLY:
                found.add(Endpoint(method, path))
    return sorted(found, key=lambda e: (e.path, e.method))


def _error_shape(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and set(body) == {"error"}
        and isinstance(body["error"], dict)
        and isinstance(body["error"].get("code"), str)
        and isinstance(body["error"].get("message"), str)
    )


@dataclass
class Outcome:
    """What a caller observes: the status (or WebSocket close code) and the body."""

    status: int | None
    body: Any

    def masked(self, ids: list[str]) -> tuple[int | None, str]:
        text = repr(self.body)
        for value in ids:
            text = text.replace(value, "<id>")
        return self.status, text


WS_WAIT = 5.0


async def ws_outcome(app: FastAPI, url: str, headers: dict[str, str]) -> Outcome:
    """Open a WebSocket to `app` in-process and report how the server refused it: the
    close code (None if it accepted and stayed open)."""
    path, _, query = url.partition("?")
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    inbox.put_nowait({"type": "websocket.connect"})
    closed: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    async def receive() -> dict[str, Any]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        if closed.done():
            return
        if message["type"] == "websocket.close":
            closed.set_result(Outcome(message.get("code", 1000), message.get("reason", "")))
        elif message["type"] == "websocket.http.response.start":
            closed.set_result(Outcome(message["status"], "http"))

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"appwright.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("appwright.test", 80),
        "subprotocols": [],
        "state": {},
    }
    task = asyncio.create_task(app(scope, receive, send))
    try:
        done, _ = await asyncio.wait(
            {closed, task}, timeout=WS_WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        if closed.done():
            return closed.result()
        if task in done:
            error = task.exception()
            return Outcome(None, f"handler ended without closing: {error!r}")
        return Outcome(None, "accepted and left open")
    finally:
        inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(task, WS_WAIT)
        except BaseException:  # noqa: BLE001 - the outcome is already decided
            task.cancel()


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    a: Any
    b: Any
    a_app: str
    b_app: str
    a_versions: list[str]
    a_session: str | None
    credential: str
    routes: list[Endpoint]
    missing: dict[str, str] = field(default_factory=dict)

    def values(self, endpoint: Endpoint, kinds: dict[str, str]) -> dict[str, str] | None:
        """Path values for `endpoint`: for each parameter kind, a real id or a missing one."""
        values: dict[str, str] = {}
        for name in endpoint.params:
            kind = _kind(name)
            if kind is None or kind not in kinds:
                return None
            values[name] = kinds[kind]
        return values

    async def call(
        self,
        endpoint: Endpoint,
        values: dict[str, str],
        headers: dict[str, str],
        query: dict[str, str] | None = None,
    ) -> Outcome:
        url = endpoint.url(values)
        if query:
            url += "?" + urlencode(query)
        if endpoint.method == "WS":
            return await ws_outcome(self.app, url, headers)
        has_body = endpoint.method in ("POST", "PUT", "PATCH")
        body = BODIES.get(endpoint.shape, {}) if has_body else None
        response = await self.client.request(endpoint.method, url, headers=headers, json=body)
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text
        return Outcome(response.status_code, payload)

    async def a_state(self) -> Any:
        files = (await self.a.get(f"/api/apps/{self.a_app}/files")).json()
        contents = {
            f["path"]: (await self.a.get(f"/api/apps/{self.a_app}/files/{f['path']}")).json()[
                "content"
            ]
            for f in files
        }
        versions = (await self.a.get(f"/api/apps/{self.a_app}/versions")).json()
        events = (await self.a.get(f"/api/apps/{self.a_app}/events")).json()
        apps = (await self.a.get("/api/apps")).json()
        state: dict[str, Any] = {
            "files": files,
            "contents": contents,
            "versions": versions,
            "events": events,
            "apps": apps,
        }
        if self.a_session:
            state["session_events"] = (
                await self.a.get(f"/api/sessions/{self.a_session}/events")
            ).json()
        return state


def _kind(name: str) -> str | None:
    for kind, names in (
        ("app", APP_PARAMS),
        ("version", VERSION_PARAMS),
        ("session", SESSION_PARAMS),
        ("path", PATH_PARAMS),
    ):
        if name in names:
            return kind
    return None


def _missing_like(real: str) -> str:
    prefix, _, rest = real.partition("_")
    return f"{prefix}_{'0' * len(rest)}" if rest else "0" * len(real)


@pytest.fixture
async def world(asgi_app: FastAPI, client: httpx.AsyncClient, new_vendor) -> World:
    a = await new_vendor("vendor A")
    b = await new_vendor("vendor B")
    a_app = await a.create_app(
        {"index.html": "<h1>A's shop</h1>", "style.css": "h1 { color: red; }"}, name="a-shop"
    )
    b_app = await b.create_app({"index.html": "<h1>B's shop</h1>"}, name="b-shop")
    edit = await a.put(f"/api/apps/{a_app}/files/index.html", json={"content": "<h1>A v2</h1>"})
    assert edit.status_code == 200, edit.text
    a_versions = [v["id"] for v in (await a.get(f"/api/apps/{a_app}/versions")).json()]
    assert len(a_versions) == 2

    routes = endpoints(asgi_app)
    a_session = None
    if any(e.shape == "POST /api/apps/{}/sessions" for e in routes):
        created = await a.post(f"/api/apps/{a_app}/sessions", json={})
        assert created.status_code == 201, created.text
        a_session = created.json()["id"]

    link = await a.get(f"/api/apps/{a_app}/preview")
    assert link.status_code == 200, link.text
    credential = link.json()["url"].split("/.appwright/", 1)[1].strip("/")
    assert credential

    world = World(asgi_app, client, a, b, a_app, b_app, a_versions, a_session, credential, routes)
    world.missing = {
        "app": _missing_like(a_app),
        "version": _missing_like(a_versions[0]),
        "path": "index.html",
    }
    if a_session:
        world.missing["session"] = _missing_like(a_session)
    return world


def _real(world: World) -> dict[str, str]:
    real = {"app": world.a_app, "version": world.a_versions[0], "path": "index.html"}
    if world.a_session:
        real["session"] = world.a_session
    return real


def test_the_matrix_sees_every_contract_route(world: World) -> None:
    shapes = {e.shape for e in world.routes}
    for expected in (
        "POST /api/apps",
        "GET /api/apps",
        "GET /api/apps/{}/files",
        "GET /api/apps/{}/files/{}",
        "PUT /api/apps/{}/files/{}",
        "DELETE /api/apps/{}/files/{}",
        "GET /api/apps/{}/versions",
        "POST /api/apps/{}/undo",
        "POST /api/apps/{}/redo",
        "GET /api/apps/{}/events",
        "GET /api/apps/{}/preview",
        "GET /preview/{}/{}",
    ):
        assert expected in shapes, f"{expected} is not among the enumerated routes: {shapes}"
    unknown = [str(e) for e in world.routes if any(_kind(p) is None for p in e.params)]
    assert not unknown, (
        f"routes with path parameters this matrix cannot fill: {unknown}; "
        "teach tests/api/test_isolation.py how to make one for vendor A"
    )
    if any(e.shape.startswith(("POST /api/sessions/", "GET /api/sessions/")) for e in world.routes):
        assert world.a_session, "session routes exist but POST /api/apps/{app}/sessions does not"


Case = tuple[str, dict[str, str], dict[str, str]]


async def _refusals(world: World, cases: list[Case]) -> list[str]:
    failures = []
    real = _real(world)
    for endpoint in world.routes:
        values = world.values(endpoint, real)
        if values is None:
            failures.append(f"{endpoint}: cannot fill {endpoint.params}")
            continue
        for label, headers, query in cases:
            outcome = await world.call(endpoint, values, headers, query)
            if endpoint.method == "WS":
                if outcome.status != 4401:
                    failures.append(
                        f"{endpoint} {label}: closed with {outcome.status} "
                        f"({outcome.body}), expected 4401"
                    )
            elif outcome.status != 401 or not _error_shape(outcome.body):
                failures.append(f"{endpoint} {label}: {outcome.status} {outcome.body}")
    return failures


async def test_no_token_or_wrong_token_is_401_everywhere(world: World) -> None:
    before = await world.a_state()
    wrong = f"awv_{secrets.token_urlsafe(32)}"
    failures = await _refusals(
        world,
        [
            ("no token", {}, {}),
            ("wrong bearer token", {"Authorization": f"Bearer {wrong}"}, {}),
            ("wrong ?token=", {}, {"token": wrong}),
            ("empty bearer", {"Authorization": "Bearer "}, {}),
            ("another scheme", {"Authorization": f"Basic {world.a.token}"}, {}),
        ],
    )
    assert not failures, "\n".join(failures)
    assert await world.a_state() == before


async def test_a_preview_credential_is_not_a_token(world: World) -> None:
    before = await world.a_state()
    link_path = f"/preview/{world.a_app}/.appwright/{world.credential}/"
    failures = await _refusals(
        world,
        [
            ("credential as bearer", {"Authorization": f"Bearer {world.credential}"}, {}),
            ("credential as ?token=", {}, {"token": world.credential}),
            ("link path as bearer", {"Authorization": f"Bearer {link_path}"}, {}),
        ],
    )
    assert not failures, "\n".join(failures)
    assert await world.a_state() == before


async def test_another_vendors_resources_answer_like_missing_ones(world: World) -> None:
    before = await world.a_state()
    real = _real(world)
    b_headers = world.b.headers
    checked = 0
    failures = []
    for endpoint in world.routes:
        kinds = {_kind(p) for p in endpoint.params} - {"path"}
        if not kinds:
            continue
        cases: list[tuple[str, dict[str, str], dict[str, str], list[str]]] = []
        # Everything vendor A's, against everything missing.
        cases.append(("A's", real, world.missing, list(real.values())))
        if {"app", "version"} <= kinds:
            # B's own app, with A's version id.
            cases.append(
                (
                    "B's app with A's version",
                    {**real, "app": world.b_app},
                    {**world.missing, "app": world.b_app},
                    [real["version"], world.missing["version"]],
                )
            )
        for label, foreign, missing, mask in cases:
            foreign_values = world.values(endpoint, foreign)
            missing_values = world.values(endpoint, missing)
            if foreign_values is None or missing_values is None:
                failures.append(f"{endpoint}: cannot fill {endpoint.params}")
                continue
            got = await world.call(endpoint, foreign_values, b_headers)
            absent = await world.call(endpoint, missing_values, b_headers)
            checked += 1
            expected_status = 4404 if endpoint.method == "WS" else 404
            if got.status != expected_status:
                failures.append(f"{endpoint} {label}: {got.status} {got.body}")
                continue
            if endpoint.method != "WS" and not _error_shape(got.body):
                failures.append(f"{endpoint} {label}: body {got.body} is not an error")
            masks = mask + list(world.missing.values())
            if got.masked(masks) != absent.masked(masks):
                failures.append(
                    f"{endpoint} {label}: {got.status} {got.body} differs from a missing "
                    f"one's {absent.status} {absent.body}"
                )
    assert not failures, "\n".join(failures)
    assert checked >= 12
    assert await world.a_state() == before
    listed = [a["id"] for a in (await world.b.get("/api/apps")).json()]
    assert listed == [world.b_app]


async def test_vendor_creation_needs_the_admin_token(client: httpx.AsyncClient, new_vendor) -> None:
    vendor = await new_vendor("existing")
    for headers in ({}, vendor.headers, {"Authorization": "Bearer not-the-admin-token"}):
        response = await client.post("/api/vendors", json={"name": "sneaky"}, headers=headers)
        assert response.status_code == 401, response.text
        assert _error_shape(response.json())
    refused = await client.post("/api/vendors?token=" + vendor.token, json={"name": "sneaky"})
    assert refused.status_code == 401
    admin = {"Authorization": "Bearer admin-test-token"}
    made = await client.post("/api/vendors", json={"name": "new one"}, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "new one" and body["id"] and body["token"]
    mine = await client.get("/api/apps", headers={"Authorization": f"Bearer {body['token']}"})
    assert mine.status_code == 200 and mine.json() == []
