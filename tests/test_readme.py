"""The README documents every setting (a new one cannot ship without its line), starts with
the two commands, and its demo works as written."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from appwright.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table() -> None:
    for name, field in Settings.model_fields.items():
        variable = (
            field.validation_alias.choices[0]  # type: ignore[union-attr]
            if field.validation_alias
            else f"APPWRIGHT_{name.upper()}"
        )
        assert f"`{variable}`" in README, variable


def test_readme_starts_with_the_two_commands() -> None:
    fence = README.split("```", 2)[1].strip().splitlines()
    assert fence[1:] == [
        "scripts/serve      # set up on first run (venv, deps, workspace build), then start on SQLite",
        "scripts/test       # set up on first run, then lint and run every test (SQLite, PostgreSQL, Redis, browser)",
    ]


def demo_commands() -> list[str]:
    section = README.split("## Watch the scripted model edit an app", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()


def test_the_three_demo_commands_show_the_scripted_model_editing_an_app(tmp_path: Path) -> None:
    """The README's demo, run as written from the repository's folder, on free ports instead
    of the defaults (8765, 8000) and a throw-away data dir."""
    serve_line, sim_line, chat_line = demo_commands()
    sim_port, serve_port = _free_port(), _free_port()

    def local(line: str) -> str:
        return line.replace("8765", str(sim_port)).replace("8000", str(serve_port))

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    env["APPWRIGHT_DATA_DIR"] = str(tmp_path / "data")
    started: list[subprocess.Popen[str]] = []
    try:
        for line in (serve_line, sim_line):
            assert line.endswith(" &")
            started.append(
                subprocess.Popen(
                    ["bash", "-c", local(line.removesuffix(" &"))],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
            )
        serve = started[0]
        assert serve.stdout is not None
        printed = []
        deadline = time.monotonic() + 240  # a first start may build the workspace
        while not any("Open your workspace" in line for line in printed):
            assert time.monotonic() < deadline and serve.poll() is None, "".join(printed)
            printed.append(serve.stdout.readline())
        # Before the banner, one line per setup step; the URL is the last thing printed.
        steps = [line for line in printed[:-1] if line.strip()]
        assert steps and all(re.match(r"  \S.* … (done|up to date)$", s) for s in steps), steps
        url = next(line for line in [serve.stdout.readline() for _ in range(4)] if line.strip())
        assert f"http://localhost:{serve_port}/?token=" in url
        wait_for_port(sim_port, started[1])

        chat = subprocess.run(
            ["bash", "-c", local(chat_line)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert chat.returncode == 0, chat.stdout + chat.stderr
        shown = chat.stdout
        assert "get_current_code" in shown and "[completed]" in shown
        versions = re.findall(r"✎ changed (\S+) \(version (\w+)\)", shown)
        assert [path for path, _ in versions] == ["index.html", "style.css"]
        assert f"kept: versions {versions[0][1]} (index.html), {versions[1][1]}" in shown
        assert "Traceback" not in chat.stderr
        app_id = chat_app_id(env)
        exported = subprocess.run(
            [str(Path(sys.executable).parent / "appwright"), "app", "export", app_id, "out"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert exported.returncode == 0, exported.stderr
        assert "Open Tuesday to Sunday" in (tmp_path / "out" / "index.html").read_text()
        assert ".hours" in (tmp_path / "out" / "style.css").read_text()
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def chat_app_id(env: dict[str, str]) -> str:
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "appwright"), "app", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    (line,) = [line for line in listed.stdout.splitlines() if line.endswith("  bakery")]
    return line.split()[0]


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "the sim exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.monotonic() < deadline, f"nothing answers on port {port}"
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
