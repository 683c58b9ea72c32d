"""The front end's HTTP types are generated from the FastAPI app's OpenAPI schema and
committed: this fails when `web/src/generated/api.ts` is stale (run `npm --prefix web run gen`).
It needs no browser, so it is not marked `browser`; it needs web/'s node_modules (`npm ci`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_api_types_are_fresh():
    script = ROOT / "web" / "scripts" / "gen_api.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_route_is_generated(tmp_path: Path):
    from appwright.api.app import create_app
    from appwright.config import Settings

    generated = (ROOT / "web" / "src" / "generated" / "api.ts").read_text()
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    for path in schema["paths"]:
        assert f'"{path}": {{' in generated
