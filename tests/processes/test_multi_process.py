"""Two `appwright serve` processes on PostgreSQL + Redis are one service; a process that
dies mid-run is replaced without losing the run; a lone SQLite process resumes after a
restart. Every process here is a real subprocess."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets

from appwright.chat import chat

REDIS_URL = os.environ.get("APPWRIGHT_TEST_REDIS", "redis://127.0.0.1:6379/0")
_models = itertools.count()

SITE = {"index.html": "<p>one</p>\n"}


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def tool(name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


@pytest.fixture
def pg_env(serve_env, own_pg_url) -> dict[str, str]:
    env = dict(serve_env)
    env["APPWRIGHT_DATABASE_URL"] = own_pg_url
    env["APPWRIGHT_REDIS_URL"] = REDIS_URL
    return env


def scripted(sim, env: dict[str, str], turns: list[dict[str, Any]]) -> dict[str, str]:
    model = f"proc-model-{os.getpid()}-{next(_models)}"
    sim.script(model, turns)
    return {**env, "APPWRIGHT_MODEL": model}


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    async def app_and_session(self) -> tuple[str, str]:
        r = await self.http.post("/api/apps", json={"name": "a", "files": SITE})
        app_id = r.json()["id"]
        r = await self.http.post(f"/api/apps/{app_id}/sessions")
        return app_id, r.json()["id"]

    def ws(self, session_id: str) -> Any:
        url = (
            self.url.replace("http", "ws", 1) + f"/api/sessions/{session_id}/ws?token={self.token}"
        )
        return websockets.connect(url, open_timeout=5, max_size=2**24)

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        return (await self.http.get(f"/api/sessions/{session_id}/events")).json()["events"]

    async def follow(
        self,
        session_id: str,
        until: Callable[[dict[str, Any]], bool],
        after: int = 0,
        timeout: float = 20,
    ) -> list[dict[str, Any]]:
        """The session's events after `after`, followed live over a WebSocket, up to and
        including the first one matching `until`."""
        events: list[dict[str, Any]] = []
        async with self.ws(session_id) as ws, asyncio.timeout(timeout):
            await ws.send(json.dumps({"type": "resume", "after": after}))
            while not events or not until(events[-1]):
                frame = json.loads(await ws.recv())
                if "seq" in frame:
                    events.append(frame)
        return events

    async def finished(self, session_id: str, timeout: float = 20) -> dict[str, Any]:
        return (await self.follow(session_id, is_run_end, timeout=timeout))[-1]


def is_run_end(event: dict[str, Any]) -> bool:
    return event["type"] == "run.finished"


def is_turn_2(event: dict[str, Any]) -> bool:
    return event["type"] == "turn.started" and event["turn"] == 2


# An edit, then a slow turn to be killed in, then the end.
EDIT_THEN_PAUSE = [
    {"content": [tool("apply_edit", filepath="index.html", old_code="one", new_code="two")]},
    {"content": [text("a long pause " * 40)], "token_delay": 0.05},
    {"content": [text("Done.")]},
]


async def test_events_of_a_run_on_one_process_reach_a_client_of_another(
    spawn, pg_env, sim, make_vendor
) -> None:
    env = scripted(
        sim,
        pg_env,
        [
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="one", new_code="two")
                ]
            },
            {"content": [text("Changed one to two.")], "token_delay": 0.01},
        ],
    )
    a, b = await asyncio.gather(spawn(env, "a"), spawn(env, "b"))
    token = (await make_vendor(a.url))["token"]
    on_a, on_b = Client(a.url, token), Client(b.url, token)
    app_id, session = await on_a.app_and_session()
    async with on_b.ws(session) as ws:
        await ws.send(json.dumps({"type": "resume", "after": 0}))
        r = await on_a.http.post(f"/api/sessions/{session}/messages", json={"text": "two please"})
        assert r.status_code == 202
        received = []
        async with asyncio.timeout(20):
            while not received or received[-1]["type"] != "run.finished":
                frame = json.loads(await ws.recv())
                if "seq" in frame:
                    received.append(frame)
    assert received == await on_a.events(session)
    assert received[-1]["status"] == "completed"
    assert "file.updated" in [e["type"] for e in received]
    r = await on_b.http.get(f"/api/apps/{app_id}/files/index.html")
    assert r.json()["content"] == "<p>two</p>\n"


async def test_cancel_sent_to_another_process_stops_the_run(
    spawn, pg_env, sim, make_vendor
) -> None:
    env = scripted(sim, pg_env, [{"content": [text("word " * 500)], "token_delay": 0.02}])
    a, b = await asyncio.gather(spawn(env, "a"), spawn(env, "b"))
    token = (await make_vendor(a.url))["token"]
    on_a, on_b = Client(a.url, token), Client(b.url, token)
    _app, session = await on_a.app_and_session()
    r = await on_a.http.post(f"/api/sessions/{session}/messages", json={"text": "talk"})
    assert r.status_code == 202
    async with on_b.ws(session) as ws, asyncio.timeout(20):
        await ws.send(json.dumps({"type": "resume", "after": 0}))
        while json.loads(await ws.recv()).get("type") != "text.delta":
            pass
        started = time.monotonic()
        assert (await on_b.http.post(f"/api/sessions/{session}/cancel")).json()["cancelled"]
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "run.finished":
                break
    assert frame["status"] == "cancelled"
    assert time.monotonic() - started < 1.5


async def test_kill_9_mid_run_is_taken_over_by_the_other_process(
    spawn, pg_env, sim, make_vendor
) -> None:
    env = scripted(sim, pg_env, EDIT_THEN_PAUSE)
    a, b = await asyncio.gather(spawn(env, "a"), spawn(env, "b"))
    token = (await make_vendor(a.url))["token"]
    on_a, on_b = Client(a.url, token), Client(b.url, token)
    app_id, session = await on_a.app_and_session()
    # Whichever process runs it, kill that one once turn 2 is streaming.
    r = await on_a.http.post(f"/api/sessions/{session}/messages", json={"text": "edit then talk"})
    assert r.status_code == 202
    await on_b.follow(session, is_turn_2)
    a.kill9()
    killed_at = time.monotonic()
    end = await on_b.finished(session, timeout=30)
    assert end["status"] == "completed", end
    assert time.monotonic() - killed_at < 10
    r = await on_b.http.get(f"/api/apps/{app_id}/files/index.html")
    assert r.json()["content"] == "<p>two</p>\n"
    versions = (await on_b.http.get(f"/api/apps/{app_id}/versions")).json()
    assert [v["source"] for v in versions] == ["ai", "initial"], "the edit applied exactly once"
    events = await on_b.events(session)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["type"] == "run.finished" for e in events) == 1
    started = sorted(e["tool_id"] for e in events if e["type"] == "tool.started")
    assert sorted(e["tool_id"] for e in events if e["type"] == "tool.finished") == started
    assert [e["turn"] for e in events if e["type"] == "run.resumed"] == [2]
    r = await on_b.http.post(f"/api/sessions/{session}/messages", json={"text": "again"})
    assert r.status_code == 202, "the session takes new messages afterwards"


async def test_lone_sqlite_process_restarted_resumes_its_run(
    spawn, serve_env, sim, make_vendor
) -> None:
    env = scripted(sim, serve_env, EDIT_THEN_PAUSE)
    first = await spawn(env, "first")
    token = (await make_vendor(first.url))["token"]
    client = Client(first.url, token)
    app_id, session = await client.app_and_session()
    await client.http.post(f"/api/sessions/{session}/messages", json={"text": "go"})
    seen = (await client.follow(session, is_turn_2))[-1]["seq"]
    first.kill9()
    second = await spawn(env, "second")
    client = Client(second.url, token)
    # The client reconnects to the restarted service and resumes after what it saw.
    rest = await client.follow(session, is_run_end, after=seen, timeout=30)
    assert rest[0]["seq"] == seen + 1
    assert rest[-1]["status"] == "completed"
    assert [e["turn"] for e in rest if e["type"] == "run.resumed"] == [2]
    assert (await client.http.get(f"/api/apps/{app_id}/files/index.html")).json()[
        "content"
    ] == "<p>two</p>\n"


async def test_chat_follows_its_run_through_a_restart_of_the_only_process(
    spawn, serve_env, sim, make_vendor
) -> None:
    env = scripted(sim, serve_env, EDIT_THEN_PAUSE)
    server = await spawn(env, "only")
    token = (await make_vendor(server.url))["token"]
    app_id, _session = await Client(server.url, token).app_and_session()
    out = io.StringIO()
    following = asyncio.create_task(chat(server.url, token, app_id, "edit then talk", None, out))
    async with asyncio.timeout(20):
        while "a long pause" not in out.getvalue():
            await asyncio.sleep(0.05)
    server.kill9()
    server.start()  # the same address: the command reconnects to it
    await server.ready()
    assert await asyncio.wait_for(following, 40) == "completed"
    shown = out.getvalue()
    assert "another resumed it at turn 2" in shown
    assert shown.count("apply_edit") == 1 and shown.count("[completed]") == 1
