"""The front end's types are generated from the Python definitions and committed: the wire
events from `appwright.events.types`, the HTTP API from the FastAPI app's OpenAPI schema. These
fail when `web/src/generated/` is stale (run `npm --prefix web run gen`). They need no browser,
so they are not marked `browser`; the API types need web/'s node_modules (`npm ci`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "web" / "src" / "generated"


@pytest.mark.parametrize("script", ["gen_events.py", "gen_api.py"])
def test_generated_types_are_fresh(script: str):
    result = subprocess.run(
        [sys.executable, str(ROOT / "web" / "scripts" / script), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_event_type_is_generated():
    from appwright.events.types import json_schema

    generated = (GENERATED / "events.ts").read_text()
    for name in json_schema()["discriminator"]["mapping"]:
        assert f'type: "{name}";' in generated


def test_every_route_is_generated(tmp_path: Path):
    from appwright.api.app import create_app
    from appwright.config import Settings

    generated = (GENERATED / "api.ts").read_text()
    for path in create_app(Settings(data_dir=tmp_path)).openapi()["paths"]:
        assert f'"{path}": {{' in generated
