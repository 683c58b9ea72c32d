"""Everything a running appwright holds, built once from the settings and passed down.

The HTTP app, the CLI commands and the tests all start a `Runtime`: it opens the database
(and applies migrations), picks the fan-out (in-process, or Redis when configured), and owns
the background workers. Nothing here is global: two runtimes in one process are independent.
"""

from __future__ import annotations

import logging

from appwright.agent.runs import Runs
from appwright.agent.sessions import Sessions
from appwright.config import Settings
from appwright.events.bus import Bus, InProcessBus
from appwright.git.outbox import GitOutbox
from appwright.git.remotes import RemoteService
from appwright.models.base import ModelClient
from appwright.ops.metrics import Metrics
from appwright.ops.secret_files import secret_in_file
from appwright.ops.shared_secrets import check_shared
from appwright.search.base import SearchProvider
from appwright.search.factory import make_search
from appwright.store.database import Database
from appwright.store.migrate import upgrade
from appwright.workspace import Workspace

log = logging.getLogger(__name__)


def make_model(settings: Settings) -> ModelClient | None:
    """Which model client a runtime uses, from the settings (None: no model configured)."""
    provider = settings.resolved_provider
    if provider == "anthropic":
        from appwright.models.anthropic import AnthropicModel

        assert settings.anthropic_api_key is not None
        return AnthropicModel(
            api_key=settings.anthropic_api_key.get_secret_value(),
            base_url=settings.anthropic_base_url,
            idle_timeout=settings.timeout_model_idle,
        )
    if provider == "openai":
        from appwright.models.openai import OpenAIModel

        return OpenAIModel(
            api_key=settings.openai_api_key.get_secret_value()
            if settings.openai_api_key
            else "none",
            base_url=settings.openai_base_url,
            idle_timeout=settings.timeout_model_idle,
        )
    return None


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
        self.journal = self.workspace.journal
        self.secret_key = (
            settings.secret_key.get_secret_value()
            if settings.secret_key
            else secret_in_file(settings.data_dir / "secret.key")
        )
        self.admin_token, self.admin_token_created = self._admin_token()
        self.git_outbox = GitOutbox(
            settings, self.db, self.bus, self.metrics, secret_key=self.secret_key
        )
        self.workspace.on_version(self.git_outbox.wake)
        self.git_remotes = RemoteService(self.db, self.bus, self.git_outbox)
        self.model = model if model is not None else make_model(settings)
        self.runs = Runs(
            settings,
            self.workspace,
            self.model,
            search if search is not None else make_search(settings),
            self.metrics,
            lease_seconds=settings.run_lease_seconds,
            heartbeat_seconds=settings.run_heartbeat_seconds,
        )
        self.sessions = Sessions(self.workspace, self.runs)

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
        return secret_in_file(path), not existed

    async def start(self) -> None:
        await upgrade(self.db.engine)
        # Before anything is served or signed: a process with other secrets than the rest
        # would hand out links and seal tokens that the other processes refuse.
        await check_shared(self.db, self.secret_key, self.admin_token)
        await self.bus.start()
        await self.runs.start()
        from appwright.workspace import lifecycle  # it builds on the runtime's parts

        await lifecycle.purge(self)
        if self.settings.git_worker:
            await self.git_outbox.start()

    async def stop(self) -> None:
        await self.git_outbox.stop()
        await self.runs.stop()
        if self.model is not None:
            await self.model.aclose()
        await self.bus.stop()
        await self.db.dispose()
