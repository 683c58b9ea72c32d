import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from appwright.models.anthropic import AnthropicModel
from appwright.models.base import ModelClient
from appwright.models.openai import OpenAIModel
from appwright.sim import SimServer

API_KEY = "sk-adapter-test-secret-0123456789"
# Short, so the SDK's backstop read timeout (idle * 1.25 + 1 s) keeps stall tests quick.
IDLE_TIMEOUT = 0.2


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


@pytest.fixture
def model(request: pytest.FixtureRequest) -> str:
    base = re.sub(r"[^a-zA-Z0-9_-]", "-", request.node.name)
    return f"{base}-{uuid.uuid4().hex[:8]}"


def make_client(provider: str, url: str, api_key: str = API_KEY) -> ModelClient:
    if provider == "anthropic":
        return AnthropicModel(api_key, url, idle_timeout=IDLE_TIMEOUT)
    return OpenAIModel(api_key, f"{url}/v1", idle_timeout=IDLE_TIMEOUT)


@pytest.fixture(params=["anthropic", "openai"])
def provider(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
async def client_for(provider: str, sim: SimServer) -> AsyncIterator[Callable[..., ModelClient]]:
    """Makes adapters of this test's provider (to the sim unless told otherwise); closes them."""
    made: list[ModelClient] = []

    def make(api_key: str = API_KEY, url: str | None = None) -> ModelClient:
        made.append(make_client(provider, url or sim.url, api_key))
        return made[-1]

    yield make
    for adapter in made:
        await adapter.aclose()


@pytest.fixture
def client(client_for: Callable[..., ModelClient]) -> ModelClient:
    return client_for()
