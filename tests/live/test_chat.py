"""`appwright chat` through a live channel that breaks: it reconnects, resumes from the last
seq it saw, and resends its message until the run it started shows up, never twice."""

from __future__ import annotations

import io
from typing import Any

from appwright.chat import chat
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool

SERVICE_RESTART = 1012


class LoseFirstMessage:
    """The first `message` frame reaches the process and is lost with it: the connection
    closes before the frame is handled."""

    def __init__(self) -> None:
        self.lost = 0

    def __call__(self, app: Any) -> Any:
        async def losing(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "websocket":
                return await app(scope, receive, send)

            async def receive_or_lose() -> dict[str, Any]:
                event = await receive()
                frame = event.get("text") or ""
                if not self.lost and event["type"] == "websocket.receive" and '"message"' in frame:
                    self.lost += 1
                    await send({"type": "websocket.close", "code": SERVICE_RESTART})
                    return {"type": "websocket.disconnect", "code": SERVICE_RESTART}
                return event

            await app(scope, receive_or_lose, send)

        return losing


class DropAfterEvents:
    """Every connection is closed after it has carried `count` events."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.drops = 0

    def __call__(self, app: Any) -> Any:
        async def dropping(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "websocket":
                return await app(scope, receive, send)
            sent = 0

            async def send_or_drop(event: dict[str, Any]) -> None:
                nonlocal sent
                if event["type"] == "websocket.send" and '"seq"' in (event.get("text") or ""):
                    if sent == self.count:
                        self.drops += 1
                        await send({"type": "websocket.close", "code": SERVICE_RESTART})
                        raise RuntimeError("dropped")
                    sent += 1
                await send(event)

            await app(scope, receive, send_or_drop)

        return dropping


def url(server: Any) -> str:
    return f"http://127.0.0.1:{server.port}"


def run_started(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "run.started"]


async def test_a_message_lost_with_its_connection_is_resent_and_runs_once(live) -> None:
    model = ScriptedModel([Turn([text("Only once.")])])
    lose = LoseFirstMessage()
    server = await live(model, wrap=lose)
    app_id = await server.app()
    out = io.StringIO()
    status = await chat(url(server), server.token, app_id, "hello", None, out)
    assert status == "completed"
    assert lose.lost == 1, "the first message frame was lost"
    assert out.getvalue().count("Only once.") == 1
    (session,) = (await server.http.get(f"/api/apps/{app_id}/sessions")).json()
    events = await server.log(f"/api/sessions/{session['id']}/events")
    assert len(run_started(events)) == 1
    assert len(model.requests) == 1


async def test_chat_resumes_after_its_socket_drops_and_shows_each_event_once(live) -> None:
    words = " ".join(f"w{i}" for i in range(40))
    model = ScriptedModel(
        [Turn([text("Reading."), tool("list_files")], delay=0.01), Turn([text(words)], delay=0.01)]
    )
    drops = DropAfterEvents(4)
    server = await live(model, wrap=drops)
    app_id = await server.app()
    out = io.StringIO()
    status = await chat(url(server), server.token, app_id, "talk", None, out)
    assert status == "completed"
    assert drops.drops >= 3, "the socket dropped several times during the run"
    shown = out.getvalue()
    assert shown.count("Reading.") == 1 and shown.count(words) == 1
    assert shown.count("list_files") == 1 and shown.count("[completed]") == 1
    (session,) = (await server.http.get(f"/api/apps/{app_id}/sessions")).json()
    assert len(run_started(await server.log(f"/api/sessions/{session['id']}/events"))) == 1
