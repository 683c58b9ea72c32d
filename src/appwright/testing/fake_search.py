"""A search provider for tests and benchmarks: deterministic results after `delay` seconds
(and once `gate`, if given, is set); a query containing "hang" never answers, one containing
"fail" raises."""

from __future__ import annotations

import asyncio

from appwright.errors import ToolError
from appwright.search.base import SearchResult


class FakeSearch:
    name = "fake"

    def __init__(self, delay: float = 0.0, gate: asyncio.Event | None = None) -> None:
        self.delay = delay
        self.gate = gate
        self.queries: list[str] = []

    async def search(self, query: str, num_results: int) -> list[SearchResult]:
        self.queries.append(query)
        if self.gate is not None:
            await self.gate.wait()
        if "hang" in query:
            await asyncio.Event().wait()
        if "fail" in query:
            raise ToolError("The search service failed.", code="search_failed")
        if self.delay:
            await asyncio.sleep(self.delay)
        return [
            SearchResult(f"Result {i} for {query}", f"https://example.com/{i}", "text")
            for i in range(num_results)
        ]
