"""The ASGI app: routers, error handlers, middleware, and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from appwright.api import errors
from appwright.api.boundary import UrlCheck
from appwright.api.headers import SecurityHeaders
from appwright.api.preview_origin import PreviewSites
from appwright.api.preview_site import PreviewSite
from appwright.api.request_context import RequestContext
from appwright.api.routes import (
    app_lifecycle,
    apps,
    ops,
    preview,
    remote,
    sessions,
    vendors,
    web,
    ws,
)
from appwright.config import Settings
from appwright.runtime import Runtime


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
    settings = runtime.settings
    sites = PreviewSites(
        settings.preview_url_template,
        settings.preview_port,
        settings.public_url,
        settings.local_name,
    )
    app.state.preview_sites = sites
    errors.install(app)
    # Outermost last: every response gets its headers, every request its id and record,
    # nothing reaches a route with a URL that breaks the text rule, and a request on the
    # preview's origin reaches the preview and nothing else.
    app.add_middleware(PreviewSite, runtime=runtime, sites=sites)
    app.add_middleware(UrlCheck)
    app.add_middleware(RequestContext, metrics=runtime.metrics)
    app.add_middleware(SecurityHeaders, sites=sites)

    app.include_router(ops.router)
    app.include_router(vendors.router)
    app.include_router(apps.router)
    app.include_router(app_lifecycle.router)
    app.include_router(preview.router)
    app.include_router(sessions.router)
    app.include_router(ws.router)
    app.include_router(remote.router)
    app.include_router(web.router)
    return app
