"""Runs driven through the real `anthropic` and `openai` SDKs against the scripted model
server, with the HTTP API in front: the closest thing to production without a real model."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from appwright.sim import SimServer

_names = itertools.count()


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


@pytest.fixture(params=["anthropic", "openai"])
def provider(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sdk_harness(harness_factory, sim: SimServer, provider: str):
    """A harness whose runs talk to a fresh scripted model through the provider's SDK."""

    async def make(
        turns: list[dict[str, Any]], script: dict[str, Any] | None = None, **settings: Any
    ):
        """`script`: the sim script's model settings (context_window, turns_by, ...)."""
        model = f"{provider}-model-{next(_names)}"
        sim.script(model, turns, **(script or {}))
        if provider == "anthropic":
            config = {"anthropic_api_key": "sk-ant-test-secret-key", "anthropic_base_url": sim.url}
        else:
            config = {
                "provider": "openai",
                "openai_api_key": "sk-openai-test-secret-key",
                "openai_base_url": f"{sim.url}/v1",
            }
        harness = await harness_factory(None, model=model, **config, **settings)
        harness.model_name = model
        return harness

    return make
