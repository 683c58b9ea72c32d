"""Streaming a log to one WebSocket client: replay from the client's `seq`, then live, with
no gap and no duplicate at the seam.

The order of steps is what makes the seam exact: subscribe to the bus first, then replay
the log from the database, then deliver live events, skipping any the replay already sent
and filling any gap from the database. An event committed during the replay is therefore
either in the replay or in the subscription (or both, and then skipped once).

Each connection has its own bounded queue (the subscription) and its own sender (this
coroutine): a slow client only ever delays itself. One that falls `maxsize` events behind
is closed with CLOSE_LAGGING and resumes from the log when it reconnects; so is one whose
socket has taken nothing for `send_timeout` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from appwright import text
from appwright.errors import AppwrightError, InvalidInput
from appwright.events.bus import Bus, Closed, Overflow, Resync, Subscription
from appwright.store.logs import MAX_SEQ

log = logging.getLogger(__name__)

# Close codes (documented in the README): 4401 no or bad token; 4404 no such session or app
# (or another vendor's); 4400 a protocol error (the first frame was not a resume, or the
# URL was refused), after an error frame that says which; 4408 the client fell too far
# behind and must resume from its last seq.
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_PROTOCOL = 4400
CLOSE_LAGGING = 4408

ReadLog = Callable[[int], Awaitable[list[dict[str, Any]]]]
OnCommand = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]

RESUME_WAIT = 30.0
# A client's frames are small (a message is at most 20,000 characters); a bigger one is
# refused before it is parsed.
MAX_FRAME_CHARS = 256 * 1024


def error_frame(error: AppwrightError, **extra: Any) -> dict[str, Any]:
    """The one control frame that reports an error: `{"type": "error", "error": {code,
    message}}`, plus `extra` (e.g. the `client_msg_id` of the message it answers)."""
    payload = {"code": error.code, "message": text.repair(error.message)}
    return {"type": "error", "error": payload, **text.repair_tree(extra)}


async def receive_frame(websocket: WebSocket) -> dict[str, Any]:
    """The client's next frame, a JSON object held to the text rule. Raises
    WebSocketDisconnect when the client has gone, and InvalidInput (with the code of an
    error frame) for a frame that breaks the protocol: binary, too large, not a JSON
    object, nested too deep, or holding a lone surrogate or a NUL."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    data = message.get("text")
    if data is None:
        raise InvalidInput("Frames must be JSON text, not binary.", code="binary_frame")
    if len(data) > MAX_FRAME_CHARS:
        raise InvalidInput(
            f"Frames are limited to {MAX_FRAME_CHARS} characters.", code="frame_too_large"
        )
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidInput("Frames must be JSON objects.", code="invalid_frame") from None
    if not isinstance(frame, dict):
        raise InvalidInput("Frames must be JSON objects.", code="invalid_frame")
    try:
        text.check_tree(frame, "The frame", deep_code="invalid_frame")
    except InvalidInput as error:
        # A refused message still names itself, so the client knows which one it was.
        msg_id = frame.get("client_msg_id")
        if frame.get("type") == "message" and isinstance(msg_id, str) and not text.find(msg_id):
            error.data["client_msg_id"] = msg_id
        raise
    return frame


def resume_after(frame: dict[str, Any]) -> int:
    """The `after` of a resume frame (a negative one counts as 0)."""
    after = frame.get("after", 0)
    if frame.get("type") != "resume":
        raise InvalidInput('Send {"type": "resume", "after": N} first.', code="resume_required")
    if isinstance(after, bool) or not isinstance(after, int) or after > MAX_SEQ:
        raise InvalidInput(
            f"`after` must be a whole number of at most {MAX_SEQ}.", code="invalid_after"
        )
    return max(0, after)


