"""Where text enters over HTTP, held to the text rule (`appwright.text`) once, before any
route sees it.

- The URL of every request and socket (`UrlCheck`). The server decodes %-escapes in the
  path with replacement, so two different byte sequences that are not UTF-8 would reach a
  route as the same name made of U+FFFD. The raw path is decoded strictly here instead,
  and refused when it is not UTF-8 (`path_invalid_utf8`) or holds a NUL
  (`path_control_char`; no id or name we keep contains one, and PostgreSQL cannot even
  compare with it). The query string is held to the same rule (`invalid_text`).
- Every JSON body (`CheckedRoute`, the route class of every router made by `api_router`):
  parsed once and refused with `invalid_text` when a string anywhere in it (keys included)
  holds a lone surrogate or a NUL, or with `invalid_json` when it is nested absurdly deep.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from appwright import text
from appwright.api.errors import ERROR_RESPONSES, error_response
from appwright.api.live import CLOSE_PROTOCOL, error_frame
from appwright.errors import InvalidInput


def url_problem(scope: Scope) -> InvalidInput | None:
    """Why this request's URL is refused, or None."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    try:
        path = unquote_to_bytes(raw.split(b"?", 1)[0]).decode("utf-8")
    except UnicodeDecodeError:
        return InvalidInput(
            "The URL path is not valid UTF-8 once its %-escapes are decoded.",
            code="path_invalid_utf8",
        )
    if "\x00" in path:
        return InvalidInput("The URL path contains a NUL character.", code="path_control_char")
    query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
    try:
        text.check(query.decode("utf-8"), "The query string")
    except UnicodeDecodeError:
        return InvalidInput("The query string is not valid UTF-8.", code="invalid_text")
    except InvalidInput as error:
        return error
    return None


class UrlCheck:
    """ASGI middleware: refuses a request or socket whose URL breaks the text rule."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = url_problem(scope) if scope["type"] in ("http", "websocket") else None
        if problem is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await error_response(problem)(scope, receive, send)
        else:
            # Accepted only to say why: a refused handshake reaches a browser with no reason.
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(error_frame(problem))})
            await send({"type": "websocket.close", "code": CLOSE_PROTOCOL})


def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI will parse a body of this type as JSON (with its strict default,
    a body without a content type is not)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def check_json_body(request: Request) -> None:
    """Parse the JSON body and hold it to the text rule. A body that is not JSON at all is
    left to FastAPI, which refuses it as an invalid request."""
    if not _is_json(request.headers.get("content-type")):
        return
    body = await request.body()
    if not body:
        return
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        return
    except (ValueError, RecursionError):
        raise InvalidInput("The request body is not valid JSON.", code="invalid_json") from None
    text.check_tree(parsed, "The request body")
    # Starlette keeps the parsed body here, so FastAPI does not parse it a second time.
    request._json = parsed


class CheckedRoute(APIRoute):
    """An API route whose JSON body is checked before anything else reads it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            await check_json_body(request)
            return await handler(request)

        return checked


def api_router(**kwargs: Any) -> APIRouter:
    """A router whose routes check their bodies and document the error answers."""
    return APIRouter(route_class=CheckedRoute, responses=dict(ERROR_RESPONSES), **kwargs)
