"""The front end's event types are generated from the Python definitions and committed:
this fails when `web/src/generated/events.ts` is stale (run `npm --prefix web run gen`).
It needs no browser, so it is not marked `browser`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_event_types_are_fresh():
    script = ROOT / "web" / "scripts" / "gen_events.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_event_type_is_generated():
    from appwright.events.types import json_schema

    generated = (ROOT / "web" / "src" / "generated" / "events.ts").read_text()
    for name in json_schema()["discriminator"]["mapping"]:
        assert f'type: "{name}";' in generated
