"""Which model client a runtime uses, from the settings (None: no model configured)."""

from __future__ import annotations

from appwright.config import Settings
from appwright.models.base import ModelClient

NOT_CONFIGURED = (
    "No AI model is configured. Set ANTHROPIC_API_KEY (and optionally APPWRIGHT_MODEL), or "
    "APPWRIGHT_PROVIDER=openai with OPENAI_BASE_URL and OPENAI_API_KEY, then restart appwright."
)


def make_model(settings: Settings) -> ModelClient | None:
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
