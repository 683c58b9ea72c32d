"""Versions pushed from processes that share no disk: two real `appwright serve` processes,
each with a data dir of its own, on one PostgreSQL and Redis, make versions of one app in
turn while the process draining its outbox is killed with `kill -9` (and restarted a
moment later as a new machine would be: with an empty data dir). At the end the app's
remote, a real bare repository served over smart HTTP, must hold every version exactly
once, in order, as the very commits the database records.

The remote answers slowly (`remote_delay` per request), so a drain takes a while and the
kill lands while one is in flight: the victim is the process named by the app's row in
`drain_leases` (its owner names the process id).

The test suite runs it small (`test_many_machines.py`); `bench/outbox_takeover.py` runs it
large and prints the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import sqlalchemy as sa
from dulwich.repo import Repo
from dulwich.server import FileSystemBackend
from dulwich.web import make_wsgi_chain
from serving import ServeProcess, free_port
from sqlalchemy.ext.asyncio import create_async_engine

from appwright.git import version_of

ADMIN = "admin-many-machines"
SECRET = "secret-key-shared-by-every-process"


@dataclass(frozen=True)
class OutboxRunConfig:
    versions: int = 12  # made after the app's first
    kills: int = 1
    lease_seconds: float = 2.0
    remote_delay: float = 0.3  # seconds per request to the remote
    restart_after: float = 1.0
    pace: float = 0.3  # seconds between versions: several pushes, each carrying a few


@dataclass
class OutboxReport:
    made: int = 0  # versions made, the app's first included
    versions: int = 0  # in the database, the app's first included
    kills: int = 0
    restarts: int = 0
    pushes: int = 0  # git pushes the remote received
    pushed_events: int = 0  # `commit.updated` events with state `pushed`
    rebuilds: int = 0  # repositories written anew from the database
    extended: int = 0  # repositories brought up to date from the database
    on_remote: int = 0  # commits on the remote branch
    duplicates: int = 0  # versions on the remote more than once
    out_of_order: int = 0  # remote commits whose version comes before its parent's
    missing: int = 0  # versions not on the remote
    sha_mismatches: int = 0  # remote commits that are not the commit the database records
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


class SlowRemote:
    """A bare repository over smart HTTP on 127.0.0.1, answering each request after
    `delay` seconds, counting the pushes it receives."""

    def __init__(self, root: Path, delay: float) -> None:
        self.path = root / "site.git"
        self.path.mkdir(parents=True)
        Repo.init_bare(str(self.path)).close()
        self.delay = delay
        self.pushes = 0
        backend = _Backend(str(root))
        chain = make_wsgi_chain(backend)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            time.sleep(self.delay)
            if environ.get("PATH_INFO", "").endswith("/git-receive-pack"):
                self.pushes += 1
            return chain(environ, start_response)

        self._server = make_server(
            "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet
        )
        self.backend = backend
        self.url = f"http://127.0.0.1:{self._server.server_port}/site.git"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SlowRemote:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        for repo in self.backend.opened:
            repo.close()

    def history(self) -> list[tuple[str, str | None]]:
        """(sha, version) of the branch's commits, oldest first (first parents)."""
        with Repo(str(self.path)) as repo:
            sha = repo.refs.as_dict().get(b"refs/heads/main")
            out = []
            while sha:
                commit = repo[sha]
                out.append((sha.decode(), version_of(commit.message.decode())))
                sha = commit.parents[0] if commit.parents else None
        return out[::-1]


class _Backend(FileSystemBackend):
    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.opened: list[Any] = []

    def open_repository(self, path: str | bytes) -> Any:
        repo = super().open_repository(os.fsdecode(path).lstrip("/"))
        self.opened.append(repo)
        return repo


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def get_stderr(self) -> Any:
        return io.StringIO()  # a client killed mid-push breaks its connection: expected


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-push breaks its connection: that is the point


