"""Processes of one deployment share their secrets, or the one that differs refuses to start
and says which setting to fix, instead of handing out preview links the others refuse."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from appwright.config import Settings
from appwright.ops.shared_secrets import SecretsMismatch
from appwright.runtime import Runtime
from appwright.store import fingerprints


async def start(settings: Settings) -> Runtime:
    runtime = Runtime(settings)
    try:
        await runtime.start()
    except BaseException:
        await runtime.stop()
        raise
    return runtime


@pytest.fixture
def first(
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    backend: str,
    request: pytest.FixtureRequest,
) -> Callable[..., Settings]:
    """Settings of processes on a database of this test's own (the session's PostgreSQL
    database has its secrets recorded already), with `overrides`."""
    if backend == "postgres":
        url = request.getfixturevalue("own_pg_url")
    else:
        url = make_settings(data_dir=tmp_path / "one").resolved_database_url

    def on_same_database(**overrides: object) -> Settings:
        return make_settings(database_url=url, **overrides)

    return on_same_database


async def test_a_process_with_another_secret_key_refuses_to_start(
    first: Callable[..., Settings], tmp_path: Path
) -> None:
    one = await start(first(data_dir=tmp_path / "one"))
    try:
        same = await start(first(data_dir=tmp_path / "two"))  # same settings, another disk
        await same.stop()
        with pytest.raises(SecretsMismatch) as refused:
            await start(first(data_dir=tmp_path / "three", secret_key="not-the-same"))
        assert refused.value.message.startswith("APPWRIGHT_SECRET_KEY is not the value")
        assert "not-the-same" not in refused.value.message
        with pytest.raises(SecretsMismatch) as refused:
            await start(first(data_dir=tmp_path / "four", admin_token="another-admin"))
        assert refused.value.message.startswith("APPWRIGHT_ADMIN_TOKEN is not the value")
    finally:
        await one.stop()


async def test_forgetting_the_recorded_secrets_lets_new_ones_start(
    first: Callable[..., Settings], tmp_path: Path
) -> None:
    one = await start(first(data_dir=tmp_path / "one", secret_key="lost-key"))
    await one.db.run(fingerprints.forget)  # `appwright secrets reset`
    await one.stop()
    again = await start(first(data_dir=tmp_path / "two", secret_key="the-new-key"))
    await again.stop()


def test_serve_without_the_shared_secret_key_exits_naming_the_setting(tmp_path: Path) -> None:
    """Two processes on one database, each with a data dir of its own and no secrets set:
    the second makes its own key, and refuses to serve with it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPWRIGHT_", "ANTHROPIC_"))}
    database = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    env |= {"APPWRIGHT_DATABASE_URL": database, "APPWRIGHT_LOG_JSON": "true"}

    def appwright(data_dir: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "appwright.cli", *args],
            env={**env, "APPWRIGHT_DATA_DIR": str(tmp_path / data_dir)},
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = appwright("one", "vendor", "create", "ada")
    assert made.returncode == 0, made.stderr
    refused = appwright("two", "serve", "--port", "9")
    assert refused.returncode == 2
    assert "error [secrets_mismatch]: APPWRIGHT_SECRET_KEY is not the value" in refused.stderr
    assert (tmp_path / "one" / "secret.key").read_text() not in refused.stderr
