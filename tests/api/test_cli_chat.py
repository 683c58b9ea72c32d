"""`appwright chat` run as a person runs it: a separate process, talking to a real
`appwright serve` process whose model is the scripted sim (web search too).

What it must show: the session id to continue with, each version a run makes, tools that run
side by side numbered so start and end pair up; Ctrl-C stops the run on the server and says
what it kept; and every mistake a person makes is one sentence saying what to do.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from appwright.sim import SimServer

APPWRIGHT = Path(sys.executable).parent / "appwright"
MODEL = "cli-chat-model"
SITE = {"index.html": "<h1>Hello</h1>\n"}


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def tool(name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    return {**env, "APPWRIGHT_DATA_DIR": str(data_dir), **extra}


class Served:
    def __init__(self, base: str, data: Path, sim: SimServer) -> None:
        self.base, self.data, self.sim = base, data, sim
        self.token = (data / "local-vendor.token").read_text().strip()
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )

    def app(self) -> str:
        r = self.http.post("/api/apps", json={"name": "site", "files": SITE})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def chat(self, *args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(APPWRIGHT), "chat", *args, "--url", self.base],
            env=_env(self.data),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def events(self, session: str) -> list[dict[str, Any]]:
        return list(self.http.get(f"/api/sessions/{session}/events").json()["events"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("cli-chat")
    data = tmp / "data"
    port = _free_port()
    with SimServer() as sim:
        env = _env(
            data,
            ANTHROPIC_API_KEY="sk-ant-cli-test",
            ANTHROPIC_BASE_URL=sim.url,
            EXA_API_KEY="exa-cli-test",
            EXA_BASE_URL=sim.url,
            APPWRIGHT_MODEL=MODEL,
        )
        with (tmp / "serve.log").open("wb") as log:
            process = subprocess.Popen(
                [str(APPWRIGHT), "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp / "serve.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "appwright serve did not answer in 90 s"
            time.sleep(0.1)
        try:
            yield Served(base, data, sim)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def read_until(process: subprocess.Popen[str], wanted: str, timeout: float = 30) -> str:
    """The command's output, line by line, up to the first line holding `wanted`."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"never printed {wanted!r}; printed:\n{seen}"
        line = process.stdout.readline()
        assert line or process.poll() is None, f"ended before {wanted!r}:\n{seen}"
        seen += line
    return seen


def test_chat_shows_its_session_paired_parallel_tools_and_each_version(served: Served) -> None:
    served.sim.script(
        MODEL,
        [
            {
                "content": [
                    text("Let me look around."),
                    tool("web_search", query="[[delay=1.0]] slow bakery menus"),
                    tool("web_search", query="fast bakery fonts"),
                ]
            },
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="Hello", new_code="Hi")
                ]
            },
            {"content": [text("Changed the greeting.")]},
        ],
    )
    app_id = served.app()
    code, out, err = finish(served.chat(app_id, "greet more briefly"))
    assert code == 0, err
    session = re.search(r"^session (ses_\w+) \(continue it with --session \1\)$", out, re.M)
    assert session, out
    lines = out.splitlines()
    started = [i for i, line in enumerate(lines) if re.match(r"  \[[12]\] web_search ", line)]
    ended = {line[3]: i for i, line in enumerate(lines) if re.match(r"  \[[12]\] ✓ done in ", line)}
    assert len(started) == 2 and set(ended) == {"1", "2"}, out
    # The slow search started first and ended last: the numbers tell which is which.
    assert "slow bakery" in lines[started[0]] and ended["2"] < ended["1"], out
    version = re.search(r"✎ changed index\.html \(version (\w+)\)", out)
    assert version, out
    assert f"kept: version {version.group(1)} (index.html)" in out
    assert "[completed]" in out and "Traceback" not in out + err
    r = served.http.get(f"/api/apps/{app_id}/files/index.html")
    assert r.json()["content"] == "<h1>Hi</h1>\n"

    # The printed id continues the conversation.
    served.sim.script(MODEL, [{"content": [text("Nothing more to change.")]}] * 4)
    code, again, err = finish(served.chat(app_id, "anything else?", "--session", session.group(1)))
    assert code == 0, err
    assert again.splitlines()[0] == f"session {session.group(1)}"
    assert "Nothing more to change." in again and "no files were changed" in again


