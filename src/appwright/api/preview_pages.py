"""The preview's own pages, for a browser that asked for one the app does not have.

A visitor following a broken link sees a page, not a JSON error: what was asked for, why it
is not there, and links to every page the app has (its `.html` files) to carry on from.
A script's `fetch` (which does not ask for HTML) still gets the `{error: ...}` body.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from appwright.api.errors import error_response
from appwright.errors import AppwrightError, http_status

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;color:#222;max-width:40em;margin:3em auto;"
    "padding:0 1em}h1{font-size:1.4em}code{background:#f2f2f2;padding:0 .3em;border-radius:3px}"
    "li{margin:.2em 0}.muted{color:#666}"
)


def wants_html(request: Request) -> bool:
    """A browser loading a page asks for HTML; `fetch` and API clients do not."""
    return "text/html" in request.headers.get("accept", "")


def page_paths(paths: list[str]) -> list[str]:
    """The app's pages, index pages first, then in path order."""
    pages = [p for p in paths if p.lower().endswith((".html", ".htm"))]
    return sorted(pages, key=lambda p: (not p.endswith("index.html"), p.count("/"), p))


def _document(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def missing_page(path: str, pages: list[str], root: str) -> str:
    """`root`: the app's root path on this origin, ending in '/'."""
    links = "".join(f'<li><a href="{escape(root + quote(p))}">{escape(p)}</a></li>' for p in pages)
    listing = (
        f"<p>Pages of this app:</p><ul data-appwright-pages>{links}</ul>"
        if pages
        else '<p class="muted">This app has no pages yet.</p>'
    )
    body = f"<h1>No page here</h1><p>This app has no file <code>{escape(path)}</code>.</p>{listing}"
    return _document("Page not found", body)


def refused_page(error: AppwrightError) -> str:
    return _document(
        "Preview unavailable", f"<h1>Preview unavailable</h1><p>{escape(error.message)}</p>"
    )


def error_answer(request: Request, error: AppwrightError, page: str | None = None) -> Response:
    """`error` as the page `page` for a browser asking for HTML, else as the JSON error."""
    if not wants_html(request):
        return error_response(error)
    return HTMLResponse(page or refused_page(error), status_code=http_status(error))
