"""`appwright chat`: send a prompt to a running appwright and follow the run live."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import connect

from appwright.errors import AppwrightError


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


async def chat(
    base_url: str,
    token: str,
    app_id: str,
    prompt: str,
    session_id: str | None,
    out: TextIO = sys.stdout,
) -> str:
    """Runs `prompt` in a session of `app_id`; returns the run's final status."""
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
        async with connect(ws_url, max_size=2**24) as ws:
            await ws.send(json.dumps({"type": "resume", "after": after}))
            client_msg_id = uuid.uuid4().hex
            await ws.send(
                json.dumps({"type": "message", "text": prompt, "client_msg_id": client_msg_id})
            )
            run_id = None
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "accepted":
                    run_id = frame["run_id"]
                elif frame.get("type") == "error":
                    raise AppwrightError(frame["error"]["message"], code=frame["error"]["code"])
                elif "seq" in frame and frame.get("run_id") == run_id:
                    _render(frame, out)
                    if frame["type"] == "run.finished":
                        return str(frame["status"])
    raise AppwrightError("The connection closed before the run finished.", code="disconnected")


def _raise_for(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError):
            error = {"code": "http_error", "message": response.text[:200]}
        raise AppwrightError(error["message"], code=error["code"])