def serve_env(
    base: dict[str, str], database_url: str, redis_url: str, lease: float
) -> dict[str, str]:
    env = {
        k: v
        for k, v in base.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    env.update(
        {
            "APPWRIGHT_DATABASE_URL": database_url,
            "APPWRIGHT_REDIS_URL": redis_url,
            # What every process must share: set, not left to each data dir.
            "APPWRIGHT_ADMIN_TOKEN": ADMIN,
            "APPWRIGHT_SECRET_KEY": SECRET,
            "APPWRIGHT_GIT_ALLOWED_HOSTS": "127.0.0.1",
            "APPWRIGHT_GIT_LEASE_SECONDS": str(lease),
            "APPWRIGHT_TIMEOUT_GIT": "20",
            "APPWRIGHT_LOG_JSON": "true",
        }
    )
    return env


@contextlib.contextmanager
def _processes(env: dict[str, str], workdir: Path) -> Iterator[list[ServeProcess]]:
    procs = [
        ServeProcess({**env, "APPWRIGHT_DATA_DIR": str(workdir / name)}, workdir / f"{name}.log")
        for name in ("a", "b")
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.stop()


async def drive(
    config: OutboxRunConfig,
    *,
    database_url: str,
    redis_url: str,
    workdir: Path,
    base_env: dict[str, str],
) -> OutboxReport:
    report = OutboxReport()
    env = serve_env(base_env, database_url, redis_url, config.lease_seconds)
    started = time.monotonic()
    with (
        SlowRemote(workdir / "remote", config.remote_delay) as remote,
        _processes(env, workdir) as procs,
    ):
        for proc in procs:
            proc.start()
        await asyncio.gather(*(proc.ready() for proc in procs))
        async with httpx.AsyncClient(timeout=60) as http:
            made = await http.post(
                f"{procs[0].url}/api/vendors",
                json={"name": "Ada"},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            token = made.json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            app = await http.post(
                f"{procs[0].url}/api/apps",
                json={"name": "site", "files": {"index.html": "<h1>0</h1>"}},
                headers=auth,
            )
            app_id = app.json()["id"]
            put = await http.put(
                f"{procs[1].url}/api/apps/{app_id}/remote", json={"url": remote.url}, headers=auth
            )
            assert put.status_code == 200, put.text

            kill_at = {(k + 1) * config.versions // (config.kills + 1) for k in range(config.kills)}
            restarts: list[asyncio.Task[None]] = []
            down: set[int] = set()  # indexes of processes killed and not yet up again
            kills_due = 0
            n = 0
            # Versions go on past `versions` while a kill is still due (a restart is slow on a
            # busy machine, and kills wait for it), up to twice as many.
            while n < config.versions or (kills_due and n < 2 * config.versions):
                n += 1
                proc = _alive(procs, down, n)
                edit = await http.put(
                    f"{proc.url}/api/apps/{app_id}/files/index.html",
                    json={"content": f"<h1>{n}</h1>"},
                    headers=auth,
                )
                assert edit.status_code == 200, edit.text
                await asyncio.sleep(config.pace)
                if n in kill_at:
                    kills_due += 1
                if kills_due and not down:  # one down at a time: the other takes over
                    victim = await _drainer(procs, database_url, app_id, timeout=1.0)
                    if victim is not None:
                        kills_due -= 1
                        victim.kill9()
                        report.kills += 1
                        index = procs.index(victim)
                        down.add(index)
                        fresh = workdir / f"{'ab'[index]}-{report.kills}"  # a new machine
                        restarts.append(
                            asyncio.create_task(_restart(victim, config, down, index, fresh))
                        )
            await asyncio.gather(*restarts)
            report.restarts = len(restarts)
            report.made = n + 1
            versions = await _all_pushed(http, procs, app_id, auth, n + 1)
            events = await http.get(f"{procs[0].url}/api/apps/{app_id}/events", headers=auth)
            pushed = Counter(
                e["version_id"]
                for e in events.json()["events"]
                if e["type"] == "commit.updated" and e["state"] == "pushed"
            )
        report.seconds = time.monotonic() - started
        report.pushes = remote.pushes
        _check(report, versions, remote.history(), pushed)
    for name in ("a", "b"):
        text = (workdir / f"{name}.log").read_text(errors="replace")
        report.rebuilds += text.count("rebuilt from the database")
        report.extended += text.count("brought up to date from the database")
    return report


def _alive(procs: list[ServeProcess], down: set[int], n: int) -> ServeProcess:
    up = [p for i, p in enumerate(procs) if i not in down]
    return up[n % len(up)]


async def _drainer(
    procs: list[ServeProcess], database_url: str, app_id: str, timeout: float
) -> ServeProcess | None:
    """The process holding the app's drain lease, if one does within `timeout`."""
    engine = create_async_engine(database_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with engine.connect() as conn:
                    owner = await conn.scalar(
                        sa.text(
                            "SELECT owner FROM drain_leases WHERE app_id = :app "
                            "AND owner IS NOT NULL AND lease_until > now()"
                        ),
                        {"app": app_id},
                    )
                if owner is not None:
                    pid = int(owner.split(":")[-2])
                    for proc in procs:
                        if proc.proc is not None and proc.proc.pid == pid:
                            return proc
                await asyncio.sleep(0.02)
    except TimeoutError:
        return None
    finally:
        await engine.dispose()


async def _restart(
    proc: ServeProcess, config: OutboxRunConfig, down: set[int], i: int, data_dir: Path
) -> None:
    """Start the killed process again as a new machine would: an empty data dir, another
    port."""
    await asyncio.sleep(config.restart_after)
    proc.env = {**proc.env, "APPWRIGHT_DATA_DIR": str(data_dir)}
    proc.port = free_port()  # a new machine has its own address (and none can take it meanwhile)
    proc.start()
    await proc.ready()
    down.discard(i)


async def _all_pushed(
    http: httpx.AsyncClient,
    procs: list[ServeProcess],
    app_id: str,
    auth: dict[str, str],
    count: int,
) -> list[dict[str, Any]]:
    """Every version, oldest first, once all are pushed (as every process reports them)."""
    async with asyncio.timeout(60 + count * 2):
        while True:
            seen = [await _versions(http, proc.url, app_id, auth) for proc in procs]
            if all(
                len(v) == count and all(x["commit"]["state"] == "pushed" for x in v) for v in seen
            ):
                assert seen[0] == seen[1], "both processes report the same commits"
                return seen[0]
            await asyncio.sleep(0.2)


async def _versions(
    http: httpx.AsyncClient, base: str, app_id: str, auth: dict[str, str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        page = (
            await http.get(f"{base}/api/apps/{app_id}/versions", params=params, headers=auth)
        ).json()
        out += page
        if len(page) < 500:
            return out[::-1]
        params = {"before": page[-1]["id"]}


def _check(
    report: OutboxReport,
    versions: list[dict[str, Any]],
    history: list[tuple[str, str | None]],
    pushed: Counter[str],
) -> None:
    report.versions = len(versions)
    report.on_remote = len(history)
    report.pushed_events = sum(pushed.values())
    number = {v["id"]: i for i, v in enumerate(versions)}
    on_remote = Counter(version for _sha, version in history)
    report.duplicates = sum(n - 1 for n in on_remote.values() if n > 1)
    report.missing = sum(1 for v in versions if v["id"] not in on_remote)
    order = [number.get(version or "", -1) for _sha, version in history]
    report.out_of_order = sum(1 for a, b in zip(order, order[1:], strict=False) if b <= a)
    recorded = {v["id"]: v["commit"]["sha"] for v in versions}
    report.sha_mismatches = sum(1 for sha, version in history if recorded.get(version or "") != sha)
    if [sha for sha, _v in history] != [v["commit"]["sha"] for v in versions]:
        report.problems.append("the remote branch is not the versions' commits in order")
    twice = [v for v, n in pushed.items() if n != 1]
    if twice or len(pushed) != len(versions):
        report.problems.append(f"versions not reported pushed exactly once: {len(twice)}")
