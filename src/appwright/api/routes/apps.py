"""Apps, their files, versions, undo/redo and the app log over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from appwright.api.auth import current_vendor, runtime_of
from appwright.api.boundary import api_router
from appwright.config import Settings
from appwright.errors import InvalidInput
from appwright.ops import structured_logs as ctx
from appwright.store.logs import MAX_SEQ
from appwright.store.vendors import Vendor
from appwright.store.versions import Written
from appwright.workspace import moves, restore

router = api_router(prefix="/api/apps", tags=["apps"])
MAX_VERSIONS_PAGE = 500


class AppIn(BaseModel):
    name: str
    files: dict[str, Any] = Field(default_factory=dict)


class FileIn(BaseModel):
    content: Any = None
    base64: Any = None
    base_version: str | None = Field(
        default=None,
        description="The version the edit started from: a file changed since answers 409 "
        "`edit_conflict` with `error.current`, and nothing is saved.",
    )


class RenameIn(BaseModel):
    to: str = Field(description="The file's new path.")


class RevertIn(BaseModel):
    paths: list[str] | None = None
    files: dict[str, Any] | None = None
    base_version: str | None = Field(
        default=None,
        description="The version the client's `files` were computed from: a file changed "
        "since answers 409 `edit_conflict`, and nothing is saved.",
    )


def _written(written: Written) -> dict[str, Any]:
    return written.version.to_json()


@router.post("", status_code=201)
async def create_app(body: AppIn, request: Request, vendor: Vendor = Depends(current_vendor)):
    app = await runtime_of(request).workspace.create_app(vendor.id, body.name, body.files)
    return app.to_json()


@router.post(
    "/import",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_app(
    request: Request,
    name: str = Query(..., description="the new app's name"),
    vendor: Vendor = Depends(current_vendor),
):
    """An app made from a zip archive's files; `skipped` lists what was left out and why."""
    runtime = runtime_of(request)
    data = await _body_within(request, _archive_cap(runtime.settings))
    app, skipped = await runtime.workspace.import_archive(vendor.id, name, data)
    return {**app.to_json(), "skipped": [{"path": p, "reason": why} for p, why in skipped]}


def _archive_cap(settings: Settings) -> int:
    # An archive of an app at its limit, plus room for the archive's own headers.
    return settings.max_app_bytes + settings.max_app_files * 1024 + 64 * 1024


