"""Our errors -> HTTP responses, in one place. Anything unexpected is a 500 with a request id
to find it in the logs, and no detail that could leak."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from appwright.errors import AppwrightError, error_body, http_status
from appwright.ops import logging as ctx

log = logging.getLogger(__name__)

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}


def install(app: FastAPI) -> None:
    @app.exception_handler(AppwrightError)
    async def _ours(_request: Request, error: AppwrightError) -> JSONResponse:
        return JSONResponse(error_body(error.code, error.message), status_code=http_status(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "The request is invalid."
        return JSONResponse(error_body("invalid_request", message), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        message = error.detail if isinstance(error.detail, str) else "Request failed."
        return JSONResponse(error_body(code, message), status_code=error.status_code)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error")
        message = f"Something went wrong on our side (request {ctx.request_id.get()})."
        return JSONResponse(error_body("internal_error", message), status_code=500)
