"""The outbox when the remote misbehaves: unreachable then back, a refused token, a branch
that moved on, a restart in the middle of backing off, and no token in any response, event
or log line along the way."""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from dulwich.server import FileSystemBackend
from dulwich.web import make_wsgi_chain
from test_outbox import Service, bare, remote_history, serve, states

from appwright.config import Settings
from appwright.git.policy import TokenSeal
from appwright.ops.structured_logs import JsonFormatter
from appwright.store.commits import PARKED, load_work
from appwright.store.remotes import get_remote

GOOD = "ghp_OutboxGoodToken_0123456789abcdef"
WRONG = "ghp_OutboxWrongToken_fedcba9876543210"


# -- a smart-HTTP remote that counts what reaches it ------------------------------------


class _Backend(FileSystemBackend):
    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.opened: list[Any] = []

    def open_repository(self, path: str | bytes) -> Any:
        repo = super().open_repository(os.fsdecode(path).lstrip("/"))
        self.opened.append(repo)  # dulwich's web app never closes these; we do
        return repo


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Counted:
    url: str
    requests: list[bool] = field(default_factory=list)  # authorised or not, in order


@pytest.fixture
def counted_remote(tmp_path: Path) -> Iterator[Counted]:
    path = bare(tmp_path / "served" / "remote.git")
    backend = _Backend(str(path.parent))
    chain = make_wsgi_chain(backend)
    expected = "Basic " + base64.b64encode(f"x-access-token:{GOOD}".encode()).decode()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        ok = environ.get("HTTP_AUTHORIZATION") == expected
        counted.requests.append(ok)
        if not ok:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b"no"]
        return chain(environ, start_response)

    server = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_Quiet)
    counted = Counted(f"http://127.0.0.1:{server.server_port}/remote.git")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield counted
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        for repo in backend.opened:
            repo.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def settings(make_settings: Any) -> Settings:
    return make_settings(allow_local_remotes=True, timeout_git=3.0)


@pytest.fixture
async def service(settings: Settings) -> Any:
    async with serve(settings) as svc:
        yield svc


def errors_of(versions: list[dict[str, Any]]) -> set[str | None]:
    return {(v["commit"]["error"] or {}).get("code") for v in versions}


async def outbox_rows(service: Service, app_id: str) -> list[Any]:
    return (await service.runtime.db.read(lambda conn: load_work(conn, app_id))).items


# -- tests ---------------------------------------------------------------------------------


async def test_unreachable_remote_then_back_pushes_everything_in_order(
    service: Service, tmp_path: Path
) -> None:
    vendor = await service.vendor()
    remote = bare(tmp_path / "remotes" / "flaky.git")
    app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
    await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})
    await vendor.until(app_id, states("pushed"))

    away = remote.with_name("away.git")
    remote.rename(away)
    for n in (2, 3):
        await vendor.edit(app_id, "index.html", f"<h1>{n}</h1>")
    failed = await vendor.until(app_id, lambda vs: vs[0]["commit"]["state"] == "failed")
    assert failed[0]["commit"]["error"]["code"] == "remote_unreachable"
    assert failed[0]["commit"]["sha"]  # committed locally all the same
    assert (await outbox_rows(service, app_id))[0].attempts >= 1  # backing off, not parked

    away.rename(remote)  # back: the backoff retries by itself
    versions = await vendor.until(app_id, states("pushed"))
    assert len(versions) == 3
    assert remote_history(remote) == [v["commit"]["sha"] for v in versions]
    assert await outbox_rows(service, app_id) == []
    events = (await vendor.call("GET", f"/api/apps/{app_id}/events")).json()["events"]
    commit_events = [(e["version_id"], e["state"]) for e in events if e["type"] == "commit.updated"]
    newest = versions[0]["id"]
    assert [s for v, s in commit_events if v == newest] == ["committed", "failed", "pushed"]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_refused_token_waits_for_the_vendor(
    service: Service, counted_remote: Counted
) -> None:
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
    body = {"url": counted_remote.url, "token": WRONG}
    assert (await vendor.call("PUT", f"/api/apps/{app_id}/remote", json=body)).status_code == 200
    versions = await vendor.until(app_id, states("failed"))
    assert errors_of(versions) == {"auth_refused"}
    per_attempt = len(counted_remote.requests)
    assert per_attempt >= 1 and not any(counted_remote.requests)

    # A new version is committed but does not knock on the remote again.
    await vendor.edit(app_id, "index.html", "<h1>2</h1>")
    versions = await vendor.until(app_id, lambda vs: vs[0]["commit"]["state"] == "committed")
    assert {r.next_attempt_at for r in await outbox_rows(service, app_id)} == {PARKED}
    # POST /push is one more attempt and answers when it is done: nothing happened between.
    pushed = await vendor.call("POST", f"/api/apps/{app_id}/push")
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["versions"]["failed"] == 2 and not pushed.json()["in_progress"]
    assert len(counted_remote.requests) == 2 * per_attempt

    # The vendor fixes the token (same URL): everything goes, in order.
    body = {"url": counted_remote.url, "token": GOOD}
    assert (await vendor.call("PUT", f"/api/apps/{app_id}/remote", json=body)).status_code == 200
    versions = await vendor.until(app_id, states("pushed"))
    served = Path(counted_remote.url.split("/")[-1])
    root = Path(service.runtime.settings.data_dir).parent / "served"
    assert remote_history(root / served) == [v["commit"]["sha"] for v in versions]


