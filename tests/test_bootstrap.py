"""`scripts/bootstrap` (run by `scripts/serve` and `scripts/test`): one line per step, the
tools' own output in a log, and the workspace rebuilt only when its sources changed.

It runs on a copy of the repository's shape in a temporary folder, with a stand-in `npm` on
the PATH that records each build, so no real install or build happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NPM = """#!/bin/sh
# A stand-in npm: as loud as the real one, and it counts builds.
for i in $(seq 1 60); do echo "vite noise line $i"; done
if [ -n "$NPM_FAIL" ]; then echo "src/App.tsx(3,1): error TS2322: boom" >&2; exit 2; fi
if [ "$1 $2" = "run build" ]; then
  mkdir -p ../src/appwright/web_dist && echo "<!doctype html>" > ../src/appwright/web_dist/index.html
  echo build >> "$NPM_CALLS"
fi
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "bootstrap", root / "scripts" / "bootstrap")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    web = root / "web"
    for name, text in {
        "package.json": "{}",
        "package-lock.json": "{}",
        "index.html": "<div id=root></div>",
        "tsconfig.json": "{}",
        "vite.config.ts": "export default {}",
        "src/App.tsx": "export const App = 1;",
        "scripts/gen_events.py": "print(1)",
    }.items():
        (web / name).parent.mkdir(parents=True, exist_ok=True)
        (web / name).write_text(text)
    (web / "node_modules").mkdir()
    past = time.time() - 60
    for old in (root / "pyproject.toml", web / "package-lock.json"):
        os.utime(old, (past, past))
    (root / ".venv" / ".installed").touch()
    (web / "node_modules" / ".package-lock.json").touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(NPM)
    (bin_dir / "npm").chmod(0o755)
    return root


def bootstrap(repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{repo.parent / 'bin'}:{os.environ['PATH']}"
    return subprocess.run(
        [str(repo / "scripts" / "bootstrap")],
        env={**os.environ, "PATH": path, "NPM_CALLS": str(repo.parent / "calls"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def builds(repo: Path) -> int:
    calls = repo.parent / "calls"
    return calls.read_text().count("build") if calls.exists() else 0


def test_the_workspace_is_built_once_and_again_only_when_its_sources_change(repo: Path) -> None:
    first = bootstrap(repo)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "  Python packages … up to date",
        "  building the workspace (web/) … done",
    ]
    assert "vite noise" in (repo / ".venv" / "bootstrap.log").read_text()
    assert builds(repo) == 1

    again = bootstrap(repo)
    assert again.stdout.splitlines()[-1] == "  building the workspace … up to date"
    assert builds(repo) == 1

    # Python's byte-code caches in web/scripts are not sources.
    (repo / "web" / "scripts" / "__pycache__").mkdir()
    (repo / "web" / "scripts" / "__pycache__" / "gen.cpython-312.pyc").write_bytes(b"x")
    assert "up to date" in bootstrap(repo).stdout.splitlines()[-1]
    assert builds(repo) == 1

    (repo / "web" / "src" / "App.tsx").write_text("export const App = 2;")
    assert bootstrap(repo).stdout.splitlines()[-1].endswith("… done")
    assert builds(repo) == 2

    (repo / "web" / "package-lock.json").write_text('{"lockfileVersion": 3}')
    bootstrap(repo)
    assert builds(repo) == 2 + 1

    shutil.rmtree(repo / "src" / "appwright" / "web_dist")
    bootstrap(repo)
    assert builds(repo) == 4


def test_a_failed_step_names_its_log_and_shows_its_end(repo: Path) -> None:
    failed = bootstrap(repo, NPM_FAIL="1")
    assert failed.returncode != 0
    assert failed.stdout.splitlines()[-1] == "  building the workspace (web/) … failed"
    assert "the last lines of .venv/bootstrap.log" in failed.stderr
    assert "error TS2322: boom" in failed.stderr
    assert failed.stderr.count("vite noise") <= 25
    # Nothing is taken as built: the next start tries again.
    assert bootstrap(repo).stdout.splitlines()[-1].endswith("… done")
