"""Our errors -> HTTP responses, in one place, and how they are documented in the OpenAPI
schema (`ERROR_RESPONSES`, given to every router).

Every error answers `{error: {code, message}}`. Anything unexpected is a 500 with a request
id to find it in the logs and no detail that could leak; it is answered, logged and counted
by the request middleware (`request_context.py`), which is the one place that sees it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import Scope

from appwright import text
from appwright.api.routes import web
from appwright.errors import AppwrightError, error_body, http_status

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every 4xx (and the 500 that a bug gives) has this body."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


# The answers any route may give besides its own: documented once, for every route.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("The request could not be read."),
    401: _documented("No token, or a token that is not valid."),
    404: _documented("No such app, session, file or version (or another vendor's)."),
    405: _documented("The method is not allowed here; `Allow` lists those that are."),
    409: _documented("A conflict: a run already active, nothing to undo, an edit conflict."),
    422: _documented("The input was refused; `error.code` says why."),
    500: _documented("A bug: the message carries the request id to quote."),
    503: _documented("The database (or another dependency) did not answer in time."),
}


def respond(
    code: str, message: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one way an error becomes a response. The message is repaired: it may quote
    input, and a response that cannot be encoded would turn a refusal into a 500."""
    return JSONResponse(error_body(code, text.repair(message)), status, headers=headers)


def error_response(error: AppwrightError) -> JSONResponse:
    """`{code, message}` plus whatever the error itself chooses to show (an edit conflict's
    current file, say)."""
    extra = {k: v for k, v in error.as_payload().items() if k not in ("code", "message")}
    if not extra:
        return respond(error.code, error.message, http_status(error))
    body = error_body(error.code, text.repair(error.message))
    body["error"].update(extra)
    return JSONResponse(body, http_status(error))


def internal_error(request_id: str | None) -> JSONResponse:
    message = f"Something went wrong on our side (request {request_id})."
    return respond("internal_error", message, 500)


def install(app: FastAPI) -> None:
    @app.exception_handler(AppwrightError)
    async def _ours(_request: Request, error: AppwrightError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "The request is invalid."
        return respond("invalid_request", message, 422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        status, headers = error.status_code, dict(error.headers or {})
        if status == 405:
            allowed = allowed_methods(app, request.scope)
            if not allowed:
                return respond("not_found", "No such route.", 404)
            headers["Allow"] = ", ".join(allowed)
        code = _HTTP_CODES.get(status, "http_error")
        message = error.detail if isinstance(error.detail, str) else "Request failed."
        return respond(code, message, status, headers)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route accepts at this path. The router reports only the first
    route whose path matched, and FastAPI makes one route per method. The workspace's
    catch-all page is left out: it refuses `/api/` and `/preview/` paths itself."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.router.routes):
        route = context.route
        if not isinstance(route, Route):
            continue
        if route.path == web.PAGE_ROUTE and not web.is_page(scope["path"]):
            continue
        match, _ = route.matches(scope)
        if match is not Match.NONE and route.methods:
            methods |= route.methods
    return sorted(methods)
