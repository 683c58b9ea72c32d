"""`appwright chat`: send a prompt to a running appwright and follow the run live.

The session socket can drop at any moment (the process serving it restarts, the network
blinks), and a `message` frame can be lost with the process it reached. So the command
reconnects whenever its socket drops, resumes from the last `seq` it saw, and sends its
message frame again, with the same `client_msg_id`, on every connection until it has seen the
`run.started` carrying that id; the server never starts a second run for a resent id.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from appwright.agent.retry import RetryPolicy
from appwright.errors import AppwrightError

# Close codes after which reconnecting cannot help (README: live channel close codes).
REFUSED = {4401: "unauthorized", 4404: "not_found", 4400: "protocol_error"}
RECONNECT = RetryPolicy(retries=0, base=0.2, cap=2.0)


def _render(event: dict[str, Any], out: TextIO) -> None:
    kind = event["type"]
    if kind == "text.delta":
        out.write(event["text"])
    elif kind == "turn.started" and event["turn"] > 1:
        out.write("\n")
    elif kind == "tool.started":
        out.write(f"\n  ▸ {event['name']} {json.dumps(event['input'])[:100]}\n")
    elif kind == "tool.finished":
        out.write(
            f"  {'✓' if event['status'] == 'ok' else '✗'} {event['summary']} "
            f"({event['duration_ms']} ms, {event['status']})\n"
        )
    elif kind == "model.retry":
        out.write(
            f"\n  … model call failed ({event['reason']}); retry {event['attempt']} "
            f"in {event['delay_ms']} ms\n"
        )
    elif kind == "run.resumed":
        out.write(
            f"\n  … the server working on this stopped; another resumed it at turn "
            f"{event['turn']} (text since that turn began is discarded)\n"
        )
    elif kind == "context.compacted":
        out.write(
            f"\n  … conversation condensed to fit the context window "
            f"({event['tokens_before']} → {event['tokens_after']} tokens)\n"
        )
    elif kind == "run.finished":
        out.write(f"\n\n[{event['status']}]")
        if event.get("error"):
            out.write(f" {event['error']['code']}: {event['error']['message']}")
        out.write(f"\n{usage_line(event.get('usage') or {})}\n")
    out.flush()


def usage_line(usage: dict[str, Any]) -> str:
    cost = usage.get("cost_usd")
    return (
        f"tokens: {usage.get('input_tokens', 0)} in, {usage.get('output_tokens', 0)} out, "
        f"{usage.get('cache_read_tokens', 0)} read from cache, "
        f"{usage.get('cache_write_tokens', 0)} written to cache; "
        f"cost: {'unknown' if cost is None else f'${cost:.4f}'}"
    )


@dataclass
class _Follower:
    """What one prompt's client knows: the last seq seen, and its run once `run.started`
    carrying its `client_msg_id` arrived."""

    client_msg_id: str
    last_seq: int
    run_id: str | None = None

    def on_frame(self, frame: dict[str, Any], out: TextIO) -> str | None:
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
        _render(frame, out)
        return str(frame["status"]) if frame["type"] == "run.finished" else None


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
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        if session_id is None:
            r = await http.post(f"/api/apps/{app_id}/sessions")
            _raise_for(r)
            session_id = r.json()["id"]
        r = await http.get(f"/api/sessions/{session_id}/events")
        _raise_for(r)
        after = r.json()["events"][-1]["seq"] if r.json()["events"] else 0
    ws_url = base_url.replace("http", "ws", 1) + f"/api/sessions/{session_id}/ws?token={token}"
    follower = _Follower(client_msg_id=uuid.uuid4().hex, last_seq=after)
    message = json.dumps(
        {"type": "message", "text": prompt, "client_msg_id": follower.client_msg_id}
    )
    connected_at = time.monotonic()
    failures = 0
    while True:
        try:
            async with connect(ws_url, max_size=2**24, open_timeout=10) as ws:
                connected_at = time.monotonic()
                failures = 0
                await ws.send(json.dumps({"type": "resume", "after": follower.last_seq}))
                if follower.run_id is None:
                    await ws.send(message)
                async for raw in ws:
                    status = follower.on_frame(json.loads(raw), out)
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
                f"{give_up_after:g} s; the run may still finish (appwright keeps it).",
                code="disconnected",
            )
        await asyncio.sleep(RECONNECT.delay(min(failures, 8)))


def _refused(code: int | None) -> None:
    if code is not None and code in REFUSED:
        raise AppwrightError(
            f"The server refused the session's live channel (close code {code}).",
            code=REFUSED[code],
        )


def _raise_for(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError):
            error = {"code": "http_error", "message": response.text[:200]}
        raise AppwrightError(error["message"], code=error["code"])
