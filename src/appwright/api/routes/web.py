"""The browser workspace: the built front end, with index.html for every page path so that
`/apps/<id>` and the like are the workspace's own routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

WEB_DIST = Path(__file__).resolve().parent.parent.parent / "web_dist"
router = APIRouter(include_in_schema=False)

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>appwright</title>
<p>The workspace has not been built. Run the README's serve command, which builds it.</p>"""


PAGE_ROUTE = "/{page:path}"


def is_page(path: str) -> bool:
    """Whether the workspace serves `path`: everything outside `/api/` and `/preview/`."""
    page = path.lstrip("/")
    return not (page.startswith(("api/", "preview/")) or page in ("api", "preview"))


@router.get(PAGE_ROUTE)
async def workspace_page(page: str, request: Request) -> Response:
    if not is_page(page):
        # Not a page: a 405 if another method is allowed here (GET on a POST-only route),
        # which the error handler turns into a 404 when none is.
        raise HTTPException(status_code=405)
    # At localhost or 127.0.0.1, to the local name: there each app's preview gets an origin
    # of its own on the workspace's site (api/preview_origin.py). `?token=` goes along.
    local = request.app.state.preview_sites.local_redirect(request.scope)
    if local:
        return RedirectResponse(local, status_code=307)
    if page:
        candidate = (WEB_DIST / page).resolve()
        if candidate.is_file() and WEB_DIST.resolve() in candidate.parents:
            return FileResponse(candidate)
    index = WEB_DIST / "index.html"
    if index.is_file():
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(_NOT_BUILT)
