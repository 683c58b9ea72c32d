"""`appwright serve` opens the preview's second port when nothing else gives previews an
origin of their own, answers it from the same process, and stops both on one signal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

APPWRIGHT = Path(sys.executable).parent / "appwright"
# A start takes seconds alone, and far longer on a machine busy with other test runs.
START_TIMEOUT = 90


def _ports() -> tuple[int, int]:
    """Two free consecutive ports (the workspace's, and the preview's next to it)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port, port + 1
    raise RuntimeError("no two free consecutive ports")


def test_serve_answers_previews_on_a_second_port(tmp_path: Path) -> None:
    port, preview_port = _ports()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    # No local name: a loopback workspace stays where it is, and previews need the port.
    env.update(APPWRIGHT_DATA_DIR=str(tmp_path / "data"), APPWRIGHT_LOCAL_NAME="")
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(APPWRIGHT), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base, preview = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{preview_port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{preview}/preview/app_1/", timeout=1).status_code == 401:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (
                f"the preview port did not answer in {START_TIMEOUT} s"
            )
            time.sleep(0.05)
        token = (tmp_path / "data" / "local-vendor.token").read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        app = httpx.post(
            f"{base}/api/apps",
            json={"name": "s", "files": {"index.html": "<h1>Hi</h1>"}},
            headers=auth,
        ).json()["id"]
        link = httpx.get(f"{base}/api/apps/{app}/preview", headers=auth).json()
        assert link["root"] == f"{preview}/preview/{app}/"
        with httpx.Client() as browser:
            page = browser.get(link["url"], follow_redirects=True)
            assert page.status_code == 200 and "<h1>Hi</h1>" in page.text
        # The preview's port serves previews only.
        assert httpx.get(f"{preview}/api/apps", headers=auth).status_code == 404
        assert httpx.get(f"{base}/api/apps", headers=auth).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) is not None
        log.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", preview_port))  # released
