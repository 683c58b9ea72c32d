"""docs/interface.md and the README describe the interface the code has: a command, route or
event type (or an event's field) cannot ship without its line, and nothing points outside the
repository."""

from __future__ import annotations

import argparse
import re
import typing
from pathlib import Path

from appwright.api.app import create_app
from appwright.cli import _parser
from appwright.config import Settings
from appwright.events.types import Event

ROOT = Path(__file__).resolve().parents[1]
INTERFACE = (ROOT / "docs" / "interface.md").read_text()
README = (ROOT / "README.md").read_text()
BASE_FIELDS = {"seq", "ts", "run_id", "type"}


def event_classes() -> list[type]:
    union = typing.get_args(Event)[0]
    return list(typing.get_args(union))


def test_every_event_type_and_field_is_in_the_events_table() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([a-z]+\.[a-z]+)` \| (.*) \|$", INTERFACE, re.MULTILINE)
    }
    documented = set()
    for cls in event_classes():
        kind = cls.model_fields["type"].default
        documented.add(kind)
        assert kind in rows, f"add a row for {kind} to the events table in docs/interface.md"
        for field in set(cls.model_fields) - BASE_FIELDS:
            assert f"`{field}`" in rows[kind], f"document {kind}.{field} in docs/interface.md"
        assert f"`{kind}`" in README, f"name {kind} in the README's Interface section"
    assert set(rows) == documented, "docs/interface.md lists an event type the code lacks"


def test_every_http_route_is_in_the_reference(tmp_path: Path) -> None:
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    for path, operations in schema["paths"].items():
        for method in operations:
            call = re.escape(f"`{method.upper()} {path}") + r"[`?\s]"
            assert re.search(call, INTERFACE), (
                f"document {method.upper()} {path} in docs/interface.md"
            )
    for socket in ("/api/sessions/{session_id}/ws", "/api/apps/{app_id}/ws"):
        assert f"`{socket}`" in INTERFACE and f"`{socket}`" in README


def test_every_command_is_in_the_reference_and_the_readme() -> None:
    def commands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += commands(sub, f"{prefix} {name}") or [f"{prefix} {name}"]
        return found

    for command in commands(_parser(), "appwright"):
        assert f"`{command}" in INTERFACE, f"document `{command}` in docs/interface.md"
        assert command in README, f"list `{command}` in the README's Commands"


def test_the_docs_stand_alone_in_a_clone() -> None:
    for text in (README, INTERFACE):
        assert "../shared" not in text and "CONTRACT.md" not in text
    assert "(docs/interface.md)" in README and "`/docs`" in README
