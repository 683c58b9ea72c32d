"""Real remotes for the git tests: bare repositories on disk, and the same served over
smart HTTP on 127.0.0.1 by dulwich's own WSGI app behind a basic-auth check, plus a port
nobody listens on and a socket that accepts and never answers."""

from __future__ import annotations

import base64
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from dulwich.repo import Repo
from dulwich.server import FileSystemBackend
from dulwich.web import make_wsgi_chain

from appwright.git import AppRepository

GOOD_TOKEN = "ghp_S3cretTokenValue_0123456789abcdef"


@pytest.fixture
def pg_url(own_pg_url: str) -> str:
    """A database of each test's own: any process drains every app with pushes pending, so
    on the database the rest of the suite shares, a worker started here would also rebuild
    and push the apps other tests left behind, and each test's waits would be theirs too."""
    return own_pg_url


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # dulwich honours *_proxy; a CI proxy must not sit between us and 127.0.0.1.
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def good_token() -> str:
    """The one token the HTTP remotes accept (as `x-access-token:<token>`)."""
    return GOOD_TOKEN


@pytest.fixture
async def app_repo(tmp_path: Path) -> AppRepository:
    repo = AppRepository(tmp_path / "app.git", timeout=5.0)
    await repo.ensure()
    return repo


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    path = tmp_path / "remotes" / "remote.git"
    path.mkdir(parents=True)
    Repo.init_bare(str(path)).close()
    return path


class _Backend(FileSystemBackend):
    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.opened: list = []  # dulwich's web app never closes what it opens; we do

    # dulwich passes the URL path ("/remote.git"), which os.path.join would treat as absolute.
    def open_repository(self, path: str | bytes):
        repo = super().open_repository(os.fsdecode(path).lstrip("/"))
        self.opened.append(repo)
        return repo


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _require_token(app, good: str, status: str):
    expected = "Basic " + base64.b64encode(f"x-access-token:{good}".encode()).decode()

    def wrapped(environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != expected:
            start_response(status, [("WWW-Authenticate", 'Basic realm="git"')])
            return [b"no"]
        return app(environ, start_response)

    return wrapped


@dataclass
class HttpRemote:
    base: str  # http://127.0.0.1:PORT
    root: Path  # repositories served are the bare repositories under here

    def url(self, name: str = "remote.git") -> str:
        return f"{self.base}/{name}"


def _serve(root: Path, refuse_with: str) -> Iterator[HttpRemote]:
    backend = _Backend(str(root))
    app = _require_token(make_wsgi_chain(backend), GOOD_TOKEN, refuse_with)
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield HttpRemote(f"http://127.0.0.1:{server.server_port}", root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        for repo in backend.opened:
            repo.close()


@pytest.fixture
def http_remote(bare_remote: Path) -> Iterator[HttpRemote]:
    """Smart HTTP over `bare_remote`'s folder; a wrong or missing token gets 401."""
    yield from _serve(bare_remote.parent, "401 Unauthorized")


@pytest.fixture
def http_remote_403(bare_remote: Path) -> Iterator[HttpRemote]:
    """Like `http_remote`, but refusing with 403 as GitHub does for a token without access."""
    yield from _serve(bare_remote.parent, "403 Forbidden")


@pytest.fixture
def closed_port() -> int:
    """A localhost port with no listener: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hanging_url() -> Iterator[str]:
    """An http URL whose server accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/remote.git"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()
