"""Sessions, messages, cancel, and the session log over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from appwright.api.auth import current_vendor, runtime_of
from appwright.api.boundary import api_router
from appwright.events.log import MAX_SEQ
from appwright.events.types import RunUsage
from appwright.ops import logging as ctx
from appwright.store import session_search
from appwright.store import usage as usage_store
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
    session = await runtime_of(request).runner.create_session(vendor.id, app_id)
    return session.to_json()


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
    records = await runtime.runner.sessions(vendor.id, app_id)
    words = session_search.query_words(q or "")
    if words:
        ids = [s.id for s in records]
        found = await runtime.db.read(
            lambda conn: session_search.sessions_mentioning(conn, ids, words)
        )
        records = [s for s in records if s.id in found]
    totals = await runtime.db.read(lambda conn: usage_store.app_session_totals(conn, app_id))
    return [
        SessionSummary(
            **s.to_json(),
            title=s.title or None,
            usage=RunUsage(**totals[s.id].to_json()) if s.id in totals else None,
        )
        for s in records
    ]


@router.get("/api/sessions/{session_id}", response_model=SessionDetail)
async def get_session(session_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    """The session, with its model usage so far and how full the model's context window was
    at its latest request."""
    runtime = runtime_of(request)
    session = await runtime.runner.session(vendor.id, session_id)

    async def usage(conn: Any) -> tuple[usage_store.Totals, tuple[int, int] | None]:
        totals = await usage_store.session_totals(conn, session_id)
        return totals, await usage_store.latest_measure(conn, session_id)

    totals, measure = await runtime.db.read(usage)
    return SessionDetail(
        **session.to_json(),
        usage=RunUsage(**totals.to_json()),
        context=SessionContext(
            tokens=measure[0] if measure else None,
            window=runtime.settings.model_info.context_window,
        ),
    )


@router.post("/api/sessions/{session_id}/messages", status_code=202)
async def post_message(
    session_id: str, body: MessageIn, request: Request, vendor: Vendor = Depends(current_vendor)
):
    run_id, _created = await runtime_of(request).runner.submit(
        vendor.id, session_id, body.text, body.client_msg_id
    )
    return {"run_id": run_id}


@router.post("/api/sessions/{session_id}/cancel")
async def cancel(session_id: str, request: Request, vendor: Vendor = Depends(current_vendor)):
    run_id = await runtime_of(request).runner.cancel(vendor.id, session_id)
    return {"run_id": run_id, "cancelled": run_id is not None}


@router.get("/api/sessions/{session_id}/events")
async def session_events(
    session_id: str,
    request: Request,
    after: int = Query(0, ge=0, le=MAX_SEQ),
    vendor: Vendor = Depends(current_vendor),
):
    return {"events": await runtime_of(request).runner.session_events(vendor.id, session_id, after)}
