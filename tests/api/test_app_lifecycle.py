"""Apps from the page: made from a git URL, renamed, deleted with a way back for a while
(404 everywhere meanwhile), and purged after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from appwright.git.repository import AppRepository
from appwright.store.schema import apps, files, versions

FILES = {"index.html": "<h1>Shop</h1>\n", "css/site.css": "h1 { color: teal }\n"}


async def make_git_repo(path: Path) -> str:
    repo = AppRepository(path)
    await repo.ensure()
    await repo.commit(FILES, "first", "Someone", "someone@example.com", "v1")
    return str(path)


async def files_of(vendor: Any, app: str) -> dict[str, str]:
    listing = (await vendor.get(f"/api/apps/{app}/files")).json()
    return {
        f["path"]: (await vendor.get(f"/api/apps/{app}/files/{f['path']}")).json()["content"]
        for f in listing
    }


async def test_an_app_from_a_git_url_holds_the_branch_tip(make_service, tmp_path) -> None:
    service = await make_service(allow_local_remotes=True)
    vendor = await service.vendor()
    url = await make_git_repo(tmp_path / "site.git")
    made = await vendor.post("/api/apps/from-git", json={"name": "Imported", "url": url})
    assert made.status_code == 201, made.text
    app = made.json()
    assert app["name"] == "Imported" and app["version_count"] == 1
    assert await files_of(vendor, app["id"]) == FILES
    assert app["id"] in [a["id"] for a in (await vendor.get("/api/apps")).json()]


async def test_a_bad_git_url_is_refused_in_words_and_makes_nothing(make_service, tmp_path) -> None:
    service = await make_service(allow_local_remotes=True)
    vendor = await service.vendor()
    url = await make_git_repo(tmp_path / "site.git")
    cases = [
        ({"name": "x", "url": "git@github.com:o/r.git"}, "invalid_remote"),
        ({"name": "x", "url": "https://user:pw@example.com/r.git"}, "credentials_in_url"),
        ({"name": "x", "url": url, "branch": "nope"}, "branch_not_found"),
        ({"name": "x", "url": url, "branch": "bad..name"}, "invalid_branch"),
        ({"name": " ", "url": url}, "name_required"),
        ({"name": "x", "url": str(tmp_path / "missing.git")}, None),
    ]
    for body, code in cases:
        response = await vendor.post("/api/apps/from-git", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
        error = response.json()["error"]
        assert error["message"].endswith((".", ")")) or " " in error["message"], error
        if code:
            assert error["code"] == code, (body, error)
    assert (await vendor.get("/api/apps")).json() == []


async def test_private_addresses_are_refused_by_default(new_vendor) -> None:
    vendor = await new_vendor()
    for url in ("http://127.0.0.1:9/r.git", "/srv/repos/r.git", "https://10.0.0.1/r.git"):
        response = await vendor.post("/api/apps/from-git", json={"name": "x", "url": url})
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["code"] in (
            "remote_not_public",
            "local_remote_not_allowed",
            "insecure_remote",
        )
    assert (await vendor.get("/api/apps")).json() == []


async def test_rename_an_app(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app(FILES, name="Old name")
    renamed = await owner.request("PATCH", f"/api/apps/{app}", json={"name": "  New name "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "New name"
    assert (await owner.get(f"/api/apps/{app}")).json()["name"] == "New name"
    blank = await owner.request("PATCH", f"/api/apps/{app}", json={"name": ""})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "name_required"
    long = await owner.request("PATCH", f"/api/apps/{app}", json={"name": "x" * 201})
    assert long.status_code == 422 and long.json()["error"]["code"] == "name_too_long"
    theirs = await stranger.request("PATCH", f"/api/apps/{app}", json={"name": "Mine"})
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "app_not_found"
    assert (await owner.get(f"/api/apps/{app}")).json()["name"] == "New name"


async def test_a_deleted_app_is_gone_everywhere_until_restored(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app(FILES, name="Doomed")
    session = (await owner.post(f"/api/apps/{app}/sessions")).json()["id"]

    assert (await stranger.delete(f"/api/apps/{app}")).status_code == 404
    deleted = await owner.delete(f"/api/apps/{app}")
    assert deleted.status_code == 200, deleted.text
    body = deleted.json()
    assert body["id"] == app and body["restore_until"] > body["deleted_at"]

    for method, url in (
        ("GET", f"/api/apps/{app}"),
        ("GET", f"/api/apps/{app}/files"),
        ("GET", f"/api/apps/{app}/files/index.html"),
        ("PUT", f"/api/apps/{app}/files/index.html"),
        ("GET", f"/api/apps/{app}/versions"),
        ("GET", f"/api/apps/{app}/sessions"),
        ("POST", f"/api/apps/{app}/sessions"),
        ("GET", f"/api/apps/{app}/preview"),
        ("GET", f"/api/apps/{app}/events?after=0"),
        ("GET", f"/api/sessions/{session}/events?after=0"),
        ("POST", f"/api/sessions/{session}/messages"),
        ("DELETE", f"/api/apps/{app}"),
    ):
        kwargs: dict[str, Any] = {}
        if method in ("PUT", "POST"):
            kwargs["json"] = {"content": "x", "text": "hello"}
        response = await owner.request(method, url, **kwargs)
        assert response.status_code == 404, (method, url, response.text)
    assert (await owner.get("/api/apps")).json() == []

    listed = (await owner.get("/api/deleted-apps")).json()
    assert [a["id"] for a in listed] == [app] and listed[0]["name"] == "Doomed"
    assert (await stranger.get("/api/deleted-apps")).json() == []
    assert (await stranger.post(f"/api/deleted-apps/{app}/restore")).status_code == 404

    restored = await owner.post(f"/api/deleted-apps/{app}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["name"] == "Doomed"
    assert await files_of(owner, app) == FILES
    assert (await owner.get(f"/api/sessions/{session}/events?after=0")).status_code == 200
    assert (await owner.get("/api/deleted-apps")).json() == []
    again = await owner.post(f"/api/deleted-apps/{app}/restore")
    assert again.status_code == 404


async def test_past_its_window_a_deleted_app_is_purged(make_service) -> None:
    service = await make_service(app_restore_seconds=0)
    vendor = await service.vendor()
    app = await vendor.create_app(FILES)
    await vendor.post(f"/api/apps/{app}/sessions")
    assert (await vendor.delete(f"/api/apps/{app}")).status_code == 200
    assert (await vendor.get("/api/deleted-apps")).json() == []
    assert (await vendor.post(f"/api/deleted-apps/{app}/restore")).status_code == 404

    async def rows(conn: Any) -> tuple[int, int, int]:
        count = sa.func.count()
        return (
            int(await conn.scalar(sa.select(count).select_from(apps).where(apps.c.id == app))),
            int(
                await conn.scalar(sa.select(count).select_from(files).where(files.c.app_id == app))
            ),
            int(
                await conn.scalar(
                    sa.select(count).select_from(versions).where(versions.c.app_id == app)
                )
            ),
        )

    assert await service.runtime.db.read(rows) == (0, 0, 0)
    repos = service.runtime.git_outbox.repos_dir
    assert not (repos / f"{app}.git").exists()
