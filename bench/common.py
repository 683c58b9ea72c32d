"""Helpers shared by the benchmark scripts: settings, a scratch PostgreSQL database, waiting
on the bus, statistics and the figure table every script prints.

The scripts import this as `common` (each runs as `python bench/NAME.py`, so `bench/` is on
`sys.path`). Nothing here generates load; every server it helps start listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import socket
import statistics
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from appwright.config import Settings

ADMIN_TOKEN = "bench-admin-token"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
_ENV_PREFIXES = ("APPWRIGHT_", "ANTHROPIC_", "OPENAI_", "EXA_")


def clean_env() -> dict[str, str]:
    """Drop appwright's and the providers' variables from this process (and return the rest),
    so a benchmark measures the configuration it builds, not the caller's shell."""
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIXES)]:
        del os.environ[key]
    return dict(os.environ)


def make_settings(data_dir: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "admin_token": ADMIN_TOKEN,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def scratch_pg(admin_url: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database on `admin_url`'s server for one benchmark, dropped after;
    yields its SQLAlchemy (asyncpg) URL."""
    import asyncpg

    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"appwright_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = dsn.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def wait_for(
    subscription: Any, predicate: Callable[[dict[str, Any]], bool], timeout: float
) -> dict[str, Any]:
    """The next event on a bus subscription that matches `predicate`."""
    async with asyncio.timeout(timeout):
        while True:
            event = await subscription.get()
            if predicate(event):
                return event


def ts_seconds(iso: str) -> float:
    """An event's `ts` (ISO 8601, UTC, millisecond precision) as epoch seconds."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds:.3f} s"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def add_pg_option(parser: argparse.ArgumentParser, what: str = "also run on PostgreSQL") -> None:
    """`--pg [URL]`: a scratch database on URL's server (default DEFAULT_PG)."""
    parser.add_argument(
        "--pg",
        metavar="URL",
        nargs="?",
        const=DEFAULT_PG,
        help=f"{what} (a scratch database on URL's server; default {DEFAULT_PG})",
    )


def spread_rows(
    label: str, values: Sequence[float], goal: float, goal_text: str
) -> list[tuple[str, str, str, bool | None]]:
    """min / median / max rows of one figure, median and max judged against `goal`."""
    return [
        (f"{label}, min", secs(min(values)), f"<= {goal:g} s", None),
        (f"{label}, median", secs(median(values)), goal_text, median(values) <= goal),
        (f"{label}, max", secs(max(values)), f"<= {goal:g} s", max(values) <= goal),
    ]


def print_table(title: str, rows: Sequence[tuple[str, str, str, bool | None]]) -> None:
    """rows: (figure, value, goal, met?) — met None for figures without a goal."""
    header = ("figure", "value", "goal", "")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    print(f"\n{title}")
    line = f"  {{:<{widths[0]}}}  {{:>{widths[1]}}}  {{:<{widths[2]}}}  {{}}"
    print(line.format(*header))
    print("  " + "-" * (sum(widths) + 12))
    for figure, value, goal, ok in rows:
        print(line.format(figure, value, goal, verdict(ok)).rstrip())
    print()


def vmrss_kib(pid: int) -> int:
    """A process's resident set size from /proc/PID/status (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class _ExtrasFormatter(logging.Formatter):
    _standard = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in vars(record).items() if k not in self._standard}
        line = f"[{record.levelname.lower()} {record.name}] {record.getMessage()}"
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def setup_logging(level: int = logging.WARNING) -> None:
    """Warnings from appwright on stderr with their structured fields (error_type, ...)."""
    handler = logging.StreamHandler()
    handler.setFormatter(_ExtrasFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
