"""The preview: an app's files as a browser loads them.

Two ways in. The workspace's iframe opens a preview link (`GET /api/apps/{app}/preview`) on
an origin of the preview's own (`api/preview_origin.py`, served by `api/preview_site.py`),
where the app's scripts run as on a real host. On the workspace's own origin,
`/preview/{app}/...` answers too, to the vendor's bearer token or a link's credential in
the path, sandboxed without `allow-same-origin` (`api/headers.py`): there the app's scripts
run in an opaque origin and cannot reach the workspace's storage or its token.
HTML pages get the preview agent (a small script talking to the workspace by postMessage),
so the workspace can hot-swap CSS, reload in place, follow navigation and show errors.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from appwright.api.auth import current_vendor, runtime_of, token_from, vendor_for
from appwright.api.boundary import api_router
from appwright.api.preview_links import (
    check_credential,
    credential_version,
    entry_path,
    invalid_link,
    make_credential,
)
from appwright.api.preview_origin import PreviewSites
from appwright.api.preview_pages import error_answer, missing_page, page_paths, wants_html
from appwright.errors import InvalidInput, NotFound
from appwright.files import content as files_content
from appwright.files.validation import RESERVED_PREFIX
from appwright.runtime import Runtime
from appwright.store.vendors import Vendor
from appwright.workspace import restore

router = api_router(tags=["preview"])

_AGENT = Path(__file__).resolve().parent.parent / "preview_agent.js"


@cache
def _agent_script() -> str:
    """The agent on one line: inserted into a line of the page, it moves none of the page's
    lines, so the line numbers its errors quote are the file's own."""
    if not _AGENT.exists():
        return ""
    return " ".join(line.strip() for line in _AGENT.read_text().splitlines() if line.strip())


def sites_of(request: Request) -> PreviewSites:
    return request.app.state.preview_sites


def content_type(path: str) -> str:
    """A text file's type as served: the one table's, with its charset."""
    return f"{files_content.content_type(path, '')}; charset=utf-8"


# The agent goes first, so that it hears the errors of every script after it: just inside
# <head>, else <html>, else after the doctype (before it, the page would be in quirks mode).
_OPENINGS = [
    re.compile(p, re.IGNORECASE)
    for p in (r"<head(?:\s[^>]*)?>", r"<html(?:\s[^>]*)?>", r"<!doctype[^>]*>")
]


def with_agent(html: str) -> str:
    agent = _agent_script()
    if not agent:
        return html
    tag = f"<script>{agent}</script>"
    for opening in _OPENINGS:
        found = opening.search(html)
        if found:
            return html[: found.end()] + tag + html[found.end() :]
    return tag + html


class PreviewLinkOut(BaseModel):
    url: str = Field(
        description="Opens the preview: sets the link's credential on the preview's origin "
        "and lands on the app's root (a path appended to it lands there instead)"
    )
    root: str = Field(description="The app's root URL on the preview's origin, ending in '/'")
    origin: str = Field(description="The preview's origin (what its messages come from)")
    expires_in: int = Field(description="Seconds the link stays valid")


@router.get("/api/apps/{app_id}/preview", tags=["apps"], response_model=PreviewLinkOut)
async def preview_link(
    app_id: str,
    request: Request,
    version: str | None = Query(None, description="an old version to show, read-only"),
    vendor: Vendor = Depends(current_vendor),
):
    """A link to this app's preview, on an origin other than the workspace's. With
    `version`, a link to that old version's files, read-only, sandboxed on this origin."""
    runtime = runtime_of(request)
    await runtime.workspace.app(vendor.id, app_id)
    ttl = runtime.settings.preview_link_ttl
    if version is not None:
        await restore.files_at(runtime.workspace, vendor.id, app_id, version)  # 404: not its
        signed = make_credential(runtime.secret_key, app_id, ttl, version=version)
        path = f"/preview/{app_id}/{RESERVED_PREFIX}{signed}/"
        # A sandboxed document's messages come from the opaque origin "null".
        return PreviewLinkOut(url=path, root=path, origin="null", expires_in=ttl)
    credential = make_credential(runtime.secret_key, app_id, ttl)
    where = sites_of(request).location(app_id, request.url.scheme, request.headers.get("host", ""))
    return PreviewLinkOut(
        url=where.origin + where.prefix + entry_path(credential),
        root=where.root,
        origin=where.origin,
        expires_in=ttl,
    )


