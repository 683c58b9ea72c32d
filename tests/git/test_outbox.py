"""The git outbox end to end, through the HTTP API: one commit per version in version
order (undo and redo included), a remote set later receives the whole branch, and work
left in the outbox when the service stops is finished after a restart.

Waiting is event-driven: `until` re-reads GET /versions after every event on the app's
log (the outbox publishes a `commit.updated` for each state change), bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from dulwich.repo import Repo
from fastapi import FastAPI

from appwright.api.app import create_app
from appwright.api.routes import remote as remote_routes
from appwright.config import Settings
from appwright.git import AppRepository, version_of
from appwright.git.outbox import GitOutbox
from appwright.git.remotes import RemoteService
from appwright.log_names import app_log
from appwright.runtime import Runtime
from fixtures.images import jpeg, png

ADMIN = {"Authorization": "Bearer admin-test-token"}
Versions = list[dict[str, Any]]


@dataclass
class Service:
    runtime: Runtime
    outbox: GitOutbox
    client: httpx.AsyncClient

    async def vendor(self, name: str = "Ada Lovelace") -> Vendor:
        made = await self.client.post("/api/vendors", json={"name": name}, headers=ADMIN)
        assert made.status_code == 201, made.text
        return Vendor(self, made.json()["id"], made.json()["token"])

    def repo(self, app_id: str) -> AppRepository:
        return self.outbox.repository(app_id)


@dataclass
class Vendor:
    service: Service
    id: str
    token: str

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.service.client.request(method, url, headers=headers, **kwargs)

    async def create_app(self, files: dict[str, str]) -> str:
        made = await self.call("POST", "/api/apps", json={"name": "shop", "files": files})
        assert made.status_code == 201, made.text
        return made.json()["id"]

    async def edit(self, app_id: str, path: str, content: str | None) -> None:
        url = f"/api/apps/{app_id}/files/{path}"
        done = await (
            self.call("DELETE", url)
            if content is None
            else self.call("PUT", url, json={"content": content})
        )
        assert done.status_code == 200, done.text

    async def files(self, app_id: str) -> dict[str, str]:
        listed = (await self.call("GET", f"/api/apps/{app_id}/files")).json()
        return {
            f["path"]: (await self.call("GET", f"/api/apps/{app_id}/files/{f['path']}")).json()[
                "content"
            ]
            for f in listed
        }

    async def versions(self, app_id: str) -> Versions:
        return (await self.call("GET", f"/api/apps/{app_id}/versions")).json()

    async def until(
        self, app_id: str, check: Callable[[Versions], bool], timeout: float = 15
    ) -> Versions:
        """GET /versions once `check` holds, re-read after each event on the app log."""
        async with self.service.runtime.bus.subscribe(app_log(app_id)) as events:
            async with asyncio.timeout(timeout):
                while True:
                    versions = await self.versions(app_id)
                    if check(versions):
                        return versions
                    await events.get()


def states(*wanted: str) -> Callable[[Versions], bool]:
    return lambda versions: all(v["commit"]["state"] in wanted for v in versions)


@asynccontextmanager
async def serve(settings: Settings, *, start_outbox: bool = True, **outbox_args: Any):
    """A runtime with a GitOutbox wired in the way Runtime will wire it (tests build it
    themselves so they can choose the backoff), and a client for its HTTP API."""
    runtime = Runtime(settings)
    await runtime.start()
    existing = getattr(runtime, "git_outbox", None)
    if existing is not None:  # once Runtime builds its own, this test's one replaces it
        await existing.stop()
    outbox_args.setdefault("backoff_base", 0.05)
    outbox_args.setdefault("backoff_cap", 0.5)
    outbox = GitOutbox(
        settings,
        runtime.db,
        runtime.bus,
        runtime.metrics,
        **outbox_args,
    )
    runtime.git_outbox = outbox
    runtime.git_remotes = RemoteService(runtime.db, runtime.bus, outbox)
    runtime.workspace.on_version(outbox.wake)
    if start_outbox:
        await outbox.start()
    app = create_app(runtime=runtime)
    if not has_route(app, "/api/apps/{app_id}/push"):
        app.include_router(remote_routes.router)
        # Ahead of the workspace page's catch-all GET, as create_app will place it.
        app.router.routes.insert(0, app.router.routes.pop())
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://appwright.test") as c:
            yield Service(runtime, outbox, c)
    finally:
        await outbox.stop()
        await runtime.stop()


def has_route(app: FastAPI, path: str) -> bool:
    try:
        from fastapi.routing import iter_route_contexts  # routers included lazily
    except ImportError:
        return any(getattr(r, "path", None) == path for r in app.routes)
    return any(getattr(r, "path", None) == path for r in iter_route_contexts(app.routes))


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(allow_local_remotes=True, timeout_git=3.0)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    async with serve(settings) as svc:
        yield svc


def bare(path: Path) -> Path:
    path.mkdir(parents=True)
    Repo.init_bare(str(path)).close()
    return path


def remote_history(path: Path, branch: bytes = b"refs/heads/main") -> list[str]:
    """Shas on the remote branch, newest first (first parents)."""
    with Repo(str(path)) as raw:
        sha = raw.refs.as_dict().get(branch)
        out = []
        while sha:
            out.append(sha.decode())
            parents = raw[sha].parents
            sha = parents[0] if parents else None
        return out


# -- history ------------------------------------------------------------------------------


async def test_every_version_is_one_commit_in_version_order(service: Service) -> None:
    vendor = await service.vendor("Ada Lovelace")
    app_id = await vendor.create_app({"index.html": "<h1>v1</h1>", "css/site.css": "h1{}"})
    snapshots = {(await vendor.versions(app_id))[0]["id"]: await vendor.files(app_id)}

    async def step(action: Any) -> None:
        await action
        snapshots[(await vendor.versions(app_id))[0]["id"]] = await vendor.files(app_id)

    await step(vendor.edit(app_id, "index.html", "<h1>v2</h1>"))
    await step(vendor.edit(app_id, "js/app.js", "console.log(1);\n"))
    await step(vendor.edit(app_id, "css/site.css", None))
    await step(vendor.call("POST", f"/api/apps/{app_id}/undo"))  # the css comes back
    await step(vendor.call("POST", f"/api/apps/{app_id}/undo"))  # app.js goes
    await step(vendor.call("POST", f"/api/apps/{app_id}/redo"))  # app.js returns
    await step(vendor.edit(app_id, "index.html", "<h1>v3</h1>"))

    versions = await vendor.until(app_id, states("committed"))
    assert len(versions) == 8
    history = await service.repo(app_id).log()
    # One commit per version, newest first on both sides, linked by the trailer.
    assert [version_of(message) for _sha, message, _files in history] == [v["id"] for v in versions]
    assert [sha for sha, _m, _f in history] == [v["commit"]["sha"] for v in versions]
    for (_sha, _message, files), version in zip(history, versions, strict=True):
        assert files == snapshots[version["id"]], version["source"]
    assert history[0][2] == await vendor.files(app_id)

    subjects = [m.split("\n")[0] for _s, m, _f in history]
    assert subjects == [
        "Manual edit: index.html",
        "Redo version 3",
        "Undo version 3",
        "Undo version 4",
        "Manual edit: css/site.css",
        "Manual edit: js/app.js",
        "Manual edit: index.html",
        "Initial version",
    ]
    with Repo(str(service.repo(app_id).path)) as raw:
        author = raw[history[0][0].encode()].author.decode()
    assert author == f"Ada Lovelace <{vendor.id}@vendors.appwright>"

    events = (await vendor.call("GET", f"/api/apps/{app_id}/events")).json()["events"]
    committed = [e["version_id"] for e in events if e["type"] == "commit.updated"]
    assert committed == [v["id"] for v in reversed(versions)]  # once each, in order


async def test_images_are_committed_and_pushed_byte_for_byte(
    service: Service, tmp_path: Path
) -> None:
    logo, photo = png(), jpeg()
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<img src='img/logo.png'>"})
    remote = bare(tmp_path / "remotes" / "images.git")
    put = await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})
    assert put.status_code == 200, put.text
    for path, data in (("img/logo.png", logo), ("img/photo.jpg", photo)):
        body = {"base64": base64.b64encode(data).decode()}
        done = await vendor.call("PUT", f"/api/apps/{app_id}/files/{path}", json=body)
        assert done.status_code == 200, done.text
    await vendor.edit(app_id, "img/logo.png", None)
    assert (await vendor.call("POST", f"/api/apps/{app_id}/undo")).status_code == 200

    versions = await vendor.until(app_id, lambda vs: len(vs) == 5 and states("pushed")(vs))
    history = await service.repo(app_id).log()
    assert history[0][2]["img/logo.png"] == logo  # back after the undo
    assert history[0][2]["img/photo.jpg"] == photo
    assert "img/logo.png" not in history[1][2]  # the deletion
    # What the remote holds is the image's exact bytes, as any git client reads them.
    with Repo(str(remote)) as raw:
        tip = raw[raw.refs[b"refs/heads/main"]]
        assert tip.id.decode() == versions[0]["commit"]["sha"]
        tree = raw[tip.tree]
        images = raw[tree[b"img"][1]]
        assert raw[images[b"logo.png"][1]].as_raw_string() == logo
        assert raw[images[b"photo.jpg"][1]].as_raw_string() == photo


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_an_ai_version_records_the_request(service: Service) -> None:
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<h1>hi</h1>"})
    short = "Make the header blue"
    long = "Add a footer with the opening hours, the address and a map " * 3
    for request in (short, long):
        await service.runtime.workspace.write(
            vendor.id,
            app_id,
            {"index.html": f"<h1>{request[:10]}</h1>"},
            source="ai",
            message=request,
        )
    await vendor.until(app_id, states("committed"))
    messages = [m for _s, m, _f in await service.repo(app_id).log(limit=2)]
    subject, _, body = messages[0].partition("\n\n")
    assert subject.startswith("AI edit: Add a footer") and subject.endswith("…")
    assert len(subject) < 80 and body.startswith("Request: " + long.strip())
    assert messages[1].startswith(f"AI edit: {short}\n\nAppwright-Version: ")


# -- a remote ------------------------------------------------------------------------------


async def test_a_remote_set_later_receives_the_whole_branch(
    service: Service, tmp_path: Path
) -> None:
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
    for n in (2, 3):
        await vendor.edit(app_id, "index.html", f"<h1>{n}</h1>")
    await vendor.until(app_id, states("committed"))

    first = bare(tmp_path / "remotes" / "first.git")
    put = await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(first)})
    assert put.status_code == 200, put.text
    assert put.json() | {"updated_at": None} == {
        "url": str(first),
        "branch": "main",
        "has_token": False,
        "updated_at": None,
    }
    versions = await vendor.until(app_id, states("pushed"))
    assert remote_history(first) == [v["commit"]["sha"] for v in versions]

    await vendor.edit(app_id, "index.html", "<h1>4</h1>")
    versions = await vendor.until(app_id, lambda vs: len(vs) == 4 and states("pushed")(vs))
    assert remote_history(first) == [v["commit"]["sha"] for v in versions]

    # Another remote: nothing is on it yet, so everything is pushed again, in order.
    second = bare(tmp_path / "remotes" / "second.git")
    body = {"url": str(second), "branch": "release"}
    assert (await vendor.call("PUT", f"/api/apps/{app_id}/remote", json=body)).status_code == 200
    versions = await vendor.until(app_id, states("pushed"))
    assert remote_history(second, b"refs/heads/release") == [v["commit"]["sha"] for v in versions]
    events = (await vendor.call("GET", f"/api/apps/{app_id}/events")).json()["events"]
    assert [e["state"] for e in events if e["type"] == "commit.updated"][-8:] == [
        *["committed"] * 4,  # pushed to `first`, not yet to `second`
        *["pushed"] * 4,
    ]

    # Without a remote, versions are committed and stay so.
    gone = await vendor.call("DELETE", f"/api/apps/{app_id}/remote")
    assert gone.status_code == 204
    assert (await vendor.call("GET", f"/api/apps/{app_id}/remote")).status_code == 404
    await vendor.edit(app_id, "index.html", "<h1>5</h1>")
    versions = await vendor.until(app_id, lambda vs: vs[0]["commit"]["state"] == "committed")
    assert [v["commit"]["state"] for v in versions] == ["committed", *["pushed"] * 4]
    assert len(remote_history(second, b"refs/heads/release")) == 4


async def test_pending_work_is_finished_after_a_restart(settings: Settings, tmp_path: Path) -> None:
    remote = bare(tmp_path / "remotes" / "restart.git")
    # The first service never runs its outbox: everything it accepts stays pending.
    async with serve(settings, start_outbox=False) as first:
        vendor = await first.vendor()
        app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
        for n in (2, 3, 4):
            await vendor.edit(app_id, "index.html", f"<h1>{n}</h1>")
        body = {"url": str(remote)}
        assert (
            await vendor.call("PUT", f"/api/apps/{app_id}/remote", json=body)
        ).status_code == 200
        assert states("pending")(await vendor.versions(app_id))
        token = vendor.token

    async with serve(settings) as second:
        vendor = Vendor(second, vendor.id, token)
        versions = await vendor.until(app_id, states("pushed"))
    assert len(versions) == 4
    assert remote_history(remote) == [v["commit"]["sha"] for v in versions]
    history = await AppRepository(second.repo(app_id).path).log()
    assert [version_of(m) for _s, m, _f in history] == [v["id"] for v in versions]
