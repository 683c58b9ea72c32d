"""Scale: 1,000 concurrent WebSocket session clients against ONE `appwright serve` process,
100 of them at a time running scripted runs at a realistic token pace, 1,000 runs in all.

Processes (all on 127.0.0.1, all stopped at the end):
- `appwright sim` (the scripted model): each run is two turns, ~TOKENS/2 tokens of text then
  one `get_current_code` call, then ~TOKENS/2 tokens; 8-character deltas (~2 tokens) paced
  so the stream runs at ~TPS tokens/s;
- `appwright serve` (SQLite by default; `--pg` / `--redis` optional), the process measured;
- a pinger (this script with `--pinger`): 20 extra idle session sockets, each sending
  `{"type": "ping"}` every 200 ms and timing the `{"type": "pong"}`. The server answers pings
  on its event loop, so ping->pong latency on idle sockets is a client-side view of the
  server's event-loop lag. It runs in its own process so the load client's own lag is not
  counted (its own loop lag is reported beside it);
- this process: the 1,000 session clients (`websockets`). Each resumes from 0, and in its
  wave sends one `{"type": "message"}` over its socket and reads until `run.finished`.

Phases: create 1,020 sessions -> pinger connects, idle pings -> RSS before -> open the 1,000
sockets (each answers one ping) -> RSS with 1,000 idle sockets -> 10 waves of 100 runs, the
pinger pinging throughout -> RSS after wave 1 (100 runs) and after wave 10 (1,000 runs), both
when no run is active -> every client's log compared with `GET /api/sessions/{s}/events`.

A failure is: a run that did not end `completed`, a client whose frames are not exactly the
session's log (seq 1..N, nothing missing, repeated or different), a socket closed by the
server, an error frame, or a ping without a pong.

    .venv/bin/python bench/ws_scale.py [--clients 1000] [--concurrency 100] [--runs 1000]
        [--tokens 300] [--tps 50] [--pg [URL]] [--redis [URL]]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from common import (
    ADMIN_TOKEN,
    DEFAULT_PG,
    clean_env,
    free_port,
    median,
    ms,
    percentile,
    print_table,
    scratch_pg,
    secs,
    vmrss_kib,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
MODEL = "bench-scale"
PINGERS = 20
PING_INTERVAL = 0.2
CHUNK_CHARS = 8  # ~2 tokens per delta
CHARS_PER_TOKEN = 4
GOAL_PONG_P99 = 0.100
GOAL_RSS_PER_SOCKET_KIB = 1024
FLAT_TOLERANCE = 0.05  # RSS after 1,000 runs within 5 % of RSS after 100
SENTENCE = "The header now uses the brand colour and the menu collapses on small screens. "


def ws_connect(url: str) -> Any:
    # Client keepalive pings off: the server's own (every 20 s) keep the sockets honest.
    return connect(url, open_timeout=60, close_timeout=2, ping_interval=None, max_size=2**24)


# --- the pinger process -------------------------------------------------------------------------


async def pinger_main() -> None:
    """Reads {url, token, sessions} on stdin, connects, says ready, then pings until told to
    stop; phases ("idle", "load", "stop") arrive as lines on stdin."""
    config = json.loads(await asyncio.to_thread(sys.stdin.readline))
    phase = "setup"
    results: dict[str, list[float]] = {"idle": [], "load": []}
    lost = 0
    slow: list[tuple[float, float]] = []  # (time.time() sent, latency) of pongs over 100 ms
    lag: dict[str, list[float]] = {"idle": [], "load": []}
    sockets = []
    for session in config["sessions"]:
        ws = await ws_connect(f"{config['url']}/api/sessions/{session}/ws?token={config['token']}")
        await ws.send(json.dumps({"type": "resume", "after": 0}))
        sockets.append(ws)

    async def ping_forever(ws: Any, offset: float) -> None:
        nonlocal lost
        await asyncio.sleep(offset)
        while phase != "stop":
            current = phase
            started = time.perf_counter()
            await ws.send('{"type":"ping"}')
            try:
                async with asyncio.timeout(10):
                    while json.loads(await ws.recv()).get("type") != "pong":
                        pass
            except TimeoutError:
                lost += 1
                continue
            latency = time.perf_counter() - started
            if current in results:
                results[current].append(latency)
            if latency > GOAL_PONG_P99:
                slow.append((time.time() - latency, latency))
            await asyncio.sleep(PING_INTERVAL)

    async def watch_lag() -> None:
        while phase != "stop":
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            if phase in lag:
                lag[phase].append(time.perf_counter() - before - 0.05)

    tasks = [
        asyncio.create_task(ping_forever(ws, i * PING_INTERVAL / len(sockets)))
        for i, ws in enumerate(sockets)
    ]
    tasks.append(asyncio.create_task(watch_lag()))
    print(json.dumps({"ready": True}), flush=True)
    while phase != "stop":
        phase = (await asyncio.to_thread(sys.stdin.readline)).strip() or "stop"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for ws in sockets:
        await ws.close()
    print(json.dumps({"pongs": results, "lost": lost, "lag": lag, "slow": slow}), flush=True)


class Pinger:
    def __init__(self, url: str, token: str, sessions: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--pinger"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"url": url, "token": token, "sessions": sessions}) + "\n")
        self.proc.stdin.flush()

    async def ready(self) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), 60)
        if not json.loads(line or "{}").get("ready"):
            raise RuntimeError("the pinger did not start")

    def phase(self, name: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()

    async def results(self) -> dict[str, Any]:
        self.phase("stop")
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), 30)
        self.proc.wait(10)
        return json.loads(line)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


# --- server processes ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "appwright.cli", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def wait_http(self, url: str, timeout: float = 60) -> None:
        async with httpx.AsyncClient() as client, asyncio.timeout(timeout):
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.log.name} exited:\n{self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(url)).status_code < 500:
                        return
                await asyncio.sleep(0.1)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# --- the session clients ------------------------------------------------------------------------


class Client:
    def __init__(self, session_id: str, ws: Any) -> None:
        self.session_id = session_id
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.errors: list[Any] = []
        self.finished = asyncio.Event()
        self.pong = asyncio.Event()
        self.closed: str | None = None
        self.closing = False  # we close it: not a failure
        self.sent = 0.0
        self.done = 0.0
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if "seq" in frame:
                    self.frames.append(frame)
                    if frame["type"] == "run.finished":
                        self.done = time.perf_counter()
                        self.finished.set()
                elif frame.get("type") == "pong":
                    self.pong.set()
                elif frame.get("type") == "error":
                    self.errors.append(frame["error"])
        except ConnectionClosed as closed:
            if not self.closing:
                self.closed = f"closed {closed.rcvd.code if closed.rcvd else 'abnormally'}"
        if self.closed is None and not self.closing:
            self.closed = "closed by the server"
        self.finished.set()

    async def ping_once(self) -> None:
        self.pong.clear()
        await self.ws.send('{"type":"ping"}')
        async with asyncio.timeout(30):
            await self.pong.wait()

    async def run(self, text: str, timeout: float) -> None:
        self.sent = time.perf_counter()
        await self.ws.send(
            json.dumps({"type": "message", "text": text, "client_msg_id": f"b-{self.session_id}"})
        )
        try:
            async with asyncio.timeout(timeout):
                await self.finished.wait()
        except TimeoutError:
            self.errors.append("no run.finished in time")

    def problems(self) -> list[str]:
        found = [str(e) for e in self.errors]
        if self.closed:
            found.append(self.closed)
        seqs = [f["seq"] for f in self.frames]
        if seqs != list(range(1, len(seqs) + 1)):
            found.append("frames are not seq 1..N")
        ends = [f for f in self.frames if f["type"] == "run.finished"]
        if len(ends) != 1 or ends[0]["status"] != "completed":
            found.append(f"run ended {[e.get('status') for e in ends]}")
        return found


def script(tokens: int, tps: float) -> dict[str, Any]:
    half = (tokens * CHARS_PER_TOKEN) // 2
    words = (SENTENCE * (half // len(SENTENCE) + 1))[:half]
    delay = CHUNK_CHARS / CHARS_PER_TOKEN / tps
    call = {"type": "tool_use", "name": "get_current_code", "input": {"filepath": "index.html"}}
    return {
        MODEL: {
            "turns": [
                {
                    "content": [{"type": "text", "text": words}, call],
                    "chunk_chars": CHUNK_CHARS,
                    "token_delay": delay,
                },
                {
                    "content": [{"type": "text", "text": words}],
                    "chunk_chars": CHUNK_CHARS,
                    "token_delay": delay,
                },
            ]
        }
    }


def scripted_seconds(tokens: int, tps: float) -> float:
    """How long the sim takes to stream one run's two turns, by its pacing alone."""
    paced = 0
    for turn in script(tokens, tps)[MODEL]["turns"]:
        for block in turn["content"]:
            size = (
                len(block["text"]) if block["type"] == "text" else len(json.dumps(block["input"]))
            )
            paced += -(-size // CHUNK_CHARS) + (block["type"] == "tool_use")
    return paced * CHUNK_CHARS / CHARS_PER_TOKEN / tps


async def gather_limited(limit: int, coros: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with gate:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


async def settle_rss(pid: int, seconds: float = 1.5) -> int:
    await asyncio.sleep(seconds)
    return vmrss_kib(pid)


async def load(args: argparse.Namespace, tmp: Path, database_url: str | None) -> None:
    env = clean_env()
    env["PYTHONPATH"] = str(ROOT / "src")
    sim_port, serve_port = free_port(), free_port()
    scripts = tmp / "scripts.json"
    scripts.write_text(json.dumps(script(args.tokens, args.tps)))
    sim = Process(
        ["sim", "--host", "127.0.0.1", "--port", str(sim_port), "--scripts", str(scripts)],
        env,
        tmp / "sim.log",
    )
    serve_env = {
        **env,
        "APPWRIGHT_DATA_DIR": str(tmp / "data"),
        "APPWRIGHT_ADMIN_TOKEN": ADMIN_TOKEN,
        "APPWRIGHT_MODEL": MODEL,
        "APPWRIGHT_LOG_LEVEL": "WARNING",
        "APPWRIGHT_LOG_JSON": "true",
        "ANTHROPIC_API_KEY": "sk-ant-bench",
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{sim_port}",
    }
    if database_url:
        serve_env["APPWRIGHT_DATABASE_URL"] = database_url
    if args.redis:
        serve_env["APPWRIGHT_REDIS_URL"] = args.redis
    serve = Process(
        ["serve", "--host", "127.0.0.1", "--port", str(serve_port)], serve_env, tmp / "serve.log"
    )
    base = f"http://127.0.0.1:{serve_port}"
    ws_base = f"ws://127.0.0.1:{serve_port}"
    pinger: Pinger | None = None
    clients: list[Client] = []
    started = time.perf_counter()
    try:
        await sim.wait_http(f"http://127.0.0.1:{sim_port}/_sim/requests/{MODEL}")
        await serve.wait_http(f"{base}/healthz")
        async with httpx.AsyncClient(base_url=base, timeout=60) as admin:
            r = await admin.post(
                "/api/vendors",
                json={"name": "bench"},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            r.raise_for_status()
            token = r.json()["token"]
        async with httpx.AsyncClient(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            apps = []
            for i in range(max(1, args.clients // 100)):
                r = await http.post(
                    "/api/apps",
                    json={"name": f"shop{i}", "files": {"index.html": "<h1>Shop</h1>\n"}},
                )
                r.raise_for_status()
                apps.append(r.json()["id"])

            async def new_session(i: int) -> str:
                r = await http.post(f"/api/apps/{apps[i % len(apps)]}/sessions")
                r.raise_for_status()
                return r.json()["id"]

            sessions = await gather_limited(
                8, [new_session(i) for i in range(args.clients + PINGERS)]
            )
            setup_done = time.perf_counter()
            print(f"  {len(sessions)} sessions in {setup_done - started:.1f} s", flush=True)

            pinger = Pinger(ws_base, token, sessions[args.clients :])
            await pinger.ready()
            rss_before = await settle_rss(serve.pid, 3.0)

            async def open_client(session_id: str) -> Client:
                ws = await ws_connect(f"{ws_base}/api/sessions/{session_id}/ws?token={token}")
                await ws.send(json.dumps({"type": "resume", "after": 0}))
                client = Client(session_id, ws)
                await client.ping_once()
                return client

            clients = await gather_limited(50, [open_client(s) for s in sessions[: args.clients]])
            pinger.phase("idle")
            rss_idle = await settle_rss(serve.pid, 3.0)
            print(f"  {len(clients)} sockets open; load starts", flush=True)

            pinger.phase("load")
            rss_samples: list[int] = []
            sampling = True

            async def sample_rss() -> None:
                while sampling:
                    rss_samples.append(vmrss_kib(serve.pid))
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample_rss())
            load_started = time.perf_counter()
            cpu_before = {
                "server": serve.cpu_seconds(),
                "sim": sim.cpu_seconds(),
                "pinger": cpu_seconds(pinger.proc.pid),
                "load client": own_cpu_seconds(),
            }
            waves: list[tuple[float, float]] = []
            rss_after: dict[int, int] = {}
            runs_done = 0
            wave = 0
            while runs_done < args.runs:
                batch = clients[runs_done : runs_done + args.concurrency]
                if not batch:
                    break
                wave += 1
                wave_started = time.time()
                await asyncio.gather(
                    *(c.run(f"Please polish the header ({c.session_id})", 120) for c in batch)
                )
                waves.append((wave_started, time.time()))
                runs_done += len(batch)
                print(f"  wave {wave}: {runs_done} runs done", flush=True)
                if runs_done == min(args.concurrency, args.runs) or runs_done >= args.runs:
                    rss_after[runs_done] = await settle_rss(serve.pid, 1.0)
            load_seconds = time.perf_counter() - load_started
            cpu_load = {
                "server": serve.cpu_seconds() - cpu_before["server"],
                "sim": sim.cpu_seconds() - cpu_before["sim"],
                "pinger": cpu_seconds(pinger.proc.pid) - cpu_before["pinger"],
                "load client": own_cpu_seconds() - cpu_before["load client"],
            }
            sampling = False
            await sampler
            pings = await pinger.results()
            pinger = None

            async def http_log(session_id: str) -> list[dict[str, Any]]:
                r = await http.get(f"/api/sessions/{session_id}/events?after=0")
                r.raise_for_status()
                return r.json()["events"]

            ran = clients[:runs_done]
            logs = await gather_limited(10, [http_log(c.session_id) for c in ran])
    finally:
        for client in clients:
            client.closing = True
            with contextlib.suppress(Exception):
                await client.ws.close()
            client.reader.cancel()
        if pinger is not None:
            pinger.kill()
        serve.stop()
        sim.stop()

    failures: dict[str, int] = {}
    for client, log in zip(ran, logs, strict=True):
        found = client.problems()
        if client.frames != log:
            found.append("frames differ from GET .../events")
        for problem in found:
            failures[problem] = failures.get(problem, 0) + 1
    for client in clients[runs_done:]:  # clients that never ran must still be open and clean
        if client.closed or client.errors:
            key = client.closed or "error frame"
            failures[key] = failures.get(key, 0) + 1
    if pings["lost"]:
        failures["ping without pong"] = pings["lost"]
    failed_clients = sum(
        1 for c, log in zip(ran, logs, strict=True) if c.problems() or c.frames != log
    )

    load_pongs, idle_pongs = pings["pongs"]["load"], pings["pongs"]["idle"]
    p99 = percentile(load_pongs, 99)
    per_socket = (rss_idle - rss_before) / len(clients)
    after_small = rss_after.get(min(args.concurrency, args.runs), 0)
    after_all = rss_after.get(runs_done, 0)
    growth = (after_all - after_small) / after_small if after_small else float("nan")
    walls = [c.done - c.sent for c in ran if c.done]
    stream_seconds = scripted_seconds(args.tokens, args.tps)
    events = sum(len(log) for log in logs)
    backend = "PostgreSQL" if database_url else "SQLite"
    fanout = "Redis" if args.redis else "in-process"
    print_table(
        f"ws_scale: {len(clients)} session sockets, {runs_done} runs {args.concurrency} at a "
        f"time (~{args.tokens} tokens at ~{args.tps:g} tokens/s, 1 tool call), one serve "
        f"process ({backend}, {fanout} fan-out)",
        [
            (
                "failures (runs, logs, sockets, pings)",
                str(sum(failures.values())),
                "0",
                not failures,
            ),
            ("  clients with a problem", f"{failed_clients}/{len(ran)}", "0", failed_clients == 0),
            (
                "ping->pong p99 on idle sockets, under load",
                ms(p99),
                "< 100 ms (server loop lag)",
                p99 < GOAL_PONG_P99,
            ),
            (
                "ping->pong p50 on idle sockets, under load",
                ms(percentile(load_pongs, 50)),
                "",
                None,
            ),
            (
                f"ping->pong p99 before the load ({len(clients)} idle sockets)",
                ms(percentile(idle_pongs, 99)),
                "",
                None,
            ),
            (
                "  pinger's own loop lag p99 (under load)",
                ms(percentile(pings["lag"]["load"], 99)),
                "~0: not the client",
                None,
            ),
            (
                "server RSS per idle session socket",
                f"{per_socket:.1f} KiB",
                "< 1 MB",
                per_socket < GOAL_RSS_PER_SOCKET_KIB,
            ),
            (
                f"server RSS after {min(args.concurrency, args.runs)} runs",
                f"{after_small / 1024:.1f} MiB",
                "",
                None,
            ),
            (
                f"server RSS after {runs_done} runs",
                f"{after_all / 1024:.1f} MiB ({growth:+.1%})",
                f"flat (within {FLAT_TOLERANCE:.0%})",
                abs(growth) <= FLAT_TOLERANCE if runs_done > args.concurrency else None,
            ),
            (
                "server RSS: before sockets / peak under load",
                f"{rss_before / 1024:.1f} / {max(rss_samples) / 1024:.1f} MiB",
                "",
                None,
            ),
            (
                "run time (message sent -> run.finished) p50 / p99",
                f"{secs(median(walls))} / {secs(percentile(walls, 99))}",
                f"scripted stream alone ~{stream_seconds:.1f} s",
                None,
            ),
            (
                "CPU during the load: server",
                f"{cpu_load['server'] / load_seconds:.0%} of a core",
                f"{load_seconds:.0f} s of load",
                None,
            ),
            (
                "  sim / load client / pinger",
                " / ".join(
                    f"{cpu_load[k] / load_seconds:.0%}" for k in ("sim", "load client", "pinger")
                ),
                f"the machine has {os.cpu_count()} cores",
                None,
            ),
            (
                f"pongs over {GOAL_PONG_P99 * 1000:.0f} ms under load",
                f"{sum(v > GOAL_PONG_P99 for v in load_pongs)}/{len(load_pongs)}",
                "",
                None,
            ),
            ("events delivered and checked", f"{events}", "", None),
        ],
    )
    for problem, count in sorted(failures.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  failure: {count} x {problem}")
    if args.timeline:
        print_timeline(waves, pings["slow"])


def print_timeline(waves: list[tuple[float, float]], slow: list[list[float]]) -> None:
    """Each slow pong, placed relative to the wave it fell in."""
    print("  slow pongs (sent at, relative to its wave's start; latency):")
    for sent, latency in slow:
        where = next(
            (
                f"wave {i + 1} +{sent - a:6.2f} s (wave {b - a:.1f} s)"
                for i, (a, b) in enumerate(waves)
                if a <= sent <= b
            ),
            "between waves",
        )
        print(f"    {where}: {latency * 1000:.0f} ms")


async def main(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 4 * (args.clients + PINGERS) + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    with tempfile.TemporaryDirectory(prefix="appwright-bench-") as tmp:
        async with contextlib.AsyncExitStack() as stack:
            database_url = await stack.enter_async_context(scratch_pg(args.pg)) if args.pg else None
            try:
                await load(args, Path(tmp), database_url)
            except BaseException:
                for name in ("serve.log", "sim.log"):
                    path = Path(tmp) / name
                    if path.exists():
                        print(f"--- tail of {name}:\n{path.read_text()[-3000:]}", file=sys.stderr)
                raise


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pinger", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1000, help="at most --clients: one per session")
    parser.add_argument("--tokens", type=int, default=300, help="tokens per run (both turns)")
    parser.add_argument("--tps", type=float, default=50.0, help="tokens per second per run")
    parser.add_argument("--timeline", action="store_true", help="list slow pongs by wave")
    parser.add_argument(
        "--pg", metavar="URL", nargs="?", const=DEFAULT_PG, help="use PostgreSQL (scratch DB)"
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        nargs="?",
        const="redis://127.0.0.1:6379/0",
        help="use Redis fan-out",
    )
    parsed = parser.parse_args()
    asyncio.run(pinger_main() if parsed.pinger else main(parsed))
