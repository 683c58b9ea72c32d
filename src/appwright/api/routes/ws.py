"""The two WebSockets: a session's log (with messages and cancel) and an app's log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket

from appwright.api.auth import token_from, vendor_for
from appwright.api.live import (
    CLOSE_NOT_FOUND,
    CLOSE_UNAUTHORIZED,
    OnCommand,
    error_frame,
    first_resume,
    stream_log,
)
from appwright.errors import AppwrightError, InvalidInput, NotFound, Unauthorized
from appwright.log_names import app_log, session_log
from appwright.runtime import Runtime
from appwright.store.vendors import Vendor

router = APIRouter()


async def _serve(
    websocket: WebSocket,
    log_name: str,
    check_owner: Callable[[Runtime, Vendor], Awaitable[Any]],
    commands: Callable[[Runtime, Vendor], OnCommand] | None = None,
) -> None:
    """Accept, check the token and ownership (refusals close with a code a client can act
    on), wait for the resume frame, then stream `log_name`."""
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        vendor = await vendor_for(runtime, token_from(websocket.headers, websocket.query_params))
    except Unauthorized:
        await websocket.close(CLOSE_UNAUTHORIZED, "no or bad token")
        return
    try:
        await check_owner(runtime, vendor)
    except NotFound:
        await websocket.close(CLOSE_NOT_FOUND, "no such session or app")
        return
    after = await first_resume(websocket)
    if after is None:
        return

    async def read(since: int) -> list[dict[str, Any]]:
        return await runtime.journal.read(log_name, since, limit=500)

    await stream_log(
        websocket,
        runtime.bus,
        log_name,
        read,
        after,
        commands(runtime, vendor) if commands else None,
        queue_size=runtime.settings.ws_queue_size,
        send_timeout=runtime.settings.ws_send_timeout,
    )


def _session_commands(session_id: str) -> Callable[[Runtime, Vendor], OnCommand]:
    def bind(runtime: Runtime, vendor: Vendor) -> OnCommand:
        async def command(frame: dict[str, Any]) -> dict[str, Any] | None:
            kind = frame.get("type")
            try:
                if kind == "message":
                    run_id, created = await runtime.sessions.submit(
                        vendor.id, session_id, frame.get("text"), frame.get("client_msg_id")
                    )
                    return {
                        "type": "accepted",
                        "run_id": run_id,
                        "client_msg_id": frame.get("client_msg_id"),
                        "duplicate": not created,
                    }
                if kind == "cancel":
                    cancelled = await runtime.runs.cancel(vendor.id, session_id)
                    return {"type": "cancelling", "run_id": cancelled}
                if kind == "resume":
                    raise InvalidInput(
                        "This socket is already streaming; reconnect to resume again.",
                        code="already_resumed",
                    )
                raise InvalidInput(f"Unknown frame type {str(kind)[:40]!r}.", code="unknown_frame")
            except AppwrightError as error:
                if kind == "message":
                    return error_frame(error, client_msg_id=frame.get("client_msg_id"))
                return error_frame(error)

        return command

    return bind


@router.websocket("/api/sessions/{session_id}/ws")
async def session_socket(websocket: WebSocket, session_id: str) -> None:
    await _serve(
        websocket,
        session_log(session_id),
        lambda runtime, vendor: runtime.sessions.session(vendor.id, session_id),
        _session_commands(session_id),
    )


@router.websocket("/api/apps/{app_id}/ws")
async def app_socket(websocket: WebSocket, app_id: str) -> None:
    await _serve(
        websocket,
        app_log(app_id),
        lambda runtime, vendor: runtime.workspace.app(vendor.id, app_id),
    )
