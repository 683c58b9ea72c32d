"""An app's git remote and its pushes over HTTP.

The token goes in and never comes out: responses show `has_token`, and nothing here logs
a request body. Another vendor's app answers 404 exactly like a missing one, before the
body is looked at, so a probe learns nothing about remotes of apps it cannot see.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel

from appwright.api.auth import current_vendor, runtime_of
from appwright.api.boundary import api_router
from appwright.errors import NotFound
from appwright.git.remotes import RemoteService
from appwright.ops import structured_logs as ctx
from appwright.store.vendors import Vendor

router = api_router(prefix="/api/apps", tags=["git"])


class RemoteIn(BaseModel):
    url: str
    token: str | None = None
    branch: str | None = None


async def _remotes(request: Request, vendor: Vendor, app_id: str) -> RemoteService:
    ctx.app_id.set(app_id)
    runtime = runtime_of(request)
    await runtime.workspace.app(vendor.id, app_id)  # 404 for missing and for not theirs
    return runtime.git_remotes


def _no_remote() -> NotFound:
    return NotFound("This app has no git remote.", code="remote_not_found")


@router.put("/{app_id}/remote")
async def set_remote(
    app_id: str, body: RemoteIn, request: Request, vendor: Vendor = Depends(current_vendor)
) -> dict[str, Any]:
    remotes = await _remotes(request, vendor, app_id)
    record = await remotes.set_remote(
        app_id,
        body.url,
        branch=body.branch,  # None: `main`
        token=body.token,
        # No `token` at all keeps the current one (for the same URL), so a client that
        # never saw the token can still change the branch; `"token": null` removes it.
        keep_token="token" not in body.model_fields_set,
    )
    return record.to_json()


@router.get("/{app_id}/remote")
async def get_remote(
    app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)
) -> dict[str, Any]:
    record = await (await _remotes(request, vendor, app_id)).remote(app_id)
    if record is None:
        raise _no_remote()
    return record.to_json()


@router.delete("/{app_id}/remote", status_code=204)
async def delete_remote(
    app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)
) -> Response:
    if not await (await _remotes(request, vendor, app_id)).delete_remote(app_id):
        raise _no_remote()
    return Response(status_code=204)


@router.post("/{app_id}/push")
async def push_now(
    app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)
) -> dict[str, Any]:
    return await (await _remotes(request, vendor, app_id)).push_now(app_id)
