from __future__ import annotations

from appwright.config import Settings
from appwright.search.base import SearchProvider


def make_search(settings: Settings) -> SearchProvider:
    if settings.exa_api_key:
        from appwright.search.exa import ExaSearch

        return ExaSearch(settings.exa_api_key.get_secret_value(), settings.exa_base_url)
    from appwright.search.keyless import KeylessSearch

    return KeylessSearch()
