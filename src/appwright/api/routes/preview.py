"""The preview: an app's files as a browser loads them, sandboxed away from the workspace.

Every response carries `Content-Security-Policy: sandbox allow-scripts ...` without
`allow-same-origin` (set with the preview's other headers in `api/headers.py`), so the
app's scripts run in an opaque origin: they cannot read the workspace's storage or call
the API with the vendor's credentials, whatever the app does.
HTML pages get the preview agent (a small script talking to the workspace by postMessage)
so the workspace can hot-swap CSS and reload in place.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from appwright.api.auth import current_vendor, runtime_of, token_from, vendor_for
from appwright.api.boundary import api_router
from appwright.api.preview_links import (
    check_credential,
    credential_version,
    link_path,
    make_credential,
)
from appwright.errors import InvalidInput, NotFound, Unauthorized
from appwright.files import restore
from appwright.files.validation import RESERVED_PREFIX
from appwright.runtime import Runtime
from appwright.store.vendors import Vendor

router = api_router(tags=["preview"])

_AGENT = Path(__file__).resolve().parent.parent / "preview_agent.js"
_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".md": "text/markdown",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain",
}


@cache
def _agent_script() -> str:
    return _AGENT.read_text() if _AGENT.exists() else ""


def content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    kind = _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "text/plain"
    return f"{kind}; charset=utf-8"


def with_agent(html: str) -> str:
    agent = _agent_script()
    if not agent:
        return html
    tag = f"<script>{agent}</script>"
    index = html.lower().rfind("</body>")
    return html[:index] + tag + html[index:] if index >= 0 else html + tag


@router.get("/api/apps/{app_id}/preview", tags=["apps"])
async def preview_link(
    app_id: str,
    request: Request,
    version: str | None = Query(None, description="an old version to show, read-only"),
    vendor: Vendor = Depends(current_vendor),
):
    runtime = runtime_of(request)
    await runtime.workspace.app(vendor.id, app_id)
    if version is not None:
        await restore.files_at(runtime.workspace, vendor.id, app_id, version)  # 404: not its
    credential = make_credential(
        runtime.secret_key, app_id, runtime.settings.preview_link_ttl, version=version
    )
    return {"url": link_path(app_id, credential), "expires_in": runtime.settings.preview_link_ttl}


def _with_slash(request: Request) -> Response:
    """A folder asked for without its trailing slash: send the browser to the folder, as
    a static server does, so that the page's relative URLs resolve inside it."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{request.url.path}/{query}", status_code=307)


async def _is_folder(runtime: Runtime, vendor_id: str | None, app_id: str, path: str) -> bool:
    try:
        await runtime.workspace.file(vendor_id, app_id, f"{path}/index.html")
    except (NotFound, InvalidInput):
        return False
    return True


@router.get("/preview/{app_id}")
@router.get("/preview/{app_id}/{path:path}")
async def preview(app_id: str, request: Request, path: str = "") -> Response:
    runtime = runtime_of(request)
    vendor_id: str | None
    if path.startswith(RESERVED_PREFIX):
        credential, _, path = path[len(RESERVED_PREFIX) :].partition("/")
        if not check_credential(runtime.secret_key, app_id, credential):
            raise Unauthorized(
                "This preview link is not valid or has expired.", code="invalid_preview_link"
            )
        vendor_id = None
        version = credential_version(credential)
    else:
        vendor = await vendor_for(runtime, token_from(request.headers, {}))
        vendor_id = vendor.id
        version = None
    if path == "" and not request.url.path.endswith("/"):
        # The app's root without its slash: relative URLs would resolve outside the app.
        await runtime.workspace.app(vendor_id, app_id)
        return _with_slash(request)
    requested = path
    if path == "" or path.endswith("/"):
        path += "index.html"
    if version is not None:
        return await _old_version_file(runtime, app_id, version, path, requested, request)
    try:
        record = await runtime.workspace.file(vendor_id, app_id, path)
    except NotFound as missing:
        if missing.code == "app_not_found":
            raise
        if requested == path and await _is_folder(runtime, vendor_id, app_id, path):
            return _with_slash(request)
        raise NotFound(f"No file {path!r} in this app.", code="file_not_found") from None
    body = record.content or ""
    kind = content_type(path)
    if kind.startswith("text/html"):
        body = with_agent(body)
    return Response(body, media_type=None, headers={"Content-Type": kind})


async def _old_version_file(
    runtime: Runtime, app_id: str, version: str, path: str, requested: str, request: Request
) -> Response:
    """A file as an old version left it (a version link's credential names the version)."""
    _, files = await restore.files_at(runtime.workspace, None, app_id, version)
    if path not in files:
        if requested == path and f"{path}/index.html" in files:
            return _with_slash(request)
        raise NotFound(f"No file {path!r} in that version.", code="file_not_found")
    kind = content_type(path)
    body = with_agent(files[path]) if kind.startswith("text/html") else files[path]
    return Response(body, media_type=None, headers={"Content-Type": kind})
