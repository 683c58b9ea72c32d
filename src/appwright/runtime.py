"""Everything a running appwright holds, built once from the settings and passed down.

The HTTP app, the CLI commands and the tests all start a `Runtime`: it opens the database
(and applies migrations), picks the fan-out (in-process, or Redis when configured), and owns
the background workers. Nothing here is global: two runtimes in one process are independent.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from appwright.config import Settings
from appwright.events.bus import Bus, InProcessBus
from appwright.ops.metrics import Metrics
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
    def __init__(self, settings: Settings) -> None:
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
        await self.bus.start()

    async def stop(self) -> None:
        await self.bus.stop()
        await self.db.dispose()
