from __future__ import annotations

from fastapi import Depends, Request
from pydantic import BaseModel

from appwright.api.auth import require_admin, runtime_of
from appwright.api.boundary import api_router

router = api_router(prefix="/api/vendors", tags=["vendors"])


class VendorIn(BaseModel):
    name: str


@router.post("", status_code=201, dependencies=[Depends(require_admin)])
async def create_vendor(body: VendorIn, request: Request) -> dict[str, str]:
    vendor, token = await runtime_of(request).workspace.create_vendor(body.name)
    return {"id": vendor.id, "name": vendor.name, "token": token}
