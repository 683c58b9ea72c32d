"""The WebSockets: auth, resume at the seam, commands, fan-out isolation."""

from __future__ import annotations

import asyncio
import json
import random
import re

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool


async def closed_code(ws) -> int:
    with pytest.raises(websockets.ConnectionClosed) as info:
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    return info.value.rcvd.code if info.value.rcvd else -1


async def test_refusals_close_with_codes(live, connect) -> None:
    server = await live()
    app_id = await server.app()
    session = await server.session(app_id)
    for path in (f"/api/sessions/{session}/ws", f"/api/apps/{app_id}/ws"):
        async with connect(server.ws_url(path, token="wrong")) as ws:
            assert await closed_code(ws) == 4401
    async with connect(server.ws_url("/api/sessions/ses_missing/ws")) as ws:
        assert await closed_code(ws) == 4404
    async with connect(server.ws_url("/api/apps/app_missing/ws")) as ws:
        assert await closed_code(ws) == 4404
    # Another vendor's session and app are refused exactly like missing ones.
    r = await server.http.post(
        "/api/vendors", json={"name": "b"}, headers={"Authorization": "Bearer admin-test-token"}
    )
    token_b = r.json()["token"]
    async with connect(server.ws_url(f"/api/sessions/{session}/ws", token=token_b)) as ws:
        assert await closed_code(ws) == 4404
    async with connect(server.ws_url(f"/api/apps/{app_id}/ws", token=token_b)) as ws:
        assert await closed_code(ws) == 4404


async def test_message_and_events_over_the_session_socket(live, connect, until) -> None:
    model = ScriptedModel(
        [
            Turn([tool("apply_edit", filepath="index.html", old_code="x", new_code="y")]),
            Turn([text("done")]),
        ]
    )
    server = await live(model)
    app_id = await server.app()
    session = await server.session(app_id)
    async with connect(server.ws_url(f"/api/sessions/{session}/ws")) as ws:
        await ws.send(json.dumps({"type": "resume", "after": 0}))
        await ws.send(json.dumps({"type": "message", "text": "edit", "client_msg_id": "c1"}))
        events = await until(ws, lambda e: e["type"] == "run.finished")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["status"] == "completed"
    assert "file.updated" in [e["type"] for e in events]
    assert events == await server.log(f"/api/sessions/{session}/events?after=0")


async def test_app_socket_sees_manual_edits_from_anyone(live, connect, until) -> None:
    server = await live()
    app_id = await server.app()
    async with connect(server.ws_url(f"/api/apps/{app_id}/ws")) as ws:
        await ws.send(json.dumps({"type": "resume", "after": 2}))
        r = await server.http.put(
            f"/api/apps/{app_id}/files/index.html", json={"content": "<p>new</p>"}
        )
        assert r.status_code == 200
        events = await until(ws, lambda e: e["type"] == "file.updated")
    assert [e["type"] for e in events] == ["version.created", "file.updated"]
    assert events[0]["seq"] == 3


async def test_first_frame_must_be_resume(live, connect) -> None:
    server = await live()
    app_id = await server.app()
    async with connect(server.ws_url(f"/api/apps/{app_id}/ws")) as ws:
        await ws.send(json.dumps({"type": "message", "text": "hi"}))
        frame = json.loads(await ws.recv())
        assert frame["error"]["code"] == "resume_required"
        assert await closed_code(ws) == 4400


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
async def test_resume_at_random_points_yields_the_log_exactly_once(
    live_factory, connect, seed
) -> None:
    rng = random.Random(seed)
    turns = []
    for _ in range(rng.randint(1, 3)):
        calls = [tool("list_files") for _ in range(rng.randint(0, 2))]
        turns.append(Turn([text("w" * rng.randint(1, 60)), *calls], delay=0.002))
    turns.append(Turn([text("end")]))
    server = await live_factory(ScriptedModel(turns))
    try:
        app_id = await server.app()
        session = await server.session(app_id)
        path = f"/api/sessions/{session}/ws"
        received: list[dict] = []
        r = await server.http.post(f"/api/sessions/{session}/messages", json={"text": "go"})
        assert r.status_code == 202
        done = False
        while not done:
            after = received[-1]["seq"] if received else 0
            async with connect(server.ws_url(path)) as ws:
                await ws.send(json.dumps({"type": "resume", "after": after}))
                budget = rng.randint(1, 6)
                async with asyncio.timeout(10):
                    while budget:
                        frame = json.loads(await ws.recv())
                        if "seq" not in frame:
                            continue
                        received.append(frame)
                        budget -= 1
                        if frame["type"] == "run.finished":
                            done = True
                            break
        assert received == await server.log(f"/api/sessions/{session}/events?after=0")
    finally:
        await live_factory.stack.aclose()


async def test_chat_command_follows_a_run_to_its_end(live) -> None:
    import io

    from appwright.chat import chat

    model = ScriptedModel(
        [Turn([text("Reading."), tool("list_files")]), Turn([text("There is one file.")])]
    )
    server = await live(model)
    app_id = await server.app()
    out = io.StringIO()
    status = await chat(
        f"http://127.0.0.1:{server.port}", server.token, app_id, "what files?", None, out
    )
    assert status == "completed"
    shown = out.getvalue()
    assert "Reading." in shown and "There is one file." in shown
    assert "list_files" in shown and "Listed 1 files" in shown
    assert "[completed]" in shown
    usage = re.search(r"tokens: (\d+) in, (\d+) out, .*; cost: \$(\d+\.\d{4})", shown)
    assert usage is not None and int(usage.group(1)) > 0 and int(usage.group(2)) > 0
