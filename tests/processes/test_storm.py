"""The storm, small: runs over two real processes (PostgreSQL + Redis) with model faults,
clients dropping and resuming on either process, and a `kill -9` with a restart; then every
session is held to the contract. `bench/storm.py` runs the large one."""

from __future__ import annotations

import os

from storm_driver import StormConfig, storm

REDIS_URL = os.environ.get("APPWRIGHT_TEST_REDIS", "redis://127.0.0.1:6379/0")


async def test_a_storm_of_faults_drops_and_a_kill_leaves_every_log_whole(
    sim, own_pg_url, tmp_path
) -> None:
    config = StormConfig(runs=10, concurrency=5, kills=1, restart_after=1.0, aim=20, seed=7)
    report = await storm(
        config,
        sim=sim,
        database_url=own_pg_url,
        redis_url=REDIS_URL,
        workdir=tmp_path,
        base_env=dict(os.environ),
    )
    assert report.problems() == []
    assert len(report.verdicts) == config.runs
    assert (report.kills, report.restarts) == (1, 1)
    assert report.broken_logs == report.hangs == report.client_mismatches == 0
    assert report.edits_lost == report.edits_doubled == 0
    # Every run that completed applied its edit, or was told why it could not.
    completed = [v for v in report.verdicts if v.status == "completed"]
    assert all(v.applied == 1 or v.refused for v in completed)
    # What the storm is for happened: a run was taken over mid-tool, sockets dropped.
    assert any(v.resumed and v.closed_by_takeover for v in report.verdicts)
    assert report.drops > 0
