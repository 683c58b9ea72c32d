"""Loop overhead: what a turn costs beyond the model's and the tools' own time.

200 runs (after 10 warm-up runs), one at a time, each of 3 turns from the in-process
`ScriptedModel` at zero delay: list_files; list_files x2; a closing text. Runs go through
`Runtime.sessions.submit`, each in a fresh session, and the script waits for `run.finished`
on the bus.

Per-turn overhead (from the session log): a turn lasts from its `turn.started` to the next
`turn.started` (or `run.finished`); from that we subtract the union of its tools' intervals
(`tool.finished` ts minus `duration_ms`, to `tool.finished` ts). `ts` and `duration_ms` have
millisecond resolution, so single figures are +-1-2 ms.

A finer cross-check, with perf_counter: the gap between the end of one model stream and the
next model request, minus the turn's tool time (the model is wrapped to stamp both ends).

    .venv/bin/python bench/loop_overhead.py [--runs 200] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from common import (
    add_pg_option,
    clean_env,
    make_settings,
    ms,
    percentile,
    print_table,
    scratch_pg,
    setup_logging,
    ts_seconds,
    wait_for,
)

from appwright.log_names import session_log
from appwright.models.types import ModelRequest, StreamEvent
from appwright.runtime import Runtime
from appwright.testing.fake_search import FakeSearch
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool

WARMUP = 10


class TimedModel:
    """Wraps a model and stamps (perf_counter) the start and the end of every stream."""

    def __init__(self, inner: ScriptedModel) -> None:
        self.inner = inner
        self.stamps: list[tuple[float, float]] = []

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        started = time.perf_counter()
        async for event in self.inner.stream(request):
            yield event
        self.stamps.append((started, time.perf_counter()))

    async def aclose(self) -> None:
        await self.inner.aclose()


def script() -> list[Turn]:
    return [
        Turn([tool("list_files")]),
        Turn([tool("list_files"), tool("list_files")]),
        Turn([text("Done: the app has one file.")]),
    ]


def union_length(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    clipped = sorted((max(a, lo), min(b, hi)) for a, b in intervals if min(b, hi) > max(a, lo))
    total, end = 0.0, -float("inf")
    for a, b in clipped:
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def turn_overheads(events: list[dict[str, Any]]) -> list[float]:
    bounds = [ts_seconds(e["ts"]) for e in events if e["type"] == "turn.started"]
    bounds.append(ts_seconds(next(e["ts"] for e in events if e["type"] == "run.finished")))
    tools = [
        (ts_seconds(e["ts"]) - e["duration_ms"] / 1000, ts_seconds(e["ts"]))
        for e in events
        if e["type"] == "tool.finished"
    ]
    return [
        hi - lo - union_length(tools, lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]


def gap_overheads(stamps: list[tuple[float, float]], events: list[dict[str, Any]]) -> list[float]:
    """Between consecutive model calls of one run: next start - previous end - tool time."""
    tool_ms_by_turn: dict[int, float] = {}
    turn = 0
    for e in events:
        if e["type"] == "turn.started":
            turn = e["turn"]
        elif e["type"] == "tool.finished":
            tool_ms_by_turn[turn] = max(tool_ms_by_turn.get(turn, 0), e["duration_ms"])
    return [
        nxt[0] - prev[1] - tool_ms_by_turn.get(i + 1, 0) / 1000
        for i, (prev, nxt) in enumerate(zip(stamps, stamps[1:], strict=False))
    ]


async def measure(database_url: str | None, runs: int, tmp: Path) -> dict[str, list[float]]:
    model = TimedModel(ScriptedModel(script()))
    rt = Runtime(make_settings(tmp, database_url), model=model, search=FakeSearch())
    await rt.start()
    try:
        vendor, _ = await rt.workspace.create_vendor("bench")
        app = await rt.workspace.create_app(vendor.id, "shop", {"index.html": "<p>hi</p>\n"})
        turns: list[float] = []
        gaps: list[float] = []
        walls: list[float] = []
        starts: list[float] = []
        ends: list[float] = []
        for i in range(WARMUP + runs):
            session = await rt.sessions.create_session(vendor.id, app.id)
            model.stamps.clear()
            async with rt.bus.subscribe(session_log(session.id)) as subscription:
                started = time.perf_counter()
                run_id, _ = await rt.sessions.submit(vendor.id, session.id, "What files are there?")
                end = await wait_for(
                    subscription,
                    lambda e, run_id=run_id: e["type"] == "run.finished" and e["run_id"] == run_id,
                    timeout=30,
                )
                finished = time.perf_counter()
                wall = finished - started
            if end["status"] != "completed":
                raise RuntimeError(f"run ended {end['status']}: {end.get('error')}")
            if i < WARMUP:
                continue
            events = await rt.sessions.session_events(vendor.id, session.id, 0)
            turns.extend(turn_overheads(events))
            gaps.extend(gap_overheads(list(model.stamps), events))
            walls.append(wall)
            starts.append(model.stamps[0][0] - started)
            ends.append(finished - model.stamps[-1][1])
        return {"turns": turns, "gaps": gaps, "walls": walls, "starts": starts, "ends": ends}
    finally:
        await rt.stop()


def report(name: str, figures: dict[str, list[float]], runs: int) -> None:
    t, g, w = figures["turns"], figures["gaps"], figures["walls"]
    a, z = figures["starts"], figures["ends"]
    print_table(
        f"loop_overhead on {name}: {runs} runs x 3 turns (ScriptedModel, zero delay, list_files)",
        [
            (
                "per-turn overhead p50 (event ts)",
                ms(percentile(t, 50)),
                "no goal set: track it",
                None,
            ),
            ("per-turn overhead p99 (event ts)", ms(percentile(t, 99)), "", None),
            ("model-call gap minus tools p50 (perf_counter)", ms(percentile(g, 50)), "", None),
            ("model-call gap minus tools p99 (perf_counter)", ms(percentile(g, 99)), "", None),
            ("submit -> run.finished on the bus p50", ms(percentile(w, 50)), "", None),
            ("submit -> run.finished on the bus p99", ms(percentile(w, 99)), "", None),
            ("  of which submit -> first model request p50", ms(percentile(a, 50)), "", None),
            ("  of which submit -> first model request p99", ms(percentile(a, 99)), "", None),
            ("  of which last stream end -> run.finished p50", ms(percentile(z, 50)), "", None),
            ("  of which last stream end -> run.finished p99", ms(percentile(z, 99)), "", None),
            ("turns measured", str(len(t)), "", None),
        ],
    )


async def main(args: argparse.Namespace) -> None:
    clean_env()
    setup_logging()
    with tempfile.TemporaryDirectory(prefix="appwright-bench-") as tmp:
        report("SQLite", await measure(None, args.runs, Path(tmp) / "sqlite"), args.runs)
        if args.pg:
            async with contextlib.AsyncExitStack() as stack:
                url = await stack.enter_async_context(scratch_pg(args.pg))
                report("PostgreSQL", await measure(url, args.runs, Path(tmp) / "pg"), args.runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    add_pg_option(parser)
    asyncio.run(main(parser.parse_args()))
