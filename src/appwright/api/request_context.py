"""Every HTTP request's context and record, and the one answer to a bug.

A request gets an id (its `X-Request-Id` when it sent a sensible one), set with the vendor
and app ids in the context variables that log lines carry, and echoed in the response. Its
latency and status are counted in /metrics by route template.

A pure ASGI middleware, outside the exception handlers, so an exception none of them
handled (a bug) reaches it. It is logged once, with the request id, route and traceback,
counted as a 500 of its route, and answered with the `internal_error` body that quotes the
request id. It is not raised further: the server would log it a second time and close the
connection, and a client whose connection was kept alive would lose its next request too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appwright.api.errors import internal_error
from appwright.ops import structured_logs as ctx
from appwright.ops.metrics import Metrics

log = logging.getLogger(__name__)

_SENSIBLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(scope: Scope) -> str:
    given = Headers(scope=scope).get("x-request-id") or ""
    return given if _SENSIBLE_ID.match(given) else uuid.uuid4().hex[:16]


def route_of(scope: Scope) -> str:
    """The matched route's template (`/api/apps/{app_id}`), never the raw path: ids in
    metric labels would make a series per app."""
    return getattr(scope.get("route"), "path", "unmatched")


def _record(scope: Scope, request_id: str, status: int) -> dict[str, object]:
    # The request id is on the record itself, not only in the context that formatters read,
    # so whichever handler formats the line later still has it.
    return {"route": route_of(scope), "status": status, "request_id": request_id}


class RequestContext:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        tokens = [ctx.request_id.set(request_id), ctx.vendor_id.set(None), ctx.app_id.set(None)]
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        began = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            log.exception("unhandled error", extra=_record(scope, request_id, status))
            if not started:
                await internal_error(request_id)(scope, receive, send_with_id)
        else:
            if status >= 500:
                log.error("request failed", extra=_record(scope, request_id, status))
        finally:
            route = route_of(scope)
            method = scope["method"]
            self.metrics.http_latency.labels(method, route).observe(time.perf_counter() - began)
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            for var, token in zip((ctx.request_id, ctx.vendor_id, ctx.app_id), tokens, strict=True):
                var.reset(token)
