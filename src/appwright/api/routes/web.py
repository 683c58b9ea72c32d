"""The browser workspace: the built front end, with index.html for every page path so that
`/apps/<id>` and the like are the workspace's own routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from appwright.errors import NotFound

WEB_DIST = Path(__file__).resolve().parent.parent.parent / "web_dist"
router = APIRouter(include_in_schema=False)

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>appwright</title>
<p>The workspace has not been built. Run the README's serve command, which builds it.</p>"""


@router.get("/{page:path}")
async def workspace_page(page: str) -> Response:
    if page.startswith(("api/", "preview/")) or page in ("api", "preview"):
        raise NotFound("No such route.", code="not_found")
    if page:
        candidate = (WEB_DIST / page).resolve()
        if candidate.is_file() and WEB_DIST.resolve() in candidate.parents:
            return FileResponse(candidate)
    index = WEB_DIST / "index.html"
    if index.is_file():
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(_NOT_BUILT)
