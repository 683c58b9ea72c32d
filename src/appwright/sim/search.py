"""An Exa-compatible search stub: `POST /search` with `x-api-key`, as exa-py's `AsyncExa`
sends it (camelCase body: `query`, `numResults`, `contents`).

Markers in the query choose a behaviour, so a test says what it wants in the one string it
controls: `[[hang]]` never answers, `[[fail]]` answers 500, `[[delay=1.5]]` waits first.
Anything else gets a few results derived from the query, the same every time.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from appwright.sim.delivery import Silence

_MARKER = re.compile(r"\[\[(hang|fail|delay=(\d+(?:\.\d+)?))\]\]")
_DEFAULT_RESULTS = 3
_MAX_RESULTS = 10


def _error(status: int, message: str, tag: str) -> Response:
    request_id = uuid.uuid4().hex
    return JSONResponse({"requestId": request_id, "error": message, "tag": tag}, status)


def fake_results(query: str, count: int, contents: Any) -> list[dict[str, Any]]:
    words = re.findall(r"[a-z0-9]+", query.lower()) or ["search"]
    slug = "-".join(words[:6])
    digest = hashlib.sha256(query.encode()).hexdigest()
    want_text = contents is None or (isinstance(contents, dict) and "text" in contents)
    want_highlights = isinstance(contents, dict) and bool(contents.get("highlights"))
    results = []
    for i in range(count):
        url = f"https://example.com/{slug}/{digest[i * 4 : i * 4 + 8]}"
        text = (
            f"Result {i + 1} for '{query}'. This simulated page explains {' '.join(words)} "
            f"with a short example and links to further reading."
        )
        result: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": f"{query.strip() or 'Search'} ({i + 1})",
            "publishedDate": "2024-01-01T00:00:00.000Z",
            "author": "appwright sim",
            "score": round(1.0 - i * 0.1, 2),
        }
        if want_text:
            result["text"] = text
        if want_highlights:
            result["highlights"] = [text[:80]]
            result["highlightScores"] = [0.9]
        results.append(result)
    return results


def search_endpoint(closing: asyncio.Event):
    async def search(request: Request) -> Response:
        if not request.headers.get("x-api-key"):
            return _error(401, "Missing API key: pass it in the x-api-key header", "NO_API_KEY")
        try:
            body = await request.json()
        except (ValueError, ClientDisconnect):  # not JSON, or the client went away
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _error(400, "Invalid request body: 'query' is required", "INVALID_REQUEST")
        query = body["query"]
        for match in _MARKER.finditer(query):
            if match.group(1) == "hang":
                return Silence(closing)  # type: ignore[return-value]
            if match.group(1) == "fail":
                return _error(500, "Internal server error (simulated)", "INTERNAL_ERROR")
            await asyncio.sleep(float(match.group(2)))
        clean = _MARKER.sub("", query).strip()
        count = body.get("numResults")
        count = count if isinstance(count, int) and count > 0 else _DEFAULT_RESULTS
        results = fake_results(clean, min(count, _MAX_RESULTS), body.get("contents"))
        return JSONResponse(
            {
                "requestId": uuid.uuid4().hex,
                "resolvedSearchType": body.get("type", "neural"),
                "results": results,
                "searchTime": 12.5,
                "costDollars": {"total": 0.005, "search": {"neural": 0.005}},
            }
        )

    return search
