"""Stall recovery: time from a stalled stream's last byte to the retry's request, with the
model idle timeout at 1 s. Goal: idle timeout + <= 1 s (so <= 2 s here).

The sim stalls attempt 1 of the only turn after its first 3 SSE events
(`{"attempt": 1, "kind": "stall_after", "events": 3}`); the run loop must notice the silence
after `APPWRIGHT_TIMEOUT_MODEL_IDLE`, back off (default policy: base 1 s, jittered to
0.5-1 s for the first retry) and ask again through the real Anthropic SDK.

Two measurements of the same gap:
- client side (the figure held to the goal): a byte-counting TCP relay on 127.0.0.1, in its
  own thread and event loop, sits between appwright and the sim and stamps every chunk; the
  gap runs from the last chunk of attempt 1 to the first chunk of the retry's request;
- sim side (an approximation): the sim's `received_at` of attempt 2 minus attempt 1's. The
  stall comes right after the first events, so attempt 1's `received_at` is close to its last
  byte (a few ms early: that time is counted in this figure).

Note: the first 3 events are message_start, content_block_start and ping, none of which
reaches the run loop as a stream event, so the loop's idle clock runs from the start of the
call, not from the last byte: "beyond idle + backoff" can come out a few ms negative (by the
time to first byte). `--events 4` stalls after the first text delta instead.

    .venv/bin/python bench/stall_retry.py [--reps 5] [--idle 1] [--events 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import (
    clean_env,
    make_settings,
    median,
    print_table,
    secs,
    setup_logging,
    spread_rows,
    wait_for,
)

from appwright.log_names import session_log
from appwright.runtime import Runtime
from appwright.sim import SimServer

MODEL = "bench-stall-retry"
BUDGET = 1.0  # seconds allowed beyond the idle timeout


class Relay:
    """A TCP relay 127.0.0.1:port -> target, in its own thread, stamping every chunk with
    time.time(): ("up", t) for client->server bytes, ("down", t) for server->client."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.chunks: list[tuple[int, str, float]] = []  # (connection, direction, time)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._conns = 0
        self._thread = threading.Thread(target=self._run, name="bench-relay", daemon=True)

    def __enter__(self) -> Relay:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the relay did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._conns += 1
        conn = self._conns
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, way: str) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    self.chunks.append((conn, way, time.time()))
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, "up"), pipe(up_reader, writer, "down"))

    def request_starts(self) -> list[float]:
        """When each request began: an "up" chunk that is its connection's first chunk or
        follows a "down" chunk on it."""
        last_way: dict[int, str] = {}
        starts = []
        for conn, way, t in list(self.chunks):
            if way == "up" and last_way.get(conn) != "up":
                starts.append(t)
            last_way[conn] = way
        return starts

    def last_down_before(self, moment: float) -> float:
        return max(t for _, way, t in list(self.chunks) if way == "down" and t < moment)


def script(events: int) -> list[dict[str, Any]]:
    return [
        {
            "content": [{"type": "text", "text": "A reply that arrives in small pieces. " * 4}],
            "chunk_chars": 8,
            "faults": [{"attempt": 1, "kind": "stall_after", "events": events}],
        }
    ]


async def one_run(
    rt: Runtime, sim: SimServer, relay: Relay, ids: tuple[str, str], events: int
) -> dict[str, float]:
    vendor_id, app_id = ids
    await asyncio.to_thread(sim.script, MODEL, script(events))
    relay.chunks.clear()
    session = await rt.sessions.create_session(vendor_id, app_id)
    async with rt.bus.subscribe(session_log(session.id)) as subscription:
        run_id, _ = await rt.sessions.submit(vendor_id, session.id, "hello")
        end = await wait_for(
            subscription, lambda e: e["type"] == "run.finished" and e["run_id"] == run_id, 30
        )
    if end["status"] != "completed":
        raise RuntimeError(f"run ended {end['status']}: {end.get('error')}")
    events = await rt.sessions.session_events(vendor_id, session.id, 0)
    retries = [e for e in events if e["type"] == "model.retry"]
    if [(e["attempt"], e["reason"]) for e in retries] != [(2, "model_stalled")]:
        raise RuntimeError(f"expected one model_stalled retry, got {retries}")
    requests = await asyncio.to_thread(sim.requests, MODEL)
    first, second = (r["received_at"] for r in requests[:2])
    starts = relay.request_starts()
    if len(starts) < 2:
        raise RuntimeError(f"the relay saw {len(starts)} requests")
    return {
        "client": starts[1] - relay.last_down_before(starts[1]),
        "sim": second - first,
        "backoff": retries[0]["delay_ms"] / 1000,
    }


async def main(args: argparse.Namespace) -> None:
    clean_env()
    setup_logging()
    with tempfile.TemporaryDirectory(prefix="appwright-bench-") as tmp:
        async with SimServer() as sim:
            host, port = sim.url.removeprefix("http://").split(":")
            with Relay(host, int(port)) as relay:
                settings = make_settings(
                    Path(tmp) / "data",
                    anthropic_api_key="sk-ant-bench",
                    anthropic_base_url=relay.url,
                    model=MODEL,
                    timeout_model_idle=args.idle,
                )
                rt = Runtime(settings)
                await rt.start()
                try:
                    vendor, _ = await rt.workspace.create_vendor("bench")
                    app = await rt.workspace.create_app(vendor.id, "shop", {"a.html": "<p>a</p>"})
                    ids = (vendor.id, app.id)
                    results = [
                        await one_run(rt, sim, relay, ids, args.events) for _ in range(args.reps)
                    ]
                finally:
                    await rt.stop()

    goal = args.idle + BUDGET
    client = [r["client"] for r in results]
    rest = [r["client"] - args.idle - r["backoff"] for r in results]
    print_table(
        f"stall_retry: stall after {args.events} events, idle timeout {args.idle:g} s, default backoff "
        f"(Anthropic SDK via the sim, {args.reps} repetitions)",
        [
            *spread_rows(
                "last byte -> retry request (relay)", client, goal, f"<= {goal:g} s (idle + 1 s)"
            ),
            (
                "attempt 1 -> attempt 2 received_at, median (sim)",
                secs(median([r["sim"] for r in results])),
                "approximation, slightly larger",
                None,
            ),
            (
                "  of which backoff (model.retry delay_ms), median",
                secs(median([r["backoff"] for r in results])),
                "0: the silence counts as backoff",
                None,
            ),
            (
                "  of which beyond idle + backoff, median / max",
                f"{secs(median(rest))} / {secs(max(rest))}",
                "detection + new request",
                None,
            ),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--idle", type=float, default=1.0, help="model idle timeout, seconds")
    parser.add_argument("--events", type=int, default=3, help="SSE events before the stall")
    asyncio.run(main(parser.parse_args()))
