"""A storm: many runs over two real `appwright serve` processes sharing PostgreSQL and Redis,
faults on a share of the model calls, WebSocket clients that drop and resume on either
process, and `kill -9` of a process (restarted a moment later) while runs are in flight.
At the end every session is checked against the contract (`check_run`).

The small storm runs in the test suite (`test_storm.py`); `bench/storm.py` runs the large
one and prints the counts. Both drive it through `storm()`.

Each run has its own app and session, so the scripted model (one script for all runs: the
sim counts a run's turns from its conversation) asks every run for the same three turns:
a text with a slow web search and an edit in the same message (the edit is applied while
the search still runs), a read of the file, and a closing text. The edit appends a line
before a marker that stays, so an edit applied twice shows as two lines, two versions.

A client sends its message over its socket (or, for some runs, by POST), reads frames,
sometimes drops the socket on purpose, and reconnects to either process (whichever is up),
resuming after the last `seq` it saw and resending its message until it has seen the
`run.started` carrying its `client_msg_id`. A kill waits for a share of the runs to finish,
then, if it can within a few seconds, for a moment when the victim runs a tool, and the
victim restarts `restart_after` seconds later on the same port. Kills are spread over the
first two thirds of the runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from serving import ServeProcess
from storm_checks import ITEM, RunTrace, StormReport, Verdict, check_run
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from appwright.sim import SimServer

MODEL = "storm"
ADMIN = "storm-admin"
MARK = "<!-- end -->"
SITE = {"index.html": f"<ul>\n{MARK}\n</ul>\n"}
PROMPT = "Add an item to the list, after checking what such lists usually hold."
# (kind, weight, extra): stalls cost the idle timeout, so they are the rarest
FAULTS = [
    ({"kind": "status", "status": 529}, 4),
    ({"kind": "status", "status": 500}, 2),
    ({"kind": "drop_after"}, 3),
    ({"kind": "error_event_after"}, 2),
    ({"kind": "stall_after"}, 1),
]


@dataclass(frozen=True)
class StormConfig:
    runs: int
    concurrency: int
    kills: int
    restart_after: float = 3.0
    fault_rate: float = 0.2
    drop_rate: float = 0.25  # share of socket connections a client drops on purpose
    post_rate: float = 0.25  # share of runs whose message is POSTed instead of sent as a frame
    hang_after: float = 120.0  # seconds from a run's message to its end before it is a hang
    aim: float = 3.0  # seconds a kill may wait for its victim to be running a tool
    seed: int = 1


def sim_turns(config: StormConfig, rng: random.Random) -> list[dict[str, Any]]:
    """The one script every run follows, with faults on about `fault_rate` of the calls of
    each turn (the sim numbers a turn's attempts across all runs)."""
    calls_per_turn = config.runs * 2 + 20  # first attempts, retries and turns asked again
    kinds = [kind for kind, _ in FAULTS]
    weights = [weight for _, weight in FAULTS]

    def faults() -> list[dict[str, Any]]:
        chosen = []
        for attempt in range(1, calls_per_turn + 1):
            if rng.random() < config.fault_rate:
                fault = {"attempt": attempt, **rng.choices(kinds, weights)[0]}
                if fault["kind"] != "status":
                    fault["events"] = rng.randint(2, 8)
                chosen.append(fault)
        return chosen

    def text(value: str) -> dict[str, Any]:
        return {"type": "text", "text": value}

    def tool(name: str, **tool_input: Any) -> dict[str, Any]:
        return {"type": "tool_use", "name": name, "input": tool_input}

    return [
        {
            "content": [
                text("I will look at what such lists usually hold, and add the item now. "),
                tool("web_search", query="[[delay=0.6]] what do lists like this hold"),
                tool(
                    "apply_edit", filepath="index.html", old_code=MARK, new_code=f"{ITEM}\n{MARK}"
                ),
            ],
            "token_delay": 0.02,
            "faults": faults(),
        },
        {
            "content": [
                text("Let me check the file. "),
                tool("get_current_code", filepath="index.html"),
            ],
            "token_delay": 0.02,
            "faults": faults(),
        },
        {
            "content": [text("Done: the list has one more item, and nothing else changed.")],
            "token_delay": 0.02,
            "faults": faults(),
        },
    ]


def serve_env(
    base: dict[str, str],
    *,
    model: str,
    sim_url: str,
    data_dir: Path,
    database_url: str,
    redis_url: str,
) -> dict[str, str]:
    env = {
        k: v
        for k, v in base.items()
        if not k.startswith(("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_"))
    }
    env.update(
        {
            "APPWRIGHT_DATA_DIR": str(data_dir),
            "APPWRIGHT_DATABASE_URL": database_url,
            "APPWRIGHT_REDIS_URL": redis_url,
            "APPWRIGHT_ADMIN_TOKEN": ADMIN,
            "APPWRIGHT_MODEL": model,
            "ANTHROPIC_API_KEY": "sk-ant-storm",
            "ANTHROPIC_BASE_URL": sim_url,
            "EXA_API_KEY": "exa-storm",
            "EXA_BASE_URL": sim_url,
            "APPWRIGHT_RUN_LEASE_SECONDS": "2",
            "APPWRIGHT_RUN_HEARTBEAT_SECONDS": "0.5",
            "APPWRIGHT_TIMEOUT_MODEL_IDLE": "2",
            "APPWRIGHT_RETRY_BASE": "0.2",
            "APPWRIGHT_RETRY_CAP": "1",
            "APPWRIGHT_TIMEOUT_RUN": "120",
            "APPWRIGHT_LOG_LEVEL": "WARNING",
            "APPWRIGHT_LOG_JSON": "true",
        }
    )
    return env


async def storm(
    config: StormConfig,
    *,
    sim: SimServer,
    database_url: str,
    redis_url: str,
    workdir: Path,
    base_env: dict[str, str],
) -> StormReport:
    rng = random.Random(config.seed)
    model = f"{MODEL}-{uuid.uuid4().hex[:8]}"
    turns = sim_turns(config, rng)
    sim.script(model, turns)
    faulty = {(i, f["attempt"]) for i, turn in enumerate(turns) for f in turn["faults"]}
    env = serve_env(
        base_env,
        model=model,
        sim_url=sim.url,
        data_dir=workdir / "data",
        database_url=database_url,
        redis_url=redis_url,
    )
    processes = [ServeProcess(env, workdir / f"{name}.log") for name in ("a", "b")]
    try:
        for process in processes:
            process.start()
        await asyncio.gather(*(p.ready() for p in processes))
        async with httpx.AsyncClient(timeout=15) as http:
            report = await _Storm(config, processes, http, rng).run()
        requests = sim.requests(model)
        report.model_calls = len(requests)
        report.faults_hit = sum((r["turn"], r["attempt"]) in faulty for r in requests)
        return report
    finally:
        for process in processes:
            process.stop()
        sim.forget(model)


class _Storm:
    def __init__(
        self,
        config: StormConfig,
        processes: list[ServeProcess],
        http: httpx.AsyncClient,
        rng: random.Random,
    ) -> None:
        self.config = config
        self.processes = processes
        self.http = http
        self.rng = rng
        self.token = ""
        self.traces = [
            RunTrace(i, "post" if rng.random() < config.post_rate else "ws")
            for i in range(config.runs)
        ]
        self.report = StormReport()
        self.done = 0
        self._slots = asyncio.Semaphore(config.concurrency)

    async def run(self) -> StormReport:
        started = time.monotonic()
        r = await self._call("POST", "/api/vendors", {"name": "storm"}, token=ADMIN, expect=201)
        self.token = r.json()["token"]
        chaos = asyncio.create_task(self._chaos())
        await asyncio.gather(*(self._client(trace) for trace in self.traces))
        await chaos  # a restart under way completes
        self.report.seconds = time.monotonic() - started
        for trace in self.traces:
            self.report.verdicts.append(await self._verdict(trace))
        self.report.hangs = sum(t.hung for t in self.traces)
        self.report.drops = sum(t.drops for t in self.traces)
        self.report.client_errors = [e for t in self.traces for e in t.errors]
        return self.report

    # --- processes -------------------------------------------------------------------------

    def _up(self) -> list[ServeProcess]:
        up = [p for p in self.processes if p.proc is not None and p.proc.poll() is None]
        return up or self.processes

    async def _chaos(self) -> None:
        kills = self.config.kills
        for k in range(kills):
            # The last kill comes with a third of the runs still to go, so a restart that
            # takes a while never pushes a kill past the end of the load.
            threshold = (k + 1) * self.config.runs // (kills + 2)
            while self.done < threshold:
                await asyncio.sleep(0.05)
            if self.done == self.config.runs:
                return
            victim = self.processes[k % len(self.processes)]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.aim):
                    while not any(t.owner is victim and t.running_a_tool() for t in self.traces):
                        await asyncio.sleep(0.02)
            victim.kill9()
            self.report.kills += 1
            await asyncio.sleep(self.config.restart_after)
            victim.start()
            await victim.ready()
            self.report.restarts += 1

    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        expect: int,
        trace: RunTrace | None = None,
    ) -> httpx.Response:
        """An HTTP call to whichever process is up, tried again on another after a transport
        error or a 5xx (the process went down under it)."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with asyncio.timeout(self.config.hang_after):
            while True:
                process = self.rng.choice(self._up())
                try:
                    r = await self.http.request(
                        method, process.url + path, json=body, headers=headers
                    )
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
                    continue
                if r.status_code >= 500:
                    await asyncio.sleep(0.2)
                    continue
                if r.status_code != expect:
                    raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
                if trace is not None and trace.owner is None:
                    trace.owner = process
                return r

    # --- one run's client ----------------------------------------------------------------------

    async def _client(self, trace: RunTrace) -> None:
        async with self._slots:
            try:
                await self._follow(trace)
            except Exception as error:  # recorded, never raised: the storm goes on
                trace.errors.append(f"run {trace.index}: {type(error).__name__}: {error}")
            finally:
                self.done += 1

    async def _follow(self, trace: RunTrace) -> None:
        r = await self._call(
            "POST", "/api/apps", {"name": f"storm {trace.index}", "files": SITE}, expect=201
        )
        trace.app_id = r.json()["id"]
        r = await self._call("POST", f"/api/apps/{trace.app_id}/sessions", expect=201)
        trace.session_id = r.json()["id"]
        message = {"type": "message", "text": PROMPT, "client_msg_id": trace.client_msg_id}
        if trace.via == "post":
            await self._call(
                "POST",
                f"/api/sessions/{trace.session_id}/messages",
                {"text": PROMPT, "client_msg_id": trace.client_msg_id},
                expect=202,
                trace=trace,
            )
        deadline = time.monotonic() + self.config.hang_after
        while not trace.finished:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                trace.hung = True
                return
            process = self.rng.choice(self._up())
            url = process.url.replace("http", "ws", 1)
            url += f"/api/sessions/{trace.session_id}/ws?token={self.token}"
            drop_after = (
                self.rng.randint(1, 12) if self.rng.random() < self.config.drop_rate else None
            )
            try:
                async with (
                    asyncio.timeout(remaining),
                    connect(url, open_timeout=5, close_timeout=1, max_size=2**24) as ws,
                ):
                    await ws.send(json.dumps({"type": "resume", "after": trace.last_seq}))
                    if trace.via == "ws" and not trace.started:
                        await ws.send(json.dumps(message))
                    async for raw in ws:
                        if self._on_frame(trace, process, json.loads(raw)):
                            return
                        if drop_after is not None:
                            drop_after -= 1
                            if drop_after == 0:
                                trace.drops += 1
                                break
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                await asyncio.sleep(0.1)

    def _on_frame(self, trace: RunTrace, process: ServeProcess, frame: dict[str, Any]) -> bool:
        """Takes a frame; True once the run has ended."""
        kind = frame.get("type")
        if kind == "accepted" and not frame.get("duplicate") and trace.owner is None:
            trace.owner = process
        if kind == "error":
            trace.errors.append(f"run {trace.index}: error frame {frame.get('error')}")
        if "seq" not in frame:
            return False
        if frame["seq"] != trace.last_seq + 1:
            trace.errors.append(
                f"run {trace.index}: seq {frame['seq']} after {trace.last_seq} on a resumed socket"
            )
        trace.received.append(frame)
        if kind == "run.finished":
            trace.finished = True
        return trace.finished

    # --- the end state ---------------------------------------------------------------------------

    async def _verdict(self, trace: RunTrace) -> Verdict:
        if not trace.session_id:
            return Verdict(broken=[f"run {trace.index}: never started ({trace.errors})"])
        events = (
            await self._call("GET", f"/api/sessions/{trace.session_id}/events", expect=200)
        ).json()["events"]
        versions = (
            await self._call("GET", f"/api/apps/{trace.app_id}/versions", expect=200)
        ).json()
        content = (
            await self._call("GET", f"/api/apps/{trace.app_id}/files/index.html", expect=200)
        ).json()["content"]
        return check_run(trace, events, versions, content)
