"""Parallel tools: one turn asks for 5 web searches of 1 s each; how long from the tool calls
to the next model request? Goal <= 1.1 s (v1 ran them one after another: 5 s).

The real path: the Anthropic SDK talks to a `SimServer` (scripted: a turn of 5 `web_search`
tool_use blocks, then a text turn), and web search is Exa through exa-py against the sim's
Exa stub, whose `[[delay=1]]` marker makes each search take 1 s.

Figure per repetition: the sim's `received_at` of the second model request minus the `ts`
of the first `tool.started` (both wall clock on this machine; `ts` has millisecond
precision). One warm-up repetition (SDK clients, connections) is run first and not counted.

    .venv/bin/python bench/parallel_tools.py [--reps 5] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from pathlib import Path
from typing import Any

from common import (
    add_pg_option,
    clean_env,
    make_settings,
    median,
    print_table,
    scratch_pg,
    secs,
    setup_logging,
    spread_rows,
    ts_seconds,
    wait_for,
)

from appwright.log_names import session_log
from appwright.runtime import Runtime
from appwright.sim import SimServer

MODEL = "bench-parallel-tools"
SEARCHES = 5
SEARCH_SECONDS = 1
GOAL = 1.1


def script() -> list[dict[str, Any]]:
    calls = [
        {
            "type": "tool_use",
            "name": "web_search",
            "input": {"query": f"topic {i} [[delay={SEARCH_SECONDS}]]", "num_results": 2},
        }
        for i in range(SEARCHES)
    ]
    return [
        {"content": [{"type": "text", "text": "Searching five things."}, *calls]},
        {"content": [{"type": "text", "text": "Here is what I found."}]},
    ]


async def one_run(rt: Runtime, sim: SimServer, vendor_id: str, app_id: str) -> dict[str, float]:
    await asyncio.to_thread(sim.script, MODEL, script())  # also resets the sim's request log
    session = await rt.sessions.create_session(vendor_id, app_id)
    async with rt.bus.subscribe(session_log(session.id)) as subscription:
        run_id, _ = await rt.sessions.submit(vendor_id, session.id, "Search five things at once")
        end = await wait_for(
            subscription,
            lambda e: e["type"] == "run.finished" and e["run_id"] == run_id,
            timeout=30,
        )
    if end["status"] != "completed":
        raise RuntimeError(f"run ended {end['status']}: {end.get('error')}")
    events = await rt.sessions.session_events(vendor_id, session.id, 0)
    requests = await asyncio.to_thread(sim.requests, MODEL)
    started = [ts_seconds(e["ts"]) for e in events if e["type"] == "tool.started"]
    finished = [e for e in events if e["type"] == "tool.finished"]
    if len(started) != SEARCHES or any(e["status"] != "ok" for e in finished):
        raise RuntimeError(f"expected {SEARCHES} ok searches, got {finished}")
    next_request = next(r["received_at"] for r in requests if r["turn"] == 1)
    return {
        "calls_to_next_request": next_request - min(started),
        "start_spread": max(started) - min(started),
        "longest_tool": max(e["duration_ms"] for e in finished) / 1000,
        "sum_tools": sum(e["duration_ms"] for e in finished) / 1000,
    }


async def main(args: argparse.Namespace) -> None:
    clean_env()
    setup_logging()
    with tempfile.TemporaryDirectory(prefix="appwright-bench-") as tmp:
        async with contextlib.AsyncExitStack() as stack:
            database_url = await stack.enter_async_context(scratch_pg(args.pg)) if args.pg else None
            sim = await stack.enter_async_context(SimServer())
            settings = make_settings(
                Path(tmp) / "data",
                database_url,
                anthropic_api_key="sk-ant-bench",
                anthropic_base_url=sim.url,
                exa_api_key="exa-bench",
                exa_base_url=sim.url,
                model=MODEL,
            )
            rt = Runtime(settings)
            await rt.start()
            stack.push_async_callback(rt.stop)
            vendor, _token = await rt.workspace.create_vendor("bench")
            app = await rt.workspace.create_app(vendor.id, "shop", {"index.html": "<p>hi</p>\n"})
            await one_run(rt, sim, vendor.id, app.id)  # warm-up, not counted
            results = [await one_run(rt, sim, vendor.id, app.id) for _ in range(args.reps)]

    figures = [r["calls_to_next_request"] for r in results]
    backend = "PostgreSQL" if args.pg else "SQLite"
    print_table(
        f"parallel_tools: {SEARCHES} web searches of {SEARCH_SECONDS} s in one turn "
        f"(Anthropic SDK + Exa stub via the sim, {backend}, {args.reps} repetitions)",
        [
            *spread_rows(
                "tool calls -> next model request", figures, GOAL, f"<= {GOAL} s (v1: 5 s)"
            ),
            (
                "spread of the 5 tool.started (median)",
                secs(median([r["start_spread"] for r in results])),
                "~0 (all start at once)",
                None,
            ),
            (
                "longest single search (median)",
                secs(median([r["longest_tool"] for r in results])),
                f"~{SEARCH_SECONDS} s",
                None,
            ),
            (
                "sum of the 5 search durations (median)",
                secs(median([r["sum_tools"] for r in results])),
                "what a serial loop would wait",
                None,
            ),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    add_pg_option(parser, "run on PostgreSQL")
    asyncio.run(main(parser.parse_args()))