async def test_a_remote_that_moved_on_is_never_overwritten(
    service: Service, tmp_path: Path
) -> None:
    vendor = await service.vendor()
    remote = bare(tmp_path / "remotes" / "shared.git")
    app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
    await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})
    await vendor.until(app_id, states("pushed"))

    theirs = foreign_commit(remote)
    await vendor.edit(app_id, "index.html", "<h1>2</h1>")
    versions = await vendor.until(app_id, lambda vs: vs[0]["commit"]["state"] == "failed")
    assert versions[0]["commit"]["error"]["code"] == "non_fast_forward"
    assert remote_history(remote)[0] == theirs
    again = await vendor.call("POST", f"/api/apps/{app_id}/push")  # asking again: still no
    assert again.json()["latest"]["commit"]["error"]["code"] == "non_fast_forward"
    assert remote_history(remote)[0] == theirs

    # The vendor decides: here, to push to another branch instead.
    body = {"url": str(remote), "branch": "appwright"}
    assert (await vendor.call("PUT", f"/api/apps/{app_id}/remote", json=body)).status_code == 200
    versions = await vendor.until(app_id, states("pushed"))
    assert remote_history(remote, b"refs/heads/appwright") == [v["commit"]["sha"] for v in versions]
    assert remote_history(remote)[0] == theirs


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_silent_remote_times_out_and_is_retried(
    make_settings: Any, hanging_url: str
) -> None:
    async with serve(make_settings(timeout_git=1.0, allow_local_remotes=True)) as svc:
        vendor = await svc.vendor()
        app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
        put = await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": hanging_url})
        assert put.status_code == 200, put.text
        versions = await vendor.until(app_id, states("failed"))
        assert errors_of(versions) == {"push_timed_out"}
        assert versions[0]["commit"]["sha"]  # committed; only the push is late
        rows = await outbox_rows(svc, app_id)
        assert rows and all(r.next_attempt_at < PARKED for r in rows)  # will retry


async def test_a_backoff_does_not_outlive_a_restart(settings: Settings, tmp_path: Path) -> None:
    remote = bare(tmp_path / "remotes" / "later.git")
    away = remote.with_name("away.git")
    remote.rename(away)
    # A backoff long enough that only the restart can explain the push.
    async with serve(settings, backoff_base=3600, backoff_cap=3600) as first:
        vendor = await first.vendor()
        app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
        await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})
        await vendor.until(app_id, states("failed"))
        await vendor.edit(app_id, "index.html", "<h1>2</h1>")
        await vendor.until(app_id, lambda vs: vs[0]["commit"]["state"] == "committed")

    away.rename(remote)
    async with serve(settings, backoff_base=3600, backoff_cap=3600) as second:
        vendor.service = second
        versions = await vendor.until(app_id, states("pushed"))
    assert remote_history(remote) == [v["commit"]["sha"] for v in versions]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_token_appears_nowhere(
    service: Service, counted_remote: Counted, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<h1>1</h1>"})
    seen: list[str] = []
    remote_url = f"/api/apps/{app_id}/remote"
    for token in (WRONG, GOOD):
        put = await vendor.call("PUT", remote_url, json={"url": counted_remote.url, "token": token})
        seen.append(put.text)
        assert put.json()["has_token"] is True
        await vendor.until(app_id, states("failed" if token == WRONG else "pushed"))
        seen.append((await vendor.call("POST", f"/api/apps/{app_id}/push")).text)
    # No `token` keeps it (same URL); a bad one is refused without being echoed.
    seen.append((await vendor.call("PUT", remote_url, json={"url": counted_remote.url})).text)
    bad = await vendor.call(
        "PUT", remote_url, json={"url": counted_remote.url, "token": GOOD + " x"}
    )
    assert bad.status_code == 422
    seen += [bad.text, (await vendor.call("GET", remote_url)).text]
    assert (await vendor.call("GET", remote_url)).json()["has_token"] is True
    seen.append((await vendor.call("GET", f"/api/apps/{app_id}/versions")).text)
    events = (await vendor.call("GET", f"/api/apps/{app_id}/events")).json()["events"]
    assert any(e["type"] == "commit.updated" for e in events)
    seen.append(json.dumps(events))
    seen += [JsonFormatter().format(r) for r in caplog.records]
    seen += [r.getMessage() for r in caplog.records] + [caplog.text]
    for text in seen:
        for token in (WRONG, GOOD):
            assert token not in text
            assert base64.b64encode(f"x-access-token:{token}".encode()).decode() not in text
    assert any("auth_refused" in text for text in seen)
    stored = await service.runtime.db.read(lambda conn: get_remote(conn, app_id))
    assert stored is not None and stored.token and GOOD not in stored.token  # sealed at rest


def foreign_commit(path: Path) -> str:
    """Someone else pushes to the remote's main."""
    import time

    from dulwich.objects import Blob, Commit, Tree
    from dulwich.repo import Repo

    with Repo(str(path)) as raw:
        blob = Blob.from_string(b"theirs\n")
        tree = Tree()
        tree.add(b"README", 0o100644, blob.id)
        commit = Commit()
        commit.tree = tree.id
        commit.parents = [raw.refs[b"refs/heads/main"]]
        commit.author = commit.committer = b"Other <other@example.com>"
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"elsewhere\n"
        for obj in (blob, tree, commit):
            raw.object_store.add_object(obj)
        raw.refs[b"refs/heads/main"] = commit.id
        return commit.id.decode()


def test_a_sealed_token_opens_only_for_its_app_and_key() -> None:
    seal = TokenSeal("key-one")
    sealed = seal.seal("app_a", GOOD)
    assert GOOD not in sealed and seal.seal("app_a", GOOD) != sealed  # fresh nonce each time
    assert seal.open("app_a", sealed) == GOOD
    assert seal.open("app_b", sealed) is None  # moved to another app's row
    assert TokenSeal("key-two").open("app_a", sealed) is None  # the secret key changed
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    assert seal.open("app_a", tampered) is None
    assert seal.open("app_a", GOOD) is None and seal.open("app_a", None) is None
