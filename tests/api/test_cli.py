"""The `appwright` command, run as a person runs it: a separate process on a data dir.

SQLite only (the CLI's default store); each command is a fresh process, and `serve` is a
real server on a free port, so what the CLI wrote is what the service reads.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

APPWRIGHT = Path(sys.executable).parent / "appwright"
FILES = {
    "index.html": "<!doctype html><h1>Café</h1>",
    "css/site.css": "h1 { color: red; }\n",
    "js/lib/util.js": "export const x = 1;\n",
    "deep/a/b/c/notes.md": "# notes\n\nnested four folders down\n",
    "empty.txt": "",
}


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    env["APPWRIGHT_DATA_DIR"] = str(data_dir)
    return env


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(APPWRIGHT), *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def read_tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(data_dir: Path, stdout: Any = None) -> str:
        """The server's base URL once it answers; its output goes to `stdout` (a terminal,
        say), or else to a log file, as under a service manager."""
        port = _free_port()
        log = (tmp_path / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            [str(APPWRIGHT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=_env(data_dir),
            stdout=log if stdout is None else stdout,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start answering in 30 s"
            time.sleep(0.05)

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_vendor_app_import_and_export_round_trip(tmp_path: Path, serve) -> None:
    data = tmp_path / "data"
    made = run(data, "vendor", "create", "Acme")
    assert made.returncode == 0, made.stderr
    token = re.search(r"^token\s+(\S+)$", made.stdout, re.MULTILINE).group(1)
    vendor_id = re.search(r"^vendor\s+(\S+)$", made.stdout, re.MULTILINE).group(1)

    source = write_tree(tmp_path / "site", FILES)
    created = run(data, "app", "create", "shop", "--from", str(source), "--token", token)
    assert created.returncode == 0, created.stderr
    app_id = created.stdout.strip().splitlines()[-1]
    assert app_id.startswith("app_")

    # A folder with an image keeps it byte for byte; what it leaves out is said, with why.
    logo = b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"
    binary = write_tree(
        tmp_path / "with-image",
        {"index.html": "<img src='logo.png'>", "logo.png": logo, ".DS_Store": b"\x00\x01"},
    )
    (binary / ".git").mkdir()
    (binary / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    images = run(data, "app", "create", "images", "--from", str(binary), "--token", token)
    assert images.returncode == 0, images.stderr
    images_id = images.stdout.strip().splitlines()[-1]
    assert "skipped .git: git's own data" in images.stderr
    assert "skipped .DS_Store: metadata macOS adds to folders" in images.stderr
    assert token not in images.stderr + images.stdout

    base = serve(data)
    auth = {"Authorization": f"Bearer {token}"}
    apps = httpx.get(f"{base}/api/apps", headers=auth, timeout=10)
    assert apps.status_code == 200, apps.text
    assert [(a["id"], a["name"]) for a in apps.json()] == [(app_id, "shop"), (images_id, "images")]
    image = httpx.get(f"{base}/api/apps/{images_id}/files/logo.png", headers=auth, timeout=10)
    assert image.json()["content_type"] == "image/png"
    assert base64.b64decode(image.json()["base64"]) == logo
    listing = httpx.get(f"{base}/api/apps/{app_id}/files", headers=auth, timeout=10).json()
    assert sorted(f["path"] for f in listing) == sorted(FILES)
    for path, content in FILES.items():
        read = httpx.get(f"{base}/api/apps/{app_id}/files/{path}", headers=auth, timeout=10)
        assert read.json()["content"] == content
    versions = httpx.get(f"{base}/api/apps/{app_id}/versions", headers=auth, timeout=10).json()
    assert [v["source"] for v in versions] == ["initial"]
    assert httpx.get(f"{base}/api/apps", timeout=10).status_code == 401
    assert vendor_id.startswith("vnd_")

    out = tmp_path / "exported"
    exported = run(data, "app", "export", app_id, str(out))
    assert exported.returncode == 0, exported.stderr
    assert read_tree(out) == FILES
    images_out = tmp_path / "images-exported"
    assert run(data, "app", "export", images_id, str(images_out)).returncode == 0
    assert (images_out / "logo.png").read_bytes() == logo
    assert sorted(p.name for p in images_out.iterdir()) == ["index.html", "logo.png"]


def test_exporting_a_missing_app_fails_with_its_code(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = run(data, "app", "export", "app_00000000000000000000", str(tmp_path / "out"))
    assert missing.returncode != 0
    assert "app_not_found" in missing.stderr
    assert not (tmp_path / "out").exists()


LOGO = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff"


def test_app_create_from_git_imports_the_repository_tip(tmp_path: Path) -> None:
    import asyncio

    from appwright.git.reach import RemotePolicy
    from appwright.git.remote import push
    from appwright.git.repository import AppRepository

    async def make_remote() -> Path:
        source = AppRepository(tmp_path / "source.git")
        await source.ensure()
        await source.commit({"index.html": "<p>old</p>"}, "first", "Someone", "s@example.com", "v1")
        await source.commit({**FILES, "img/logo.png": LOGO}, "second", "S", "s@example.com", "v2")
        from dulwich.repo import Repo

        Repo.init_bare(str(tmp_path / "remote.git"), mkdir=True)
        await push(
            source,
            str(tmp_path / "remote.git"),
            None,
            "main",
            policy=RemotePolicy(allow_local=True),
        )
        return tmp_path / "remote.git"

    remote = asyncio.run(make_remote())
    data = tmp_path / "data"
    created = run(data, "app", "create", "imported", "--from-git", str(remote))
    assert created.returncode == 0, created.stderr
    app_id = created.stdout.strip().splitlines()[-1]
    exported = run(data, "app", "export", app_id, str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    for path, content in FILES.items():
        assert (tmp_path / "out" / path).read_text(encoding="utf-8") == content
    assert (tmp_path / "out" / "img" / "logo.png").read_bytes() == LOGO


def test_the_banner_shows_the_token_on_a_terminal_only(tmp_path: Path, serve) -> None:
    data = tmp_path / "data"
    serve(data)
    token = (data / "local-vendor.token").read_text().strip()
    (logged,) = [p.read_text() for p in tmp_path.glob("serve-*.log")]
    assert "Open your workspace" in logged and token not in logged
    assert f"?token=<the token in {data / 'local-vendor.token'}>" in logged

    import pty
    import select

    leader, follower = pty.openpty()
    base = serve(data, stdout=follower)
    os.close(follower)
    try:
        shown = b""
        deadline = time.monotonic() + 30
        while token.encode() not in shown and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                shown += os.read(leader, 4096)
        port = base.rsplit(":", 1)[1]
        assert f"http://localhost:{port}/?token={token}".encode() in shown
    finally:
        os.close(leader)


def test_a_folder_with_a_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    site = write_tree(tmp_path / "site", {"index.html": "<p>x</p>"})
    (site / os.fsdecode(b"caf\xe9.txt")).write_text("latin-1 name")
    refused = run(tmp_path / "data", "app", "create", "shop", "--from", str(site))
    assert refused.returncode != 0
    assert "path_invalid_text" in refused.stderr