def test_ctrl_c_cancels_the_run_on_the_server_and_says_what_it_kept(served: Served) -> None:
    served.sim.script(
        MODEL,
        [
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="Hello", new_code="Hey")
                ]
            },
            {"content": [text("Checking."), tool("web_search", query="[[hang]] slow")]},
            {"content": [tool("apply_edit", filepath="index.html", old_code="Hey", new_code="Yo")]},
        ],
    )
    app_id = served.app()
    chat = served.chat(app_id, "edit, then search forever")
    shown = read_until(chat, "[2] web_search")
    session = re.search(r"^session (ses_\w+)", shown, re.M).group(1)  # type: ignore[union-attr]
    version = re.search(r"\(version (\w+)\)", shown).group(1)  # type: ignore[union-attr]
    chat.send_signal(signal.SIGINT)
    code, rest, err = finish(chat)
    shown += rest
    assert code == 130, err
    assert "stopping the run on the server" in shown and "[cancelled]" in shown, shown
    assert f"kept: version {version} (index.html)" in shown
    assert "Traceback" not in shown + err
    # The run ended on the server: it makes no edit after the command left.
    events = served.events(session)
    assert [e["status"] for e in events if e["type"] == "run.finished"] == ["cancelled"]
    r = served.http.get(f"/api/apps/{app_id}/files/index.html")
    assert r.json()["content"] == "<h1>Hey</h1>\n"


def test_ctrl_c_before_any_edit_says_nothing_was_changed(served: Served) -> None:
    served.sim.script(MODEL, [{"content": [text("Hmm."), tool("web_search", query="[[hang]]")]}])
    chat = served.chat(served.app(), "search forever")
    shown = read_until(chat, "[1] web_search")
    chat.send_signal(signal.SIGINT)
    code, rest, err = finish(chat)
    assert code == 130, err
    assert "[cancelled]" in rest and "no files were changed" in rest, shown + rest


def one_sentence(err: str) -> str:
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    return line


def test_each_mistake_is_one_sentence_saying_what_to_do(served: Served, tmp_path: Path) -> None:
    app_id = served.app()
    down = f"http://127.0.0.1:{_free_port()}"
    stopped = subprocess.run(
        [str(APPWRIGHT), "chat", app_id, "hi", "--url", down],
        env=_env(served.data),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stopped.returncode == 2
    assert "scripts/serve" in one_sentence(stopped.stderr) and down in stopped.stderr

    elsewhere = subprocess.run(
        [str(APPWRIGHT), "chat", app_id, "hi", "--url", served.base],
        env=_env(tmp_path / "not-a-data-dir"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert elsewhere.returncode == 2
    assert "where `scripts/serve` runs" in one_sentence(elsewhere.stderr)
    listed_elsewhere = subprocess.run(
        [str(APPWRIGHT), "app", "list"],
        env=_env(tmp_path / "not-a-data-dir"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed_elsewhere.returncode == 2
    assert "where `scripts/serve` runs" in one_sentence(listed_elsewhere.stderr)
    assert not (tmp_path / "not-a-data-dir").exists()

    code, _, err = finish(served.chat(app_id, "hi", "--token", "not-a-token"))
    assert code == 2 and "--token" in one_sentence(err) and "not-a-token" not in err

    code, _, err = finish(served.chat("app_00000000000000000000", "hi"))
    assert code == 2 and "`appwright app list`" in one_sentence(err)

    code, _, err = finish(served.chat(app_id, "hi", "--session", "ses_00000000000000000000"))
    assert code == 2 and "leave out --session" in one_sentence(err)

    listed = subprocess.run(
        [str(APPWRIGHT), "app", "list"],
        env=_env(served.data),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"{app_id}  site" in listed.stdout.splitlines(), listed.stderr
