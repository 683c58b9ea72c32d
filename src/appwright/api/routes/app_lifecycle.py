"""Apps from the page: create one from a git URL, rename, delete and restore (for a while).

A deleted app answers 404 on every route, as a missing one does, until it is restored;
`GET /api/deleted-apps` lists those that still can be, each with `restore_until`.
"""

from __future__ import annotations

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from appwright.api.auth import current_vendor, runtime_of
from appwright.api.boundary import api_router
from appwright.ops import structured_logs as ctx
from appwright.store.vendors import Vendor
from appwright.workspace import lifecycle

router = api_router(tags=["apps"])


class AppOut(BaseModel):
    id: str
    name: str
    created_at: str
    version_count: int
    total_bytes: int


class DeletedApp(AppOut):
    deleted_at: str
    restore_until: str  # after this moment the app is purged and cannot be restored


class FromGitIn(BaseModel):
    name: str
    url: str = Field(description="An https:// git URL (public hosts only).")
    branch: str | None = Field(default=None, description="Defaults to `main`.")
    token: str | None = Field(default=None, description="For a private repository; never stored.")


class RenameAppIn(BaseModel):
    name: str


@router.post("/api/apps/from-git", status_code=201, response_model=AppOut)
async def create_from_git(
    body: FromGitIn, request: Request, vendor: Vendor = Depends(current_vendor)
):
    """An app made from the files at the tip of a git repository's branch. An unreachable,
    private-network or malformed URL, a missing branch or a refused token is a 4xx in words,
    and no app is made."""
    app = await lifecycle.create_from_git(
        runtime_of(request), vendor.id, body.name, body.url, body.branch, body.token
    )
    return app.to_json()


@router.patch("/api/apps/{app_id}", response_model=AppOut)
async def rename_app(
    app_id: str, body: RenameAppIn, request: Request, vendor: Vendor = Depends(current_vendor)
):
    ctx.app_id.set(app_id)
    return (await lifecycle.rename(runtime_of(request), vendor.id, app_id, body.name)).to_json()


@router.delete("/api/apps/{app_id}", response_model=DeletedApp)
async def delete_app(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    """The app answers 404 from now on and its runs are cancelled; it can be restored until
    `restore_until`, and is purged after."""
    ctx.app_id.set(app_id)
    return await lifecycle.delete(runtime_of(request), vendor.id, app_id)


@router.get("/api/deleted-apps", response_model=list[DeletedApp])
async def deleted_apps(request: Request, vendor: Vendor = Depends(current_vendor)):
    """The caller's deleted apps that can still be restored, newest first."""
    return await lifecycle.deleted(runtime_of(request), vendor.id)


@router.post("/api/deleted-apps/{app_id}/restore", response_model=AppOut)
async def restore_app(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    """The app back as it was; 404 once its restore window has passed (or for another
    vendor's app)."""
    ctx.app_id.set(app_id)
    return (await lifecycle.restore(runtime_of(request), vendor.id, app_id)).to_json()