async def _body_within(request: Request, cap: int) -> bytes:
    """The request body, read no further than `cap` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise InvalidInput(
            f"The archive is {declared} bytes; at most {cap} bytes are accepted.",
            code="archive_too_large",
            limit=cap,
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise InvalidInput(
                f"The archive is over {cap} bytes, the most accepted.",
                code="archive_too_large",
                limit=cap,
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("")
async def list_apps(request: Request, vendor: Vendor = Depends(current_vendor)):
    return [a.to_json() for a in await runtime_of(request).workspace.apps(vendor.id)]


@router.get("/{app_id}")
async def get_app(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    ctx.app_id.set(app_id)
    return (await runtime_of(request).workspace.app(vendor.id, app_id)).to_json()


@router.get("/{app_id}/files")
async def list_files(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    ctx.app_id.set(app_id)
    return [f.to_json() for f in await runtime_of(request).workspace.files(vendor.id, app_id)]


@router.get("/{app_id}/files/{path:path}")
async def read_file(
    app_id: str, path: str, request: Request, vendor: Vendor = Depends(current_vendor)
):
    ctx.app_id.set(app_id)
    record = await runtime_of(request).workspace.file(vendor.id, app_id, path)
    return record.to_json(with_content=True)


@router.put("/{app_id}/files/{path:path}")
async def write_file(
    app_id: str,
    path: str,
    body: FileIn,
    request: Request,
    vendor: Vendor = Depends(current_vendor),
):
    """200 with the file; `version` is the new version, or null when nothing changed."""
    ctx.app_id.set(app_id)
    if (body.content is None) == (body.base64 is None):
        raise InvalidInput(
            "Either `content` (text) or `base64` (a binary file) is required.",
            code="content_required",
        )
    value = body.content if body.base64 is None else {"base64": body.base64}
    workspace = runtime_of(request).workspace
    written = await workspace.write(
        vendor.id, app_id, {path: value}, source="manual", base_version=body.base_version
    )
    record = await workspace.file(vendor.id, app_id, path)
    result = record.to_json()
    result["version"] = written.version.to_json() if written else None
    return result


@router.post("/{app_id}/files/{path:path}/rename")
async def rename_file(
    app_id: str,
    path: str,
    body: RenameIn,
    request: Request,
    vendor: Vendor = Depends(current_vendor),
):
    """Moves a file to `to` as one version (one undo takes it back); 409 `file_exists` when
    `to` is taken. Answers the file at its new path and the version made."""
    ctx.app_id.set(app_id)
    workspace = runtime_of(request).workspace
    written = await moves.rename_file(workspace, vendor.id, app_id, path, body.to)
    record = await workspace.file(vendor.id, app_id, body.to)
    result = record.to_json()
    result["from"] = path
    result["version"] = written.version.to_json() if written else None
    return result


@router.delete("/{app_id}/files/{path:path}")
async def delete_file(
    app_id: str, path: str, request: Request, vendor: Vendor = Depends(current_vendor)
):
    ctx.app_id.set(app_id)
    workspace = runtime_of(request).workspace
    record = await workspace.file(vendor.id, app_id, path)  # 404 for a missing file
    written = await workspace.write(vendor.id, app_id, {record.path: None}, source="manual")
    return {
        "path": record.path,
        "deleted": True,
        "version": written.version.to_json() if written else None,
    }


@router.get("/{app_id}/versions")
async def list_versions(
    app_id: str,
    request: Request,
    response: Response,
    limit: int = Query(MAX_VERSIONS_PAGE, ge=1, le=MAX_VERSIONS_PAGE),
    before: str | None = Query(None, description="a version id: the page starts below it"),
    vendor: Vendor = Depends(current_vendor),
):
    """Newest first, `limit` at a time. A page that is not the last has a `Link` header
    (rel="next") to the next one."""
    ctx.app_id.set(app_id)
    workspace = runtime_of(request).workspace
    page = await workspace.versions(vendor.id, app_id, limit=limit + 1, before=before)
    if len(page) > limit:
        page = page[:limit]
        query = urlencode({"limit": limit, "before": page[-1].id})
        response.headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return [v.to_json() for v in page]


@router.get("/{app_id}/versions/{version_id}/diff")
async def version_diff(
    app_id: str, version_id: str, request: Request, vendor: Vendor = Depends(current_vendor)
):
    ctx.app_id.set(app_id)
    return await runtime_of(request).workspace.version_diff(vendor.id, app_id, version_id)


@router.post(
    "/{app_id}/versions/{version_id}/revert",
    responses={201: {"description": "A version was made"}},
)
async def revert_version(
    app_id: str,
    version_id: str,
    request: Request,
    response: Response,
    body: RevertIn | None = None,
    vendor: Vendor = Depends(current_vendor),
):
    ctx.app_id.set(app_id)
    body = body or RevertIn()
    written = await runtime_of(request).workspace.revert(
        vendor.id,
        app_id,
        version_id,
        paths=body.paths,
        files=body.files,
        base_version=body.base_version,
    )
    if written is None:
        return {"version": None}
    response.status_code = 201
    return {"version": _written(written)}


@router.post(
    "/{app_id}/versions/{version_id}/restore",
    responses={201: {"description": "A version was made"}},
)
async def restore_version(
    app_id: str,
    version_id: str,
    request: Request,
    response: Response,
    vendor: Vendor = Depends(current_vendor),
):
    """Makes the files what they were right after the version, as one new version (one undo
    takes it back); `{"version": null}` when they are so already."""
    ctx.app_id.set(app_id)
    workspace = runtime_of(request).workspace
    written = await restore.restore_version(workspace, vendor.id, app_id, version_id)
    if written is None:
        return {"version": None}
    response.status_code = 201
    return {"version": _written(written)}


@router.post("/{app_id}/versions/{version_id}/accept")
async def accept_version(
    app_id: str, version_id: str, request: Request, vendor: Vendor = Depends(current_vendor)
):
    """Marks the version accepted in review (stored: every tab and every reload shows it);
    the version, with its `accepted_at`."""
    ctx.app_id.set(app_id)
    return (await runtime_of(request).workspace.accept(vendor.id, app_id, version_id)).to_json()


@router.post("/{app_id}/undo")
async def undo(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    ctx.app_id.set(app_id)
    return _written(await runtime_of(request).workspace.undo(vendor.id, app_id))


@router.post("/{app_id}/redo")
async def redo(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    ctx.app_id.set(app_id)
    return _written(await runtime_of(request).workspace.redo(vendor.id, app_id))


@router.get("/{app_id}/events")
async def app_events(
    app_id: str,
    request: Request,
    after: int = Query(0, ge=0, le=MAX_SEQ),
    vendor: Vendor = Depends(current_vendor),
):
    ctx.app_id.set(app_id)
    return {"events": await runtime_of(request).workspace.app_events(vendor.id, app_id, after)}
