import re
import uuid
from collections.abc import AsyncIterator, Iterator

import anthropic
import openai
import pytest

from appwright.sim import SimServer

# Must not appear in any message or log line a test reads back.
API_KEY = "sk-sim-test-key-0123456789"


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


@pytest.fixture
def model(request: pytest.FixtureRequest) -> str:
    """A model name of this test's own, so scripts and request logs never mix."""
    base = re.sub(r"[^a-zA-Z0-9_-]", "-", request.node.name)
    return f"{base}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def claude(sim: SimServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(api_key=API_KEY, base_url=sim.url, max_retries=0, timeout=5.0)
    yield client
    await client.close()


@pytest.fixture
async def gpt(sim: SimServer) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(
        api_key=API_KEY, base_url=f"{sim.url}/v1", max_retries=0, timeout=5.0
    )
    yield client
    await client.close()
