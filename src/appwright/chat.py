"""`appwright chat`: send a prompt to a running appwright and follow the run live.

The session socket can drop at any moment (the process serving it restarts, the network
blinks), and a `message` frame can be lost with the process it reached. So the command
reconnects whenever its socket drops, resumes from the last `seq` it saw, and sends its
message frame again, with the same `client_msg_id`, on every connection until it has seen the
`run.started` carrying that id; the server never starts a second run for a resent id.

Ctrl-C stops the run, not just the command: the run lives on the server and would otherwise go
on editing the app unwatched. The command asks the server to cancel it, follows it to its
`run.finished` and says what it kept (the versions it made before it stopped).

Every failure a person can cause or fix (the server is not running, the wrong token, an app
or session that does not exist) is an `AppwrightError` whose message says what to do.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from appwright.agent.retry import RetryPolicy
from appwright.chat_screen import Screen
from appwright.errors import AppwrightError

# Close codes after which reconnecting cannot help (README: live channel close codes).
REFUSED = {4401: "unauthorized", 4404: "not_found", 4400: "protocol_error"}
RECONNECT = RetryPolicy(retries=0, base=0.2, cap=2.0)
# How long a cancelled run may take to report its end before the command stops waiting.
CANCEL_WAIT = 20.0


@dataclass
class _Follower:
    """What one prompt's client knows: the last seq seen, and its run once `run.started`
    carrying its `client_msg_id` arrived."""

    client_msg_id: str
    last_seq: int
    screen: Screen
    run_id: str | None = None
    status: str | None = field(default=None)

    def on_frame(self, frame: dict[str, Any]) -> str | None:
        """Handle a frame; the run's final status once it ends."""
        if frame.get("type") == "error":
            raise AppwrightError(frame["error"]["message"], code=frame["error"]["code"])
        if "seq" not in frame or frame["seq"] <= self.last_seq:
            return None
        self.last_seq = frame["seq"]
        if frame["type"] == "run.started" and frame.get("client_msg_id") == self.client_msg_id:
            self.run_id = frame["run_id"]
        if self.run_id is None or frame.get("run_id") != self.run_id:
            return None
        self.screen.event(frame)
        if frame["type"] == "run.finished":
            self.status = str(frame["status"])
        return self.status


async def chat(
    base_url: str,
    token: str,
    app_id: str,
    prompt: str,
    session_id: str | None,
    out: TextIO = sys.stdout,
    *,
    give_up_after: float = 60.0,
) -> str:
    """Runs `prompt` in a session of `app_id`; returns the run's final status. Gives up when
    no connection could be made for `give_up_after` seconds."""
    base_url = base_url.rstrip("/")
    screen = Screen(out)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        if session_id is None:
            r = await _call(http, "POST", f"/api/apps/{app_id}/sessions", app_id=app_id)
            session_id = str(r.json()["id"])
            screen.line(f"session {session_id} (continue it with --session {session_id})")
        else:
            screen.line(f"session {session_id}")
        r = await _call(http, "GET", f"/api/sessions/{session_id}/events", session=session_id)
        events = r.json()["events"]
        follower = _Follower(uuid.uuid4().hex, events[-1]["seq"] if events else 0, screen)
        ws_url = base_url.replace("http", "ws", 1) + f"/api/sessions/{session_id}/ws?token={token}"
        message = {"type": "message", "text": prompt, "client_msg_id": follower.client_msg_id}
        try:
            return await _follow(ws_url, follower, message, base_url, give_up_after)
        except asyncio.CancelledError:
            # Ctrl-C (asyncio.run cancels this task): stop the run on the server too.
            await asyncio.shield(_cancel_run(http, ws_url, follower, session_id, base_url))
            raise


async def _cancel_run(
    http: httpx.AsyncClient, ws_url: str, follower: _Follower, session_id: str, base_url: str
) -> None:
    screen = follower.screen
    if follower.status is not None:
        return
    screen.line("stopping the run on the server… (Ctrl-C again to leave without waiting)")
    try:
        r = await _call(http, "POST", f"/api/sessions/{session_id}/cancel", session=session_id)
    except AppwrightError as error:
        screen.line(f"could not cancel the run: {error.message}")
        return
    follower.run_id = follower.run_id or r.json().get("run_id")
    if follower.run_id is None:
        screen.line("nothing was running: no files were changed")
        return
    try:
        async with asyncio.timeout(CANCEL_WAIT):
            await _follow(ws_url, follower, None, base_url, CANCEL_WAIT)
    except (TimeoutError, AppwrightError):
        screen.line(
            f"the run did not report its end in {CANCEL_WAIT:g} s; so far it "
            f"{screen.kept().replace('kept:', 'made')}"
        )


async def _follow(
    ws_url: str,
    follower: _Follower,
    message: dict[str, Any] | None,
    base_url: str,
    give_up_after: float,
) -> str:
    """Follows the session's log until the run ends; `message` is (re)sent on each
    connection until its `run.started` was seen."""
    connected_at = time.monotonic()
    failures = 0
    while True:
        try:
            async with connect(ws_url, max_size=2**24, open_timeout=10) as ws:
                connected_at = time.monotonic()
                failures = 0
                await ws.send(json.dumps({"type": "resume", "after": follower.last_seq}))
                if message is not None and follower.run_id is None:
                    await ws.send(json.dumps(message))
                async for raw in ws:
                    status = follower.on_frame(json.loads(raw))
                    if status is not None:
                        return status
            _refused(ws.close_code)
        except ConnectionClosed as closed:
            _refused(closed.rcvd.code if closed.rcvd else None)
        except (OSError, InvalidHandshake, TimeoutError):
            pass
        failures += 1
        if time.monotonic() - connected_at > give_up_after:
            raise AppwrightError(
                f"Lost the connection to {base_url} and could not reconnect for "
                f"{give_up_after:g} s; the run goes on on the server: follow it in the "
                "workspace, or check that appwright is still running.",
                code="disconnected",
            )
        await asyncio.sleep(RECONNECT.delay(min(failures, 8)))


def _refused(code: int | None) -> None:
    if code is not None and code in REFUSED:
        raise AppwrightError(
            f"The server refused the session's live channel (close code {code}); "
            "check the token and the session id.",
            code=REFUSED[code],
        )


async def _call(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    app_id: str | None = None,
    session: str | None = None,
) -> httpx.Response:
    """One API call; a refusal becomes an error that says what to do about it."""
    try:
        response = await http.request(method, path)
    except httpx.TransportError as failure:
        raise AppwrightError(
            f"Could not reach appwright at {http.base_url} ({type(failure).__name__}): start it "
            "with `scripts/serve` (or `appwright serve`), or pass its address with --url.",
            code="server_unreachable",
        ) from None
    if response.status_code < 400:
        return response
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "http_error", f"HTTP {response.status_code}"
    if response.status_code == 401:
        message = (
            "The server did not accept the token: pass a vendor's token with --token, or run "
            "the command where `scripts/serve` runs (its data dir holds the local vendor's)."
        )
    elif code == "app_not_found":
        message = (
            f"There is no app {app_id} for this vendor: `appwright app list` shows the apps' ids."
        )
    elif code == "session_not_found":
        message = (
            f"There is no session {session} in this app: leave out --session to start a new "
            "conversation."
        )
    raise AppwrightError(message, code=code)
