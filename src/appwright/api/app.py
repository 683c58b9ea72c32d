"""The ASGI app: routers, error handlers, request context, and the runtime's lifecycle."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from appwright.api import errors
from appwright.api.routes import apps, ops, preview, remote, sessions, vendors, web, ws
from appwright.config import Settings
from appwright.ops import logging as ctx
from appwright.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The service. Pass `runtime` to share one the caller starts and stops itself."""
    owned = runtime is None
    runtime = runtime or Runtime(settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if owned:
            await runtime.start()
        try:
            yield
        finally:
            if owned:
                await runtime.stop()

    app = FastAPI(title="appwright", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    errors.install(app)

    @app.middleware("http")
    async def request_context(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        tokens = [ctx.request_id.set(request_id), ctx.vendor_id.set(None), ctx.app_id.set(None)]
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            route = request.scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            runtime.metrics.http_latency.labels(request.method, template).observe(elapsed)
        runtime.metrics.http_requests.labels(request.method, template, response.status_code).inc()
        response.headers["X-Request-Id"] = request_id
        if response.status_code >= 500:
            log.error("request failed", extra={"route": template, "status": response.status_code})
        for var, token in zip((ctx.request_id, ctx.vendor_id, ctx.app_id), tokens, strict=True):
            var.reset(token)
        return response

    app.include_router(ops.router)
    app.include_router(vendors.router)
    app.include_router(apps.router)
    app.include_router(preview.router)
    app.include_router(sessions.router)
    app.include_router(ws.router)
    app.include_router(remote.router)
    app.include_router(web.router)
    return app
