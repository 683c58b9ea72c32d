"""The model-client seam: one method, a stream of internal events for one model call.

An implementation translates its vendor's stream into `StreamEvent`s and its vendor's
errors into `ModelError` (with `transient` and `retry_after` set). It does not retry and does
not time out: the run loop owns both, so that every provider gets the same policy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from appwright.models.types import ModelRequest, StreamEvent

NOT_CONFIGURED = (
    "No AI model is configured. Set ANTHROPIC_API_KEY (and optionally APPWRIGHT_MODEL), or "
    "APPWRIGHT_PROVIDER=openai with OPENAI_BASE_URL and OPENAI_API_KEY, then restart appwright."
)


class ModelClient(Protocol):
    def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...
