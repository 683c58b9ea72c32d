"""Every WebSocket protocol error is an error frame (and, before the resume, a close with
4400), never a dropped socket or a traceback: bad `after`, binary, oversized and deeply
nested frames, lone surrogates and NUL, on both sockets, against a real server."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings

from appwright import text as text_rule
from appwright.api.live import MAX_FRAME_CHARS
from appwright.testing.scripted_model import ScriptedModel, Turn, text
from hostile import hostile_json, hostile_text

# What a client might send as its first frame, and the code of the error frame it gets.
BAD_OPENINGS: list[tuple[str | bytes, str]] = [
    (json.dumps({"type": "resume", "after": True}), "invalid_after"),
    (json.dumps({"type": "resume", "after": 2**40}), "invalid_after"),
    (json.dumps({"type": "resume", "after": "3"}), "invalid_after"),
    (json.dumps({"type": "message", "text": "hi"}), "resume_required"),
    (b'{"type": "resume", "after": 0}', "binary_frame"),
    ("[" * 100_000 + "]" * 100_000, "invalid_frame"),
    ('{"a":' * 70 + "0" + "}" * 70, "invalid_frame"),
    ("not json", "invalid_frame"),
    ("[1, 2]", "invalid_frame"),
    ('{"type": "resume", "after": 0, "x": "\\ud800"}', "invalid_text"),
    ('{"type": "resume\\u0000", "after": 0}', "invalid_text"),
    (json.dumps({"type": "resume", "pad": "x" * MAX_FRAME_CHARS}), "frame_too_large"),
]


async def next_frame(ws: Any) -> dict[str, Any]:
    async with asyncio.timeout(5):
        return json.loads(await ws.recv())  # type: ignore[no-any-return]


async def close_code(ws: Any) -> int:
    with pytest.raises(websockets.ConnectionClosed) as info:
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    return info.value.rcvd.code if info.value.rcvd else -1


async def control_frame(ws: Any) -> dict[str, Any]:
    """The next frame without a seq (events may come first)."""
    while True:
        frame = await next_frame(ws)
        if "seq" not in frame:
            return frame


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not noisy, [r.getMessage() for r in noisy]


async def test_a_bad_opening_frame_gets_an_error_frame_and_4400(live, connect, caplog) -> None:
    server = await live()
    app_id = await server.app()
    session = await server.session(app_id)
    for path in (f"/api/sessions/{session}/ws", f"/api/apps/{app_id}/ws"):
        for frame, code in BAD_OPENINGS:
            async with connect(server.ws_url(path)) as ws:
                await ws.send(frame)
                error = await next_frame(ws)
                assert error["type"] == "error" and error["error"]["code"] == code, frame[:80]
                assert await close_code(ws) == 4400
    no_tracebacks(caplog)


async def test_a_url_that_is_not_utf8_is_refused_with_a_reason(live, connect) -> None:
    server = await live()
    for path in ("/api/sessions/%FF%FE/ws", "/api/apps/%ED%A0%80/ws", "/api/apps/a%00b/ws"):
        async with connect(server.ws_url(path)) as ws:
            error = await next_frame(ws)
            assert error["type"] == "error"
            assert error["error"]["code"] in ("path_invalid_utf8", "path_control_char")
            assert await close_code(ws) == 4400


async def test_bad_frames_after_the_resume_are_answered_and_the_stream_goes_on(
    live, connect, caplog
) -> None:
    server = await live(ScriptedModel([Turn([text("Hello.")])]))
    app_id = await server.app()
    session = await server.session(app_id)
    async with connect(server.ws_url(f"/api/sessions/{session}/ws")) as ws:
        await ws.send(json.dumps({"type": "resume", "after": 0}))
        for frame, _ in BAD_OPENINGS[4:]:
            await ws.send(frame)
            assert (await control_frame(ws))["type"] == "error", frame[:80]
        await ws.send('{"type": "message", "text": "hi \\ud800", "client_msg_id": "m1"}')
        refused = await control_frame(ws)
        assert refused["error"]["code"] == "invalid_text" and refused["client_msg_id"] == "m1"
        await ws.send(json.dumps({"type": "message", "text": "hi", "client_msg_id": ""}))
        assert (await control_frame(ws))["error"]["code"] == "invalid_client_msg_id"
        await ws.send(json.dumps({"type": "resume", "after": True}))
        assert (await control_frame(ws))["error"]["code"] == "already_resumed"
        # Still streaming: a real message runs, and its events arrive on this socket.
        await ws.send(json.dumps({"type": "message", "text": "hi", "client_msg_id": "m2"}))
        assert (await control_frame(ws))["type"] == "accepted"
        async with asyncio.timeout(10):
            while (await next_frame(ws)).get("type") != "run.finished":
                pass
    events = await server.log(f"/api/sessions/{session}/events?after=0")
    assert [e["client_msg_id"] for e in events if e["type"] == "run.started"] == ["m2"]
    no_tracebacks(caplog)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(frames=hostile_json, said=hostile_text)
async def test_no_frame_drops_either_socket(live_factory, connect, frames: Any, said: str) -> None:
    server = await live_factory(ScriptedModel([Turn([text(said or "ok")])]))
    try:
        app_id = await server.app()
        session = await server.session(app_id)
        hostile = [
            json.dumps(frames),
            json.dumps({"type": said, "after": frames}),
            json.dumps({"type": "message", "text": said, "client_msg_id": said}),
        ]
        for path in (f"/api/sessions/{session}/ws", f"/api/apps/{app_id}/ws"):
            async with connect(server.ws_url(path)) as ws:
                await ws.send(json.dumps({"type": "resume", "after": 0}))
                for frame in hostile:
                    await ws.send(frame)
                    reply = await control_frame(ws)
                    assert reply["type"] in ("error", "accepted", "pong"), reply
                    assert text_rule.find_in_tree(reply) is None
                await ws.send(json.dumps({"type": "ping"}))
                assert (await control_frame(ws))["type"] == "pong"
        # Whatever was accepted ran, and its log reads back valid.
        async with asyncio.timeout(10):
            while True:
                events = await server.log(f"/api/sessions/{session}/events?after=0")
                runs = [e for e in events if e["type"] == "run.started"]
                if len([e for e in events if e["type"] == "run.finished"]) == len(runs):
                    break
                await asyncio.sleep(0.02)
        assert text_rule.find_in_tree(events) is None
    finally:
        await live_factory.stack.aclose()
