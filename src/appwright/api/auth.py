"""Who is calling: a vendor (bearer token or `?token=`) or the admin.

A preview link's credential is not a token: it is accepted only by the preview route, so
every `/api/` route refuses it like any other unknown token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping

from fastapi import Request

from appwright.errors import Unauthorized
from appwright.ops import structured_logs as ctx
from appwright.runtime import Runtime
from appwright.store.vendors import Vendor

log = logging.getLogger(__name__)


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


def token_from(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    return query.get("token") or None


async def vendor_for(runtime: Runtime, token: str | None) -> Vendor:
    if not token:
        raise Unauthorized(
            "A token is required: send `Authorization: Bearer <token>`.", code="missing_token"
        )
    vendor = await runtime.workspace.vendor_for_token(token)
    if vendor is None:
        # Never the token itself, not even a part of it: the line says only that one was refused.
        log.info("refused a token that is no vendor's", extra={"reason": "invalid_token"})
        raise Unauthorized("That token is not valid.", code="invalid_token")
    ctx.vendor_id.set(vendor.id)
    return vendor


async def current_vendor(request: Request) -> Vendor:
    return await vendor_for(runtime_of(request), token_from(request.headers, request.query_params))


async def require_admin(request: Request) -> None:
    token = token_from(request.headers, request.query_params)
    if not token:
        raise Unauthorized("The admin token is required.", code="missing_token")
    if not hmac.compare_digest(token.encode(), runtime_of(request).admin_token.encode()):
        log.warning("refused a wrong admin token", extra={"reason": "invalid_token"})
        raise Unauthorized("That is not the admin token.", code="invalid_token")
