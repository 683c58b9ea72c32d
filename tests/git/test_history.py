"""The app's repository is a cache of the database: lost, damaged or left behind by another
process, it is written again commit for commit (the same shas), so the remote receives a
fast-forward and never a different history."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from test_outbox import Service, Vendor, bare, remote_history, serve, states

from appwright.config import Settings
from appwright.git.history import bring_up_to_date
from appwright.git.outbox import GitOutbox
from appwright.store import drain_leases as leases
from appwright.store.ids import now


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(allow_local_remotes=True, timeout_git=3.0)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    async with serve(settings) as svc:
        yield svc


async def _pushed_app(service: Service, tmp_path: Path) -> tuple[Vendor, str, Path]:
    """An app with versions of every kind of change, all pushed to a bare remote."""
    vendor = await service.vendor()
    app_id = await vendor.create_app({"index.html": "<h1>0</h1>", "css/site.css": "a{}"})
    remote = bare(tmp_path / "remotes" / "site.git")
    put = await vendor.call("PUT", f"/api/apps/{app_id}/remote", json={"url": str(remote)})
    assert put.status_code == 200, put.text
    await _edits_pushed(vendor, app_id, ["<h1>1</h1>", "<h1>2</h1>"])
    await vendor.edit(app_id, "css/site.css", None)
    assert (await vendor.call("POST", f"/api/apps/{app_id}/undo")).status_code == 200
    await vendor.until(app_id, lambda vs: len(vs) == 5 and states("pushed")(vs))
    return vendor, app_id, remote


async def _edits_pushed(vendor: Vendor, app_id: str, contents: list[str]) -> list[str]:
    """Make the edits, wait until all is pushed; every version's sha, newest first."""
    count = len(await vendor.versions(app_id)) + len(contents)
    for content in contents:
        await vendor.edit(app_id, "index.html", content)
    versions = await vendor.until(app_id, lambda vs: len(vs) == count and states("pushed")(vs))
    return [v["commit"]["sha"] for v in versions]


async def test_a_lost_repository_is_rebuilt_as_the_same_commits_and_pushes_on(
    service: Service, tmp_path: Path
) -> None:
    vendor, app_id, remote = await _pushed_app(service, tmp_path)
    repo = service.repo(app_id)
    before = await repo.log()
    shutil.rmtree(repo.path)

    assert await bring_up_to_date(service.runtime.db, repo, app_id) == "rebuilt"
    assert await repo.log() == before  # shas, messages and files
    assert [sha for sha, _m, _f in before] == remote_history(remote)

    # The next version goes out from the rebuilt repository as a fast-forward.
    shas = await _edits_pushed(vendor, app_id, ["<h1>after</h1>"])
    assert remote_history(remote) == shas
    assert shas[1:] == [sha for sha, _m, _f in before]


async def test_a_repository_left_behind_is_brought_up_to_date(
    service: Service, tmp_path: Path
) -> None:
    vendor, app_id, remote = await _pushed_app(service, tmp_path)
    repo = service.repo(app_id)
    old = tmp_path / "old.git"
    shutil.copytree(repo.path, old)
    # Another process drained these (here: this one, with the old copy put back after).
    shas = await _edits_pushed(vendor, app_id, ["<h1>3</h1>", "<h1>4</h1>"])
    shutil.rmtree(repo.path)
    shutil.copytree(old, repo.path)

    assert await bring_up_to_date(service.runtime.db, repo, app_id) == "extended"
    assert [sha for sha, _m, _f in await repo.log()] == shas == remote_history(remote)
    assert await bring_up_to_date(service.runtime.db, repo, app_id) == "current"


async def test_a_damaged_repository_is_set_aside_and_rebuilt(
    service: Service, tmp_path: Path
) -> None:
    vendor, app_id, remote = await _pushed_app(service, tmp_path)
    repo = service.repo(app_id)
    before = await repo.log()
    shutil.rmtree(repo.path / "objects")  # the branch names commits that are gone

    assert await bring_up_to_date(service.runtime.db, repo, app_id) == "rebuilt"
    assert await repo.log() == before
    aside = [p.name for p in repo.path.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1  # kept for a person to look at
    shas = await _edits_pushed(vendor, app_id, ["<h1>after</h1>"])
    assert remote_history(remote) == shas


async def test_another_process_takes_over_a_dead_drainer_and_rebuilds_what_it_lacks(
    service: Service, settings: Settings, tmp_path: Path
) -> None:
    """The process draining the app dies holding its lease; another one, with a data dir of
    its own (nothing of the app's repository), takes over once the lease runs out."""
    vendor, app_id, remote = await _pushed_app(service, tmp_path)
    await service.outbox.stop()
    runtime = service.runtime
    until = now() + timedelta(seconds=1)
    await runtime.db.run(lambda conn: leases.claim(conn, app_id, "dead", now(), until))
    await vendor.edit(app_id, "index.html", "<h1>while nobody drains</h1>")

    elsewhere = settings.model_copy(
        update={"data_dir": tmp_path / "other", "database_url": settings.resolved_database_url}
    )
    other = GitOutbox(elsewhere, runtime.db, runtime.bus, runtime.metrics, poll_interval=0.2)
    await other.start()
    try:
        versions = await vendor.until(app_id, lambda vs: len(vs) == 6 and states("pushed")(vs))
    finally:
        await other.stop()
    assert remote_history(remote) == [v["commit"]["sha"] for v in versions]
    assert [sha for sha, _m, _f in await other.repository(app_id).log()] == remote_history(remote)
    rebuilt = runtime.metrics.registry.get_sample_value(
        "appwright_git_repository_rebuilds_total", {"outcome": "rebuilt"}
    )
    assert rebuilt == 1
