"""The README documents every setting: a new one cannot ship without its line."""

from __future__ import annotations

from pathlib import Path

from appwright.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


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
