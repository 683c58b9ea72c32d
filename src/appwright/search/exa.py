"""Exa, through the official `exa-py` async client (used when EXA_API_KEY is set)."""

from __future__ import annotations

from typing import Any

from appwright.errors import ToolError
from appwright.search.base import SearchResult


class ExaSearch:
    name = "exa"

    def __init__(self, api_key: str, base_url: str | None = None) -> None:
        from exa_py import AsyncExa

        kwargs: dict[str, Any] = {"api_key": api_key}
        if base_url:
            kwargs["api_base"] = base_url
        self._client = AsyncExa(**kwargs)

    async def search(self, query: str, num_results: int) -> list[SearchResult]:
        try:
            response = await self._client.search_and_contents(
                query, num_results=num_results, text=True
            )
        except Exception as error:
            # The SDK's messages can carry request details; ours carry only the kind.
            raise ToolError(
                f"Web search failed ({type(error).__name__}); try a different query later.",
                code="search_failed",
            ) from None
        return [
            SearchResult(title=r.title or r.url, url=r.url, text=getattr(r, "text", "") or "")
            for r in response.results[:num_results]
        ]
