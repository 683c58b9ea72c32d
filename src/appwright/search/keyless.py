"""A keyless web search (`ddgs`), used when no Exa key is configured."""

from __future__ import annotations

import asyncio

from appwright.errors import ToolError
from appwright.search.base import SearchResult


class KeylessSearch:
    name = "ddgs"

    async def search(self, query: str, num_results: int) -> list[SearchResult]:
        def blocking() -> list[dict[str, str]]:
            from ddgs import DDGS

            return list(DDGS().text(query, max_results=num_results) or [])

        try:
            rows = await asyncio.to_thread(blocking)
        except Exception as error:
            raise ToolError(
                f"Web search is unavailable right now ({type(error).__name__}).",
                code="search_failed",
            ) from None
        return [
            SearchResult(title=r.get("title", ""), url=r.get("href", ""), text=r.get("body", ""))
            for r in rows[:num_results]
        ]
