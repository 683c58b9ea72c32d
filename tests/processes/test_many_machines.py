"""Two processes that share no disk (a data dir each) on one PostgreSQL and Redis: versions
made through both, the process draining the outbox killed with `kill -9`, and still every
version reaches a real bare repository once, in order, as the commits the database records.
`bench/outbox_takeover.py` runs the same, large."""

from __future__ import annotations

import os

from outbox_driver import OutboxRunConfig, drive

REDIS_URL = os.environ.get("APPWRIGHT_TEST_REDIS", "redis://127.0.0.1:6379/0")


async def test_killing_the_drainer_leaves_every_version_pushed_once_in_order(
    own_pg_url: str, tmp_path
) -> None:
    config = OutboxRunConfig(versions=8, kills=1)
    report = await drive(
        config,
        database_url=own_pg_url,
        redis_url=REDIS_URL,
        workdir=tmp_path,
        base_env=dict(os.environ),
    )
    assert report.problems == []
    assert (report.kills, report.restarts) == (1, 1)
    assert report.versions == report.on_remote == report.pushed_events == report.made
    assert report.duplicates == report.out_of_order == report.missing == 0
    assert report.sha_mismatches == 0
    # The process that took over wrote, from the database, what its disk did not have.
    assert report.rebuilds + report.extended >= 1