def with_slash(path: str, query: str) -> Response:
    """A folder asked for without its trailing slash: send the browser to the folder, as
    a static server does, so that the page's relative URLs resolve inside it."""
    return RedirectResponse(f"{path}/" + (f"?{query}" if query else ""), status_code=307)


async def _is_folder(runtime: Runtime, vendor_id: str | None, app_id: str, path: str) -> bool:
    try:
        await runtime.workspace.file(vendor_id, app_id, f"{path}/index.html")
    except (NotFound, InvalidInput):
        return False
    return True


async def _missing(
    runtime: Runtime, request: Request, app_id: str, path: str, root: str
) -> Response:
    error = NotFound(f"No file {path!r} in this app.", code="file_not_found")
    if not wants_html(request):
        return error_answer(request, error)
    files = await runtime.workspace.files(None, app_id)
    page = missing_page(path, page_paths([f.path for f in files]), root)
    return error_answer(request, error, with_agent(page))


async def app_file(
    runtime: Runtime, request: Request, vendor_id: str | None, app_id: str, path: str, root: str
) -> Response:
    """The app's file at `path` as a browser loads it. `vendor_id` None: through a link,
    already checked. `root`: the app's root path on this origin, ending in '/'."""
    if path == "" and not request.url.path.endswith("/"):
        # The app's root without its slash: relative URLs would resolve outside the app.
        await runtime.workspace.app(vendor_id, app_id)
        return with_slash(request.url.path, request.url.query)
    requested = path
    if path == "" or path.endswith("/"):
        path += "index.html"
    try:
        record = await runtime.workspace.file(vendor_id, app_id, path)
    except NotFound as missing:
        if missing.code == "app_not_found":
            raise
        if requested == path and await _is_folder(runtime, vendor_id, app_id, path):
            return with_slash(request.url.path, request.url.query)
        return await _missing(runtime, request, app_id, path, root)
    if isinstance(record.content, bytes):
        # An image, a font: its bytes as they are, under the type its name says.
        return Response(
            record.content, media_type=None, headers={"Content-Type": record.content_type}
        )
    body = record.content or ""
    kind = content_type(path)
    if kind.startswith("text/html"):
        body = with_agent(body)
    return Response(body, media_type=None, headers={"Content-Type": kind})


@router.get("/preview/{app_id}")
@router.get("/preview/{app_id}/{path:path}")
async def preview(app_id: str, request: Request, path: str = "") -> Response:
    runtime = runtime_of(request)
    vendor_id: str | None
    if path.startswith(RESERVED_PREFIX):
        credential, _, path = path[len(RESERVED_PREFIX) :].partition("/")
        if not check_credential(runtime.secret_key, app_id, credential):
            raise invalid_link()
        vendor_id = None
        root = f"/preview/{app_id}/{RESERVED_PREFIX}{credential}/"
        version = credential_version(credential)
        if version is not None:
            return await _old_version_file(runtime, request, app_id, version, path)
    else:
        vendor = await vendor_for(runtime, token_from(request.headers, {}))
        vendor_id = vendor.id
        root = f"/preview/{app_id}/"
    return await app_file(runtime, request, vendor_id, app_id, path, root)


async def _old_version_file(
    runtime: Runtime, request: Request, app_id: str, version: str, path: str
) -> Response:
    """A file as an old version left it (a version link's credential names the version)."""
    _, files = await restore.files_at(runtime.workspace, None, app_id, version)
    requested = path
    if path == "" or path.endswith("/"):
        path += "index.html"
    if path not in files:
        if requested == path and f"{path}/index.html" in files:
            return with_slash(request.url.path, request.url.query)
        raise NotFound(f"No file {path!r} in that version.", code="file_not_found")
    kind = content_type(path)
    body = files[path]
    if isinstance(body, str) and kind.startswith("text/html"):
        body = with_agent(body)
    return Response(body, media_type=None, headers={"Content-Type": kind})
