"""Who may frame a response, and what a page may do, decided in one place for every
response (`SecurityHeaders`).

The workspace, its API and every other page may be framed by the workspace's own origin
only (`Content-Security-Policy: frame-ancestors 'self'`, and `X-Frame-Options: SAMEORIGIN`
for browsers that predate it): a framed workspace runs logged in, so another site could
lay it under its own page and steer the vendor's clicks.

The preview is the exception, in two forms:
- On its own origin (`PreviewSites.target`), the workspace frames it from another origin:
  `frame-ancestors` names the workspace's origins, and there is no `X-Frame-Options`
  (its SAMEORIGIN would refuse the workspace). The sandbox allows the same origin, so the
  app has storage, cookies and its own files, as on a real host; that origin is not the
  workspace's, so the app still cannot reach the workspace's token, storage or pages. The
  sandbox still keeps the app from navigating the workspace's window away.
- Under `/preview/` on the workspace's own origin: a sandbox without `allow-same-origin`,
  so the app's scripts run in an opaque origin and cannot reach the workspace's storage or
  the API whatever the app does.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appwright.api.preview_origin import PreviewSites

_ALLOWED = "allow-scripts allow-forms allow-popups allow-modals allow-downloads"
SANDBOX = f"sandbox {_ALLOWED}"
# What the workspace's iframe allows (its `sandbox` attribute says the same).
SANDBOX_OWN_ORIGIN = f"sandbox {_ALLOWED} allow-same-origin"

WORKSPACE_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}
PREVIEW_HEADERS = {
    "Content-Security-Policy": SANDBOX,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def is_preview(path: str) -> bool:
    return path == "/preview" or path.startswith("/preview/")


def headers_for(scope: Scope, sites: PreviewSites) -> dict[str, str]:
    if sites.target(scope) is not None:
        policy = f"{SANDBOX_OWN_ORIGIN}; frame-ancestors {sites.frame_ancestors(scope)}"
        return {**PREVIEW_HEADERS, "Content-Security-Policy": policy}
    return PREVIEW_HEADERS if is_preview(scope["path"]) else WORKSPACE_HEADERS


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets the headers of where it is served."""

    def __init__(self, app: ASGIApp, sites: PreviewSites) -> None:
        self.app = app
        self.sites = sites

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope, self.sites)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
