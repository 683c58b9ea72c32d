"""The control API, script parsing, the harness's lifecycle and `run_sim`."""

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from appwright.sim import SimServer
from appwright.sim.script import ScriptError, load_scripts_file, parse_turns

USER = [{"role": "user", "content": "hi"}]


def _ask(url: str, model: str, key: str = "k") -> httpx.Response:
    body = {"model": model, "max_tokens": 1000, "messages": USER}
    return httpx.post(f"{url}/v1/messages", headers={"x-api-key": key}, json=body)


def test_put_get_delete(sim: SimServer, model: str):
    put = httpx.put(
        f"{sim.url}/_sim/scripts/{model}",
        json={"turns": [{"content": [{"type": "text", "text": "scripted"}]}]},
    )
    assert put.json() == {"model": model, "turns": 1}
    assert _ask(sim.url, model).json()["content"][0]["text"] == "scripted"
    _ask(sim.url, model, key="invalid-key")  # recorded too, before authentication

    logged = httpx.get(f"{sim.url}/_sim/requests/{model}").json()
    assert [(r["turn"], r["attempt"]) for r in logged] == [(0, 1), (0, 2)]
    assert logged[0]["body"]["messages"] == USER
    assert abs(logged[0]["received_at"] - time.time()) < 60

    assert httpx.delete(f"{sim.url}/_sim/scripts/{model}").status_code == 200
    assert httpx.get(f"{sim.url}/_sim/requests/{model}").json() == []
    assert "(appwright sim)" in _ask(sim.url, model).json()["content"][0]["text"]


def test_putting_a_script_again_restarts_the_attempt_count(sim: SimServer, model: str):
    sim.script(model, [{"content": [{"type": "text", "text": "a"}]}])
    _ask(sim.url, model)
    sim.script(model, [{"content": [{"type": "text", "text": "b"}]}])
    _ask(sim.url, model)
    assert [r["attempt"] for r in sim.requests(model)] == [1]


@pytest.mark.parametrize(
    ("script", "complaint"),
    [
        ({"turns": "no"}, '{"turns"'),
        ({"turns": [{"content": [{"type": "image"}]}]}, "turns[0].content[0]"),
        ({"turns": [{"content": [], "faults": [{"attempt": 0, "kind": "status"}]}]}, "attempt"),
        ({"turns": [{"content": [], "faults": [{"attempt": 1, "kind": "explode"}]}]}, "kind"),
        (
            {
                "turns": [
                    {"content": [], "faults": [{"attempt": 1, "kind": "status", "status": 200}]}
                ]
            },
            "status",
        ),
        ({"turns": [{"content": [], "faults": [{"attempt": 1, "kind": "drop_after"}]}]}, "events"),
        ({"turns": [{"content": [], "chunk_chars": 0}]}, "chunk_chars"),
    ],
)
def test_bad_scripts_are_refused(sim: SimServer, model: str, script: dict, complaint: str):
    with pytest.raises(ScriptError, match=None) as caught:
        parse_turns(script)
    assert complaint in str(caught.value)
    response = httpx.put(f"{sim.url}/_sim/scripts/{model}", json=script)
    assert response.status_code == 400 and complaint in response.json()["error"]


def test_turn_defaults_and_stop_reason():
    (plain, tooled) = parse_turns(
        {
            "turns": [
                {"content": [{"type": "text", "text": "x"}]},
                {"content": [{"type": "tool_use", "name": "t", "input": {}}]},
            ]
        }
    )
    assert (plain.token_delay, plain.chunk_chars, plain.faults) == (0.0, 8, ())
    assert (plain.stop_reason, tooled.stop_reason) == ("end_turn", "tool_use")


async def test_token_delay_paces_the_stream(sim: SimServer, model: str):
    sim.script(
        model,
        [{"content": [{"type": "text", "text": "abcdef"}], "chunk_chars": 2, "token_delay": 0.1}],
    )
    body = {"model": model, "max_tokens": 1000, "stream": True, "messages": USER}
    started = time.monotonic()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{sim.url}/v1/messages", headers={"x-api-key": "k"}, json=body
        )
    assert response.text.count("text_delta") == 3
    assert time.monotonic() - started >= 0.3


async def test_shutdown_with_a_stalled_stream_open():
    server = SimServer()
    await asyncio.to_thread(server.start)
    server.script(
        "stall", [{"content": [], "faults": [{"attempt": 1, "kind": "stall_after", "events": 1}]}]
    )
    body = {"model": "stall", "max_tokens": 1000, "stream": True, "messages": USER}
    first_event = asyncio.Event()

    async def read_forever() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            async with client.stream(
                "POST", f"{server.url}/v1/messages", headers={"x-api-key": "k"}, json=body
            ) as response:
                async for _ in response.aiter_bytes():
                    first_event.set()

    reader = asyncio.create_task(read_forever())
    await asyncio.wait_for(first_event.wait(), 2)
    started = time.monotonic()
    await asyncio.to_thread(server.stop)
    assert time.monotonic() - started < 1.5
    with pytest.raises(httpx.RemoteProtocolError):  # broken, not a clean end
        await asyncio.wait_for(reader, 2)


def test_scripts_file_and_run_sim(tmp_path):
    scripts = {"preloaded": {"turns": [{"content": [{"type": "text", "text": "from the file"}]}]}}
    path = tmp_path / "scripts.json"
    path.write_text(json.dumps(scripts))
    assert list(load_scripts_file(str(path))) == ["preloaded"]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from appwright.sim import run_sim; run_sim('127.0.0.1', {port}, {str(path)!r})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = _ask(url, "preloaded")
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        assert answer.json()["content"][0]["text"] == "from the file"
    finally:
        process.send_signal(signal.SIGINT)
        # uvicorn shuts down gracefully, then hands the signal back to the default handler.
        assert process.wait(10) in (0, -signal.SIGINT)


def test_a_sim_server_is_usable_as_a_context_manager():
    with SimServer({"m": {"turns": [{"content": [{"type": "text", "text": "pre"}]}]}}) as server:
        assert _ask(server.url, "m").json()["content"][0]["text"] == "pre"
    with pytest.raises(httpx.ConnectError):
        _ask(server.url, "m")
