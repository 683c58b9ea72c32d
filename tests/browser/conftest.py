"""Browser tests: Debian's Chromium, driven by Playwright, against a real `appwright serve`
whose model and web search are the project's scripted sim.

One server and one sim serve the whole module run; each test makes its own app (and so its
own session), scripts the sim's model for itself, and waits on what the page shows, never on
the clock. Screenshots go to `test-artifacts/`. The built front end must exist
(`npm --prefix web run build`); the `web_dist` fixture builds it when it does not.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
WEB_DIST = ROOT / "src" / "appwright" / "web_dist"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
MODEL = "browser-sim"
MODEL_PRICE = {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}
# The workspace is on `appwright.localhost` and each app's preview on `<app>.appwright.localhost`,
# which browsers resolve to the loopback address.
LOCAL = re.compile(
    r"^(?:(?:https?|wss?)://(?:127\.0\.0\.1|(?:[a-z0-9-]+\.)*localhost)(?::\d+)?/"
    r"|data:|blob:|about:)"
)
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`appwright serve` in a subprocess; stop and start again keep its port and data."""

    def __init__(self, data_dir: Path, env: dict[str, str], log_path: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[str] | None = None
        self.workspace_url = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        # The banner names the token's file rather than print it to a pipe (a log).
        return (Path(self.env["APPWRIGHT_DATA_DIR"]) / "local-vendor.token").read_text().strip()

    def start(self) -> None:
        assert self.proc is None
        exe = Path(sys.executable).with_name("appwright")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.data_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, lines), daemon=True).start()
        while True:
            line = lines.get(timeout=START_TIMEOUT)
            if line is None:
                raise RuntimeError(f"appwright serve exited; see {self.log_path}")
            # The banner is printed once the server answers.
            banner = re.search(r"(http://\S+?)/\?token=", line)
            if banner:
                self.workspace_url = f"{banner.group(1)}/?token={self.token}"
                return

    def _pump(self, proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        with self.log_path.open("a") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                lines.put(line)
        lines.put(None)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(15)


class Api:
    """The vendor's HTTP API, for setting up and checking what the page shows."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.server.token}"}
        response = httpx.request(
            method, self.server.base + path, headers=headers, timeout=15, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def create_app(self, files: dict[str, str], name: str = "test app") -> str:
        return self.request("POST", "/api/apps", json={"name": name, "files": files})["id"]

    def read(self, app: str, path: str) -> str:
        return self.request("GET", f"/api/apps/{app}/files/{path}")["content"]

    def write(self, app: str, path: str, content: str) -> None:
        self.request("PUT", f"/api/apps/{app}/files/{path}", json={"content": content})

    def sessions(self, app: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/api/apps/{app}/sessions")

    def session_events(self, session: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/api/sessions/{session}/events?after=0")["events"]


@pytest.fixture(scope="session")
def web_dist() -> Path:
    if not (WEB_DIST / "index.html").is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "the front end is not built and npm is missing: run `npm --prefix web run build`"
            )
        subprocess.run([npm, "ci"], cwd=ROOT / "web", check=True)
        subprocess.run([npm, "run", "build"], cwd=ROOT / "web", check=True)
    return WEB_DIST


@pytest.fixture(scope="session")
def sim() -> Iterator[Any]:
    from appwright.sim.harness import SimServer

    with SimServer() as server:
        yield server


@pytest.fixture(scope="session")
def server(
    web_dist: Path, sim: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    ARTIFACTS.mkdir(exist_ok=True)
    data = tmp_path_factory.mktemp("serve")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    env.update(
        APPWRIGHT_DATA_DIR=str(data / "data"),
        ANTHROPIC_API_KEY="sim-key",
        ANTHROPIC_BASE_URL=sim.url,
        APPWRIGHT_MODEL=MODEL,
        # Priced like Claude Sonnet, so runs and sessions show a cost.
        APPWRIGHT_MODEL_PRICES=json.dumps({MODEL: MODEL_PRICE}),
        EXA_API_KEY="sim-key",
        EXA_BASE_URL=sim.url,
        APPWRIGHT_TIMEOUT_WEB_SEARCH="30",
        APPWRIGHT_TIMEOUT_RUN="60",
        APPWRIGHT_RETRY_BASE="0.2",
        APPWRIGHT_RETRY_CAP="0.5",
        # The publishing tests push to bare repositories on this disk.
        APPWRIGHT_ALLOW_LOCAL_REMOTES="true",
    )
    proc = ServerProcess(data, env, ARTIFACTS / "browser-server.log")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def api(server: ServerProcess) -> Api:
    return Api(server)


# Module scope: Playwright's sync API runs an event loop in this thread for as long as it is
# open, and asyncio tests collected after the browser tests need the thread's loop back.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


SERVER_TAIL_LINES = 120
_SERVER_LOG_START = pytest.StashKey[int]()
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the item (the `page` fixture asks whether the test
    failed), and adds the server's output during a failed test to its report."""
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    start = item.stash.get(_SERVER_LOG_START, None)
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and start is not None and isinstance(server, ServerProcess):
        report.sections.append(
            (f"appwright serve output ({report.when}, tail)", server_log_tail(server, start))
        )
    return report


def server_log_tail(server: ServerProcess, start: int, lines: int = SERVER_TAIL_LINES) -> str:
    try:
        with server.log_path.open("rb") as log:
            log.seek(start)
            text = log.read().decode(errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(the server wrote nothing during the test)"


@pytest.fixture
def page(browser: Any, server: ServerProcess, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context and page. A Playwright trace (DOM snapshots, screenshots, network,
    console) is recorded for every test and kept in `test-artifacts/<test>.trace.zip` only
    when the test fails; `npx playwright show-trace` (or trace.playwright.dev) opens it."""
    request.node.stash[_SERVER_LOG_START] = (
        server.log_path.stat().st_size if server.log_path.exists() else 0
    )
    context = browser.new_context(viewport={"width": 1500, "height": 900})
    context.tracing.start(screenshots=True, snapshots=True, sources=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # The workspace works offline: nothing may leave this machine (no CDN, no fonts, ...).
    outside: list[str] = []
    context.on("request", lambda r: None if LOCAL.match(r.url) else outside.append(r.url))
    yield pg
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    reports = request.node.stash.get(_REPORTS, {})
    failed = bool(errors or outside) or any(r.failed for r in reports.values())
    trace = ARTIFACTS / f"{name}.trace.zip"
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    finally:
        try:
            if failed:
                context.tracing.stop(path=str(trace))
                print(f"Playwright trace kept: {trace}")
            else:
                context.tracing.stop()
                trace.unlink(missing_ok=True)
        finally:
            context.close()
    # An app made to fail (the preview's console tests) names the errors its preview throws.
    marker = request.node.get_closest_marker("app_errors")
    expected = marker.args if marker else ()
    errors = [e for e in errors if not any(part in e for part in expected)]
    assert not errors, f"errors on the page: {errors}"
    assert not outside, f"requests beyond localhost: {outside}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
