"""Everything a running appwright holds, built once from the settings and passed down.

The HTTP app, the CLI commands and the tests all start a `Runtime`: it opens the database
(and applies migrations), picks the fan-out (in-process, or Redis when configured), and owns
the background workers. Nothing here is global: two runtimes in one process are independent.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from appwright.agent.runner import Runner
from appwright.config import Settings
from appwright.events.bus import Bus, InProcessBus
from appwright.git.outbox import GitOutbox
from appwright.git.remotes import RemoteService
from appwright.models.base import ModelClient
from appwright.models.factory import make_model
from appwright.ops.metrics import Metrics
from appwright.ops.shared_secrets import check_shared
from appwright.search.base import SearchProvider
from appwright.search.factory import make_search
from appwright.store.database import Database
from appwright.store.migrate import upgrade
from appwright.workspace import Workspace

log = logging.getLogger(__name__)


def _secret_file(path: Path, nbytes: int = 32) -> str:
    """A secret kept in the data dir, created on first use (mode 0600)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        model: ModelClient | None = None,
        search: SearchProvider | None = None,
    ) -> None:
        """`model` and `search` replace the configured ones (tests pass doubles)."""
        self.settings = settings
        self.metrics = Metrics()
        self.db = Database(settings.resolved_database_url, op_timeout=settings.timeout_file_op)
        self.bus: Bus = self._make_bus()
        self.workspace = Workspace(settings, self.db, self.bus)
        self.secret_key = (
            settings.secret_key.get_secret_value()
            if settings.secret_key
            else _secret_file(settings.data_dir / "secret.key")
        )
        self.admin_token, self.admin_token_created = self._admin_token()
        self.git_outbox = GitOutbox(
            settings, self.db, self.bus, self.metrics, secret_key=self.secret_key
        )
        self.workspace.on_version(self.git_outbox.wake)
        self.git_remotes = RemoteService(self.db, self.bus, self.git_outbox)
        self.model = model if model is not None else make_model(settings)
        self.runner = Runner(
            settings,
            self.workspace,
            self.model,
            search if search is not None else make_search(settings),
            self.metrics,
            lease_seconds=settings.run_lease_seconds,
            heartbeat_seconds=settings.run_heartbeat_seconds,
        )

    def _make_bus(self) -> Bus:
        if self.settings.redis_url:
            from appwright.events.redis_bus import RedisBus

            return RedisBus(self.settings.redis_url)
        return InProcessBus()

    def _admin_token(self) -> tuple[str, bool]:
        if self.settings.admin_token:
            return self.settings.admin_token.get_secret_value(), False
        path = self.settings.data_dir / "admin.token"
        existed = path.exists()
        return _secret_file(path), not existed

    async def start(self) -> None:
        await upgrade(self.db.engine)
        # Before anything is served or signed: a process with other secrets than the rest
        # would hand out links and seal tokens that the other processes refuse.
        await check_shared(self.db, self.secret_key, self.admin_token)
        await self.bus.start()
        await self.runner.start()
        from appwright import lifecycle  # it builds on the runtime's parts

        await lifecycle.purge(self)
        if self.settings.git_worker:
            await self.git_outbox.start()

    async def stop(self) -> None:
        await self.git_outbox.stop()
        await self.runner.stop()
        if self.model is not None:
            await self.model.aclose()
        await self.bus.stop()
        await self.db.dispose()
