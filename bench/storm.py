"""The storm, large: 400 runs, 30 at a time, over two `appwright serve` processes sharing a
scratch PostgreSQL database and Redis; faults on ~20 % of model calls (the sim's fault
scripts: 529/500 answers, dropped streams, error events, stalls); WebSocket clients that
drop on purpose and resume on either process; `kill -9` of a process 4 times during the
load, each restarted 3 s later on the same port. Then every session is checked against the
contract and the counts are printed beside their goals.

The storm itself (processes, clients, kills, checks) is `tests/processes/storm_driver.py`,
which the test suite runs small (`tests/processes/test_storm.py`).

A run "ended correctly" when its session's log holds to the contract: contiguous `seq`, one
`run.started` and one `run.finished`, every `tool.started` finished exactly once (and before
any `run.resumed` after it). A "hang" is a run whose client saw no `run.finished` within
--hang-after seconds. An edit "lost" was reported applied but is absent (or applied without
a word, or missing from the file); one "doubled" was applied more than once. An edit refused
with an honest error (say, a timeout under load) is neither, and is counted on its own.

    .venv/bin/python bench/storm.py [--runs 400] [--concurrency 30] [--kills 4]
        [--restart-after 3] [--fault-rate 0.2] [--seed 1] [--pg [URL]] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from common import DEFAULT_PG, add_pg_option, clean_env, print_table, scratch_pg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "processes"))

from storm_checks import StormReport  # noqa: E402
from storm_driver import StormConfig, storm  # noqa: E402

from appwright.sim import SimServer  # noqa: E402

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def rows(config: StormConfig, report: StormReport) -> list[tuple[str, str, str, bool | None]]:
    runs = len(report.verdicts)
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(report.outcomes.items()))
    resumed = sum(v.resumed for v in report.verdicts)
    closed = sum(v.closed_by_takeover for v in report.verdicts)
    refused = sum(v.refused for v in report.verdicts)
    return [
        ("runs", str(runs), f"{config.runs}", runs == config.runs),
        (
            "kills (kill -9), restarts",
            f"{report.kills}, {report.restarts}",
            f">= {config.kills}",
            report.kills >= config.kills,
        ),
        (
            "runs ended correctly",
            str(report.ended_correctly),
            f"{runs}",
            report.ended_correctly == runs,
        ),
        ("broken logs", str(report.broken_logs), "0", report.broken_logs == 0),
        ("hangs", str(report.hangs), "0", report.hangs == 0),
        (
            "clients whose frames differ from the log",
            str(report.client_mismatches),
            "0",
            report.client_mismatches == 0,
        ),
        ("edits lost", str(report.edits_lost), "0", report.edits_lost == 0),
        ("edits doubled", str(report.edits_doubled), "0", report.edits_doubled == 0),
        ("edits applied", str(sum(v.applied for v in report.verdicts)), "", None),
        ("edits refused and reported so (e.g. timeout)", str(refused), "", None),
        ("run statuses", statuses, "", None),
        ("runs resumed after a takeover", str(resumed), "", None),
        ("tools closed by a takeover", str(closed), "", None),
        ("model calls, faulted", f"{report.model_calls}, {report.faults_hit}", "", None),
        ("sockets dropped by clients", str(report.drops), "", None),
        ("wall time", f"{report.seconds:.0f} s", "", None),
    ]


async def main(args: argparse.Namespace) -> int:
    base_env = clean_env()
    config = StormConfig(
        runs=args.runs,
        concurrency=args.concurrency,
        kills=args.kills,
        restart_after=args.restart_after,
        fault_rate=args.fault_rate,
        seed=args.seed,
    )
    with tempfile.TemporaryDirectory(prefix="appwright-storm-") as workdir:
        async with scratch_pg(args.pg or DEFAULT_PG) as database_url, SimServer() as sim:
            report = await storm(
                config,
                sim=sim,
                database_url=database_url,
                redis_url=args.redis,
                workdir=Path(workdir),
                base_env=base_env,
            )
    print_table(
        f"Storm: {config.runs} runs, {config.concurrency} at a time, 2 processes "
        f"(PostgreSQL + Redis), faults on {config.fault_rate:.0%} of model calls",
        rows(config, report),
    )
    for problem in report.problems()[:20]:
        print(f"  ! {problem}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--restart-after", type=float, default=3.0)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    add_pg_option(parser, "the PostgreSQL server to use (it always runs on PostgreSQL)")
    parser.add_argument(
        "--redis", default=DEFAULT_REDIS, help=f"Redis URL (default {DEFAULT_REDIS})"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
