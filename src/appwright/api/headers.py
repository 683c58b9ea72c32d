"""Who may frame a response, decided in one place for every response (`SecurityHeaders`).

The workspace, its API and every other page may be framed by the workspace's own origin
only (`Content-Security-Policy: frame-ancestors 'self'`, and `X-Frame-Options: SAMEORIGIN`
for browsers that predate it): a framed workspace runs logged in, so another site could
lay it under its own page and steer the vendor's clicks.

The preview is the exception. The workspace frames it, and it carries its own policy: a
sandbox without `allow-same-origin`, so the app's scripts run in an opaque origin and
cannot reach the workspace's storage or the API whatever the app does. Which paths are the
preview is decided by `is_preview` alone, so moving the preview to its own origin changes
that function and nothing else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"

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


def headers_for(path: str) -> dict[str, str]:
    return PREVIEW_HEADERS if is_preview(path) else WORKSPACE_HEADERS


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets the headers of its path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
