"""The Exa search stub, driven through exa-py's `AsyncExa`."""

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from exa_py import AsyncExa

from appwright.sim import SimServer


@pytest.fixture
async def exa(sim: SimServer) -> AsyncIterator[AsyncExa]:
    async with AsyncExa(api_key="exa-test-key", api_base=sim.url) as client:
        yield client


async def test_results_are_derived_from_the_query(exa: AsyncExa):
    first = await exa.search("python asyncio timeouts", num_results=2, contents={"text": True})
    again = await exa.search("python asyncio timeouts", num_results=2, contents={"text": True})
    assert len(first.results) == 2
    assert [r.url for r in first.results] == [r.url for r in again.results]
    result = first.results[0]
    assert result.url.startswith("https://example.com/python-asyncio-timeouts/")
    assert "python asyncio timeouts" in result.title
    assert "python asyncio timeouts" in result.text


async def test_default_contents_carry_text(exa: AsyncExa):
    response = await exa.search("hello")
    assert response.results and all(r.text for r in response.results)


async def test_fail_marker_answers_500(exa: AsyncExa):
    with pytest.raises(ValueError, match="500"):
        await exa.search("anything [[fail]]")


async def test_delay_marker_waits(exa: AsyncExa):
    started = time.monotonic()
    response = await exa.search("slow [[delay=0.3]]")
    assert time.monotonic() - started >= 0.3
    assert "[[" not in response.results[0].title


async def test_hang_marker_never_answers(exa: AsyncExa):
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        await exa.search("stuck [[hang]]", timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_key_required(sim: SimServer):
    response = httpx.post(f"{sim.url}/search", json={"query": "x"})
    assert response.status_code == 401
