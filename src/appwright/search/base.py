"""The web-search seam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from appwright import text as text_rule


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    text: str


class SearchProvider(Protocol):
    name: str

    async def search(self, query: str, num_results: int) -> list[SearchResult]: ...


def format_results(results: list[SearchResult], max_chars_each: int = 1500) -> str:
    """The results as the model reads them. Web text is repaired (`text.repair`): a page
    cannot put a lone surrogate or a NUL into the conversation."""
    if not results:
        return "No results."
    blocks = []
    for i, r in enumerate(results, 1):
        text = r.text.strip()
        if len(text) > max_chars_each:
            text = text[:max_chars_each] + "…"
        blocks.append(f"[{i}] {r.title}\n{r.url}\n{text}")
    return text_rule.repair("\n\n".join(blocks))
