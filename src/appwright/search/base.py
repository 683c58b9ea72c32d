"""The web-search seam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    text: str


class SearchProvider(Protocol):
    name: str

    async def search(self, query: str, num_results: int) -> list[SearchResult]: ...


def format_results(results: list[SearchResult], max_chars_each: int = 1500) -> str:
    if not results:
        return "No results."
    blocks = []
    for i, r in enumerate(results, 1):
        text = r.text.strip()
        if len(text) > max_chars_each:
            text = text[:max_chars_each] + "…"
        blocks.append(f"[{i}] {r.title}\n{r.url}\n{text}")
    return "\n\n".join(blocks)
