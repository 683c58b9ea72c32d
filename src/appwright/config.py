"""The one settings object, built at start-up and passed down.

Every `APPWRIGHT_*` variable of CONTRACT.md is a field here. The vendor SDK variables
(`ANTHROPIC_*`, `OPENAI_*`, `EXA_*`) are read under their own names because the official
SDKs and every user's shell already use them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from appwright.models.catalog import ModelInfo, Price, model_info

MiB = 1024 * 1024


def template_problem(template: str) -> str | None:
    """Why a preview URL template cannot be used, or None."""
    if template.count("{app}") != 1:
        return "it must contain `{app}` once, in the host name"
    parts = urlsplit(template.replace("{app}", "app-0"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must be an http:// or https:// URL"
    if "{app}" not in urlsplit(template).netloc or parts.path not in ("", "/"):
        return "`{app}` must be in the host name, with no path after it"
    if parts.query or parts.fragment:
        return "it cannot have a query or a fragment"
    return None


class ModelPrice(BaseModel):
    """USD per million tokens; a cache price left out costs what uncached input costs."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)

    def price(self) -> Price:
        return Price(
            input=self.input,
            output=self.output,
            cache_read=self.input if self.cache_read is None else self.cache_read,
            cache_write=self.input if self.cache_write is None else self.cache_write,
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APPWRIGHT_", extra="ignore")

    data_dir: Path = Path(".appwright")
    database_url: str | None = None
    redis_url: str | None = None
    admin_token: SecretStr | None = None
    public_url: str | None = Field(
        default=None,
        description="Base URL printed for people to open; defaults to http://HOST:PORT",
    )

    provider: Literal["anthropic", "openai"] | None = None
    model: str = "claude-sonnet-4-5"
    max_tokens: int = Field(default=8000, ge=1)
    context_tokens: int | None = Field(default=None, ge=1024)
    prompt_caching: bool = True
    # {"model name or prefix": {"input": 3, "output": 15, "cache_read": 0.3, ...}}
    model_prices: dict[str, ModelPrice] = Field(default_factory=dict)
    max_run_tokens: int | None = Field(default=None, ge=1)
    max_run_cost_usd: float | None = Field(default=None, gt=0)

    timeout_model_idle: float = 45.0
    timeout_web_search: float = 10.0
    timeout_file_op: float = 5.0
    timeout_git: float = 15.0
    timeout_run: float = 90.0
    max_turns: int = 25

    model_retries: int = 3
    retry_base: float = 1.0
    retry_cap: float = 10.0

    max_file_bytes: int = 1 * MiB
    max_app_bytes: int = 20 * MiB
    max_app_files: int = 1000
    max_path_length: int = 255
    # How long a deleted app can be restored ("Undo" in the page); purged after.
    app_restore_seconds: float = Field(default=600.0, ge=0)
    read_max_lines: int = 2000
    read_max_bytes: int = 100_000

    run_lease_seconds: float = 10.0
    run_heartbeat_seconds: float = 2.0

    ws_queue_size: int = 2000
    ws_send_timeout: float = 10.0
    allow_local_remotes: bool = False
    # Hosts a remote may reach whatever their addresses (self-hosted git servers):
    # comma- or space-separated names or addresses.
    git_allowed_hosts: str = ""
    git_worker: bool = True
    # How long a process's claim to drain an app's outbox holds without renewal: after it
    # dies, another process takes the app over this much later.
    git_lease_seconds: float = Field(default=15.0, gt=0)

    preview_link_ttl: int = 12 * 3600
    # e.g. https://{app}.preview.example.com: each app's preview on its own origin under a
    # wildcard domain (api/preview_origin.py tells where the preview is without it).
    preview_url_template: str | None = None
    # The second port of the preview when neither a template nor a local name gives it an
    # origin of its own; `serve` opens it (default: its port + 1).
    preview_port: int | None = Field(default=None, ge=1, le=65535)
    # The name a workspace opened at localhost or 127.0.0.1 is sent to, so that each app's
    # preview has an origin of its own on the workspace's site ({app}.appwright.localhost).
    # Empty: the workspace stays where it was opened, and previews use the second port.
    local_name: str = "appwright.localhost"
    secret_key: SecretStr | None = None

    log_level: str = "INFO"
    log_json: bool | None = None

    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL")
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL")
    )
    exa_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EXA_API_KEY")
    )
    exa_base_url: str | None = Field(default=None, validation_alias=AliasChoices("EXA_BASE_URL"))

    @model_validator(mode="after")
    def _preview_template_usable(self) -> Settings:
        name = self.local_name
        if name and not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost", name):
            raise ValueError(
                "APPWRIGHT_LOCAL_NAME must be a lower-case name under localhost "
                "(e.g. appwright.localhost), or empty"
            )
        if self.preview_url_template:
            problem = template_problem(self.preview_url_template)
            if problem:
                raise ValueError(f"APPWRIGHT_PREVIEW_URL_TEMPLATE: {problem}")
            if not self.public_url:
                raise ValueError(
                    "APPWRIGHT_PREVIEW_URL_TEMPLATE needs APPWRIGHT_PUBLIC_URL: the workspace's "
                    "origin is the only page allowed to frame the preview"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'appwright.db').resolve()}"

    @property
    def model_info(self) -> ModelInfo:
        """The configured model's window, output limit and price, with our overrides."""
        prices = {name: p.price() for name, p in self.model_prices.items()}
        return model_info(self.model, context_tokens=self.context_tokens, prices=prices)

    @property
    def resolved_provider(self) -> Literal["anthropic", "openai"] | None:
        """Which model provider runs use, or None when no model is configured."""
        if self.provider == "openai":
            return "openai" if (self.openai_api_key or self.openai_base_url) else None
        if self.provider == "anthropic" or self.provider is None:
            if self.anthropic_api_key:
                return "anthropic"
            if self.provider is None and self.openai_api_key and self.openai_base_url:
                return "openai"
        return None
