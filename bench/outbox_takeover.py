"""Outbox takeover, large: 200 versions of one app made through two `appwright serve`
processes with a data dir each (no shared disk) on a scratch PostgreSQL database and Redis,
pushed to a bare repository served over smart HTTP that answers each request after 0.3 s;
the process draining the app's outbox is killed with `kill -9` 4 times while it pushes, each
restarted 1 s later as a new machine (an empty data dir); one process is down at a time, and
versions go on past 200 while a kill is still due. Then the remote branch is held to the
database: every version on it once, in order, as the very commit the database records; the
figures are printed beside their goals.

The run itself (processes, remote, kills, checks) is `tests/processes/outbox_driver.py`,
which the test suite runs small (`tests/processes/test_many_machines.py`).

"pushes" are the pushes the remote received (each carries every version committed since
the last); "rebuilds" are repositories a process wrote anew from the database because its
disk had none (or a damaged one), "brought up to date" those it extended from the database
after another process had drained.

    .venv/bin/python bench/outbox_takeover.py [--versions 200] [--kills 4] [--pace 0.05]
        [--remote-delay 0.3] [--lease 2] [--pg [URL]] [--redis URL]
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

from outbox_driver import OutboxReport, OutboxRunConfig, drive  # noqa: E402

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def rows(config: OutboxRunConfig, report: OutboxReport) -> list[tuple[str, str, str, bool | None]]:
    made = report.made  # `versions`, or more while a kill was still due
    return [
        (
            "versions in the database (the first included)",
            str(report.versions),
            f"{made} made",
            report.versions == made,
        ),
        (
            "kills (kill -9 of the drainer), restarts",
            f"{report.kills}, {report.restarts}",
            f"{config.kills}",
            report.kills == config.kills,
        ),
        ("pushes the remote received", str(report.pushes), "", None),
        (
            "versions reported pushed (commit.updated)",
            str(report.pushed_events),
            str(made),
            report.pushed_events == made,
        ),
        (
            "repositories rebuilt from the database",
            str(report.rebuilds),
            ">= 1",
            report.rebuilds >= 1,
        ),
        ("repositories brought up to date from it", str(report.extended), "", None),
        (
            "commits on the remote branch",
            str(report.on_remote),
            str(made),
            report.on_remote == made,
        ),
        ("duplicates on the remote", str(report.duplicates), "0", report.duplicates == 0),
        ("out of order on the remote", str(report.out_of_order), "0", report.out_of_order == 0),
        ("versions missing from the remote", str(report.missing), "0", report.missing == 0),
        (
            "remote commits not the recorded sha",
            str(report.sha_mismatches),
            "0",
            report.sha_mismatches == 0,
        ),
        ("wall time", f"{report.seconds:.0f} s", "", None),
    ]


async def main(args: argparse.Namespace) -> int:
    base_env = clean_env()
    config = OutboxRunConfig(
        versions=args.versions,
        kills=args.kills,
        lease_seconds=args.lease,
        remote_delay=args.remote_delay,
        restart_after=args.restart_after,
        pace=args.pace,
    )
    with tempfile.TemporaryDirectory(prefix="appwright-outbox-") as workdir:
        async with scratch_pg(args.pg or DEFAULT_PG) as database_url:
            report = await drive(
                config,
                database_url=database_url,
                redis_url=args.redis,
                workdir=Path(workdir),
                base_env=base_env,
            )
    print_table(
        f"Outbox takeover: {config.versions} versions through 2 processes with a data dir "
        f"each (PostgreSQL + Redis), {config.kills} x kill -9 of the drainer",
        rows(config, report),
    )
    for problem in report.problems[:20]:
        print(f"  ! {problem}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--pace", type=float, default=0.05, help="seconds between versions")
    parser.add_argument("--remote-delay", type=float, default=0.3)
    parser.add_argument("--restart-after", type=float, default=1.0)
    parser.add_argument("--lease", type=float, default=2.0, help="APPWRIGHT_GIT_LEASE_SECONDS")
    add_pg_option(parser, "the PostgreSQL server to use (it always runs on PostgreSQL)")
    parser.add_argument(
        "--redis", default=DEFAULT_REDIS, help=f"Redis URL (default {DEFAULT_REDIS})"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
