"""An app's life from the page: made from a git URL, renamed, deleted with a way back.

Deleting is soft: the app answers 404 everywhere at once (its files, sessions, preview,
sockets), its runs are cancelled, and for `app_restore_seconds` it can be restored as it
was. After that it is purged: its rows and its git repository are removed. Purging is
done lazily, whenever the vendor lists, deletes or restores apps, and when the service
starts: nothing of a purged app can be reached in between, so nothing waits on a clock.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from appwright.config import Settings
from appwright.git.policy import check_remote
from appwright.git.reach import RemotePolicy
from appwright.git.remote import import_tip
from appwright.store import apps as app_store
from appwright.store.database import Database
from appwright.store.ids import now
from appwright.store.purge import purge_deleted
from appwright.workspace.service import Workspace, _required_name


class _Session(Protocol):
    @property
    def id(self) -> str: ...


class _Sessions(Protocol):
    async def sessions(self, vendor_id: str, app_id: str) -> Sequence[_Session]: ...


class _Runs(Protocol):
    async def cancel(self, vendor_id: str | None, session_id: str) -> str | None: ...


class _Outbox(Protocol):
    @property
    def repos_dir(self) -> Path: ...


class Runtime(Protocol):
    """The parts of the running service an app's life touches: described here rather than
    imported, since the runtime itself purges apps when it starts."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def workspace(self) -> Workspace: ...
    @property
    def sessions(self) -> _Sessions: ...
    @property
    def runs(self) -> _Runs: ...
    @property
    def git_outbox(self) -> _Outbox: ...


log = logging.getLogger(__name__)


def _window(runtime: Runtime) -> timedelta:
    return timedelta(seconds=runtime.settings.app_restore_seconds)


def deleted_json(
    app: app_store.AppRecord, deleted_at: datetime, window: timedelta
) -> dict[str, Any]:
    return {
        **app.to_json(),
        "deleted_at": deleted_at.isoformat(),
        "restore_until": (deleted_at + window).isoformat(),
    }


async def create_from_git(
    runtime: Runtime,
    vendor_id: str,
    name: Any,
    url: Any,
    branch: Any = None,
    token: Any = None,
) -> app_store.AppRecord:
    """An app holding the files at the tip of a git repository's branch. The URL is held
    to the same rules as a push remote (public hosts only, unless the operator allows
    more); every failure is a 4xx in words, and nothing is made."""
    name = _required_name(name, "app")
    policy = RemotePolicy.from_settings(runtime.settings)
    url, branch = check_remote(url, token, branch, policy=policy)
    files = await import_tip(
        url, token or None, branch, runtime.settings.timeout_git, policy=policy
    )
    return await runtime.workspace.create_app(vendor_id, name, files)


async def rename(runtime: Runtime, vendor_id: str, app_id: str, name: Any) -> app_store.AppRecord:
    name = _required_name(name, "app")
    return await runtime.db.run(lambda conn: app_store.rename_app(conn, app_id, vendor_id, name))


async def delete(runtime: Runtime, vendor_id: str, app_id: str) -> dict[str, Any]:
    """Marks the app deleted (404 from now on) and cancels its runs."""
    sessions = await runtime.sessions.sessions(vendor_id, app_id)  # 404 for not theirs
    app = await runtime.workspace.app(vendor_id, app_id)
    deleted_at = await runtime.db.run(lambda conn: app_store.mark_deleted(conn, app_id, vendor_id))
    for session in sessions:
        await runtime.runs.cancel(None, session.id)
    await purge(runtime)
    return deleted_json(app, deleted_at, _window(runtime))


async def deleted(runtime: Runtime, vendor_id: str) -> list[dict[str, Any]]:
    """The vendor's deleted apps that can still be restored, newest first."""
    await purge(runtime)
    window = _window(runtime)
    found = await runtime.db.read(
        lambda conn: app_store.deleted_apps(conn, vendor_id, now() - window)
    )
    return [deleted_json(app, when, window) for app, when in found]


async def restore(runtime: Runtime, vendor_id: str, app_id: str) -> app_store.AppRecord:
    since = now() - _window(runtime)
    app = await runtime.db.run(
        lambda conn: app_store.unmark_deleted(conn, app_id, vendor_id, since)
    )
    await purge(runtime)
    return app


async def purge(runtime: Runtime) -> list[str]:
    """Removes every app past its restore window, rows and git repository."""
    cutoff = now() - _window(runtime)
    purged = await runtime.db.run(lambda conn: purge_deleted(conn, cutoff))
    repos = runtime.git_outbox.repos_dir
    for app_id in purged:
        await asyncio.to_thread(shutil.rmtree, repos / f"{app_id}.git", True)
        log.info("purged deleted app %s", app_id)
    return purged
