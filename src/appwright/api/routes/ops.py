from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from appwright.api.auth import runtime_of
from appwright.api.boundary import api_router

router = api_router(tags=["ops"])


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    if not await runtime_of(request).db.answers():
        return JSONResponse({"status": "unhealthy", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(runtime_of(request).metrics.render(), media_type="text/plain; version=0.0.4")