async def first_resume(websocket: WebSocket) -> int | None:
    """The `after` of the client's opening resume frame, or None (and the socket closed,
    after an error frame when the client sent something else)."""
    try:
        async with asyncio.timeout(RESUME_WAIT):
            frame = await receive_frame(websocket)
        return resume_after(frame)
    except (TimeoutError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await websocket.close(CLOSE_PROTOCOL)
        return None
    except InvalidInput as error:
        with contextlib.suppress(Exception):
            await websocket.send_json(error_frame(error))
            await websocket.close(CLOSE_PROTOCOL)
        return None


async def stream_log(
    websocket: WebSocket,
    bus: Bus,
    log_name: str,
    read_log: ReadLog,
    after: int,
    on_command: OnCommand | None = None,
    *,
    queue_size: int = 2000,
    send_timeout: float = 10.0,
) -> None:
    """Serve one connection until the client goes away (or must be closed)."""
    async with bus.subscribe(log_name, maxsize=queue_size) as subscription:
        receiver = asyncio.create_task(
            _receive(websocket, on_command, subscription.close), name=f"ws-recv:{log_name}"
        )
        try:
            send = _sender(websocket, subscription, send_timeout)
            last = await _replay(send, read_log, after)
            while True:
                try:
                    event = await subscription.get()
                except Resync:
                    last = await _replay(send, read_log, last)
                    continue
                seq = event["seq"]
                if seq <= last:
                    continue
                if seq > last + 1:
                    last = await _replay(send, read_log, last)
                    if seq <= last:
                        continue
                await send(event)
                last = seq
        except (TimeoutError, Overflow):
            await _close_lagging(websocket)
        except (Closed, WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver


def _sender(
    websocket: WebSocket, subscription: Subscription, timeout: float
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """A send that gives up (TimeoutError) when the peer is not keeping up: when it has
    taken nothing for `timeout` seconds (its buffers are full: stalled or gone), or at once
    when its queue overflows meanwhile. Waiting longer would only grow our buffers. The
    overflow shortens the pending send's deadline instead of racing it with another task,
    so a send costs one timer, which matters with thousands of sockets."""
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Timeout] = []

    def give_up_now() -> None:
        for deadline in pending:
            deadline.reschedule(loop.time())

    subscription.on_overflow = give_up_now

    async def send(event: dict[str, Any]) -> None:
        async with asyncio.timeout(timeout) as deadline:
            pending.append(deadline)
            try:
                await websocket.send_json(event)
            finally:
                pending.remove(deadline)

    return send


async def _close_lagging(websocket: WebSocket) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(CLOSE_LAGGING, "fell behind; resume from your last seq")


async def _replay(
    send: Callable[[dict[str, Any]], Awaitable[None]], read_log: ReadLog, after: int
) -> int:
    last = after
    while True:
        events = await read_log(last)
        for event in events:
            await send(event)
            last = event["seq"]
        if not events:
            return last


async def _receive(
    websocket: WebSocket, on_command: OnCommand | None, on_gone: Callable[[], None]
) -> None:
    """Reads the client's frames; when the client goes away, ends the stream (`on_gone`)."""
    try:
        await _read_frames(websocket, on_command)
    finally:
        on_gone()


async def _read_frames(websocket: WebSocket, on_command: OnCommand | None) -> None:
    """Answers each frame; a frame that breaks the protocol gets an error frame and the
    stream goes on. A bug while answering is logged once and reported the same way."""
    while True:
        try:
            frame = await receive_frame(websocket)
        except WebSocketDisconnect:
            return
        except InvalidInput as error:
            echo = {k: v for k, v in error.data.items() if k == "client_msg_id"}
            await websocket.send_json(error_frame(error, **echo))
            continue
        if frame.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
            continue
        if on_command is None:
            unsupported = InvalidInput("This socket only streams events.", code="unsupported")
            await websocket.send_json(error_frame(unsupported))
            continue
        try:
            reply = await on_command(frame)
        except Exception:
            log.exception("a socket command failed")
            bug = AppwrightError("Something went wrong on our side.", code="internal_error")
            reply = error_frame(bug)
        if reply is not None:
            await websocket.send_json(reply)
