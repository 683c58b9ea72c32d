"""Sessions, messages, cancel, and the session log over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from appwright.api.auth import current_vendor, runtime_of
from appwright.api.boundary import api_router
from appwright.api.responses import session_json
from appwright.events.mapping import run_usage
from appwright.events.types import RunUsage
from appwright.ops import structured_logs as ctx
from appwright.store.logs import MAX_SEQ
from appwright.store.vendors import Vendor

router = api_router(tags=["sessions"])


class MessageIn(BaseModel):
    text: Any = None
    client_msg_id: str | None = None


class SessionContext(BaseModel):
    tokens: int | None  # the provider's count of the session's latest request (None: none yet)
    window: int  # the model's context window


class SessionSummary(BaseModel):
    """A session as the app's list of conversations shows it."""

    id: str
    app_id: str
    created_at: str
    title: str | None  # the first message, on one line (None: no message yet)
    usage: RunUsage | None  # every model call of the session (None: none yet)


class SessionDetail(BaseModel):
    id: str
    app_id: str
    created_at: str
    usage: RunUsage  # every model call of every run of the session
    context: SessionContext


@router.post("/api/apps/{app_id}/sessions", status_code=201)
async def create_session(app_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    ctx.app_id.set(app_id)
    session = await runtime_of(request).sessions.create_session(vendor.id, app_id)
    return session_json(session)


@router.get("/api/apps/{app_id}/sessions", response_model=list[SessionSummary])
async def list_sessions(
    app_id: str,
    request: Request,
    q: str | None = Query(
        None,
        max_length=500,
        description="only sessions whose messages or answers hold every word (any case)",
    ),
    vendor: Vendor = Depends(current_vendor),
):
    """The app's sessions, newest first, each with its title and model usage; with `q`,
    those that mention every word of it."""
    ctx.app_id.set(app_id)
    runtime = runtime_of(request)
    records = await runtime.sessions.sessions(vendor.id, app_id, q)
    totals = await runtime.sessions.usage_by_session(vendor.id, app_id)
    return [
        SessionSummary(
            **session_json(s),
            title=s.title or None,
            usage=run_usage(totals[s.id].usage, totals[s.id].cost_usd) if s.id in totals else None,
        )
        for s in records
    ]


@router.get("/api/sessions/{session_id}", response_model=SessionDetail)
async def get_session(session_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    """The session, with its model usage so far and how full the model's context window was
    at its latest request."""
    runtime = runtime_of(request)
    session = await runtime.sessions.session(vendor.id, session_id)
    totals, measure = await runtime.sessions.usage(vendor.id, session_id)
    return SessionDetail(
        **session_json(session),
        usage=run_usage(totals.usage, totals.cost_usd),
        context=SessionContext(
            tokens=measure[0] if measure else None,
            window=runtime.settings.model_info.context_window,
        ),
    )


@router.post("/api/sessions/{session_id}/messages", status_code=202)
async def post_message(
    session_id: str, body: MessageIn, request: Request, vendor: Vendor = Depends(current_vendor)
):
    run_id, _created = await runtime_of(request).sessions.submit(
        vendor.id, session_id, body.text, body.client_msg_id
    )
    return {"run_id": run_id}


@router.post("/api/sessions/{session_id}/cancel")
async def cancel(session_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    run_id = await runtime_of(request).runs.cancel(vendor.id, session_id)
    return {"run_id": run_id, "cancelled": run_id is not None}


@router.get("/api/sessions/{session_id}/events")
async def session_events(
    session_id: str,
    request: Request,
    after: int = Query(0, ge=0, le=MAX_SEQ),
    vendor: Vendor = Depends(current_vendor),
):
    events = await runtime_of(request).sessions.session_events(vendor.id, session_id, after)
    return {"events": events}
