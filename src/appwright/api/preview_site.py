"""The preview's own origin: every request `PreviewSites.target` calls a preview's is
answered here, and nothing else of the service is reachable there (no API, no workspace
page, no socket), so nothing the app's scripts do on that origin reaches the vendor's data.

Only a preview link's credential opens an app's files here, never the vendor's token: the
link's entry path (`<root>/.appwright/<cred>/<path>`) sets it as an HttpOnly cookie scoped
to that app's root, and sends the browser on to `<root><path>`. Every later request of the
app's pages, styles, scripts and fetches carries the cookie; the app's scripts cannot read
it, and it opens this one app only (its signature is over the app id).

The preview is on the workspace's site (`preview_origin.py` says why), so the cookie is
`SameSite=Lax`, sent from the workspace's iframe and from no other site's page; `Secure`
over https.
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from appwright.api.live import CLOSE_NOT_FOUND
from appwright.api.preview_links import check_credential, invalid_link
from appwright.api.preview_origin import PreviewSites, PreviewTarget
from appwright.api.preview_pages import error_answer, refused_page
from appwright.api.routes.preview import app_file
from appwright.errors import AppwrightError, NotFound
from appwright.files.validation import RESERVED_PREFIX
from appwright.runtime import Runtime

COOKIE = "appwright_preview"


def _sent(request: Request) -> list[str]:
    """Every credential cookie the request carries. Another app's scripts can set one for a
    parent domain (`Domain=appwright.localhost`), which browsers then send beside this app's
    own: any valid one opens the app, so that cannot lock the vendor out of a preview."""
    values = []
    for pair in request.headers.get("cookie", "").split(";"):
        name, _, value = pair.strip().partition("=")
        if name == COOKIE and value:
            values.append(value.strip('"'))
    return values[:8]


class _Route:
    """What the request record and metrics name these requests by (never the raw path)."""

    path = "(preview origin)"


class PreviewSite:
    """ASGI middleware: answers preview-origin requests itself, passes the rest on."""

    def __init__(self, app: ASGIApp, runtime: Runtime, sites: PreviewSites) -> None:
        self.app = app
        self.runtime = runtime
        self.sites = sites

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self.sites.target(scope)
        if target is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # No socket of the service is reachable from the preview's origin.
            await receive()
            await send({"type": "websocket.close", "code": CLOSE_NOT_FOUND})
            return
        scope["route"] = _Route
        request = Request(scope, receive)
        try:
            response = await self._answer(request, target)
        except AppwrightError as error:
            response = error_answer(request, error)
        await response(scope, receive, send)

    async def _answer(self, request: Request, target: PreviewTarget) -> Response:
        if request.method not in ("GET", "HEAD"):
            # A static host: the app's own forms may post, but nothing here takes a body.
            return Response("Method not allowed", status_code=405, headers={"Allow": "GET, HEAD"})
        app_id, rest = self._split(request.url.path, target)
        prefix = target.prefix(app_id)
        if rest.startswith(RESERVED_PREFIX):
            credential, _, after = rest[len(RESERVED_PREFIX) :].partition("/")
            return self._enter(request, app_id, credential, prefix, after)
        if not any(check_credential(self.runtime.secret_key, app_id, c) for c in _sent(request)):
            error = invalid_link()
            return error_answer(request, error, refused_page(error))
        return await app_file(self.runtime, request, None, app_id, rest, prefix + "/")

    def _split(self, path: str, target: PreviewTarget) -> tuple[str, str]:
        """(app id, the file path under the app's root) of a request's path."""
        if target.app_id is not None:
            return target.app_id, path[1:]
        # The second port: /preview/<app>/<path>; anything else here is no page.
        head, _, rest = path[1:].partition("/")
        app_id, slash, rest = rest.partition("/")
        if head != "preview" or not app_id:
            raise NotFound("There is no page here.", code="not_found")
        if not slash:
            # The app's root without its slash: the route below sends it to the folder.
            return app_id, ""
        return app_id, rest

    def _enter(
        self, request: Request, app_id: str, credential: str, prefix: str, after: str
    ) -> Response:
        expires_text = credential.partition(".")[0]
        if not check_credential(self.runtime.secret_key, app_id, credential):
            error = invalid_link()
            return error_answer(request, error, refused_page(error))
        query = request.url.query
        target = f"{prefix}/{after}" + (f"?{query}" if query else "")
        response: Response = RedirectResponse(target, status_code=303)
        max_age = max(0, int(expires_text) - int(time.time()))
        response.headers.append("Set-Cookie", self._cookie(request, credential, prefix, max_age))
        return response

    @staticmethod
    def _cookie(request: Request, credential: str, prefix: str, max_age: int) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE] = credential
        morsel = cookie[COOKIE]
        morsel["path"] = prefix + "/"
        morsel["max-age"] = max_age
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if request.url.scheme == "https":
            morsel["secure"] = True
        return morsel.OutputString()
