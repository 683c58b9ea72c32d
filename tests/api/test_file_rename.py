"""Renaming a file from the page is one version: the content moves, one undo takes it back,
and a taken name or a missing file is refused in words with nothing changed."""

from __future__ import annotations

from typing import Any

FILES = {"about.html": "<h1>About</h1>\n", "index.html": "<a href=about.html>About</a>\n"}


async def listing(vendor: Any, app: str) -> list[str]:
    return sorted(f["path"] for f in (await vendor.get(f"/api/apps/{app}/files")).json())


async def versions(vendor: Any, app: str) -> list[dict[str, Any]]:
    return (await vendor.get(f"/api/apps/{app}/versions")).json()


async def rename(vendor: Any, app: str, path: str, to: Any) -> Any:
    return await vendor.post(f"/api/apps/{app}/files/{path}/rename", json={"to": to})


async def test_a_rename_is_one_version_and_one_undo(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app(FILES)
    response = await rename(vendor, app, "about.html", "pages/about.html")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["path"] == "pages/about.html" and body["from"] == "about.html"
    assert body["version"]["paths"] == ["about.html", "pages/about.html"]
    assert await listing(vendor, app) == ["index.html", "pages/about.html"]
    moved = (await vendor.get(f"/api/apps/{app}/files/pages/about.html")).json()
    assert moved["content"] == FILES["about.html"]
    history = await versions(vendor, app)
    assert len(history) == 2 and history[0]["source"] == "manual"

    assert (await vendor.post(f"/api/apps/{app}/undo")).status_code == 200
    assert await listing(vendor, app) == ["about.html", "index.html"]


async def test_a_taken_name_or_a_missing_file_changes_nothing(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app(FILES)
    taken = await rename(vendor, app, "about.html", "index.html")
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "file_exists"
    assert "index.html exists already" in taken.json()["error"]["message"]

    missing = await rename(vendor, app, "nope.html", "other.html")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "file_not_found"

    for bad, code in (("../up.html", "path_traversal"), ("/abs.html", None), ("", None)):
        refused = await rename(vendor, app, "about.html", bad)
        assert refused.status_code == 422, (bad, refused.text)
        if code:
            assert refused.json()["error"]["code"] == code
    no_body = await vendor.post(f"/api/apps/{app}/files/about.html/rename", json={})
    assert no_body.status_code == 422

    # Into a path under a file (a file cannot also be a folder).
    under = await rename(vendor, app, "about.html", "index.html/about.html")
    assert under.status_code == 422, under.text
    assert await listing(vendor, app) == ["about.html", "index.html"]
    assert len(await versions(vendor, app)) == 1

    same = await rename(vendor, app, "about.html", "about.html")
    assert same.status_code == 200 and same.json()["version"] is None


async def test_another_vendors_file_is_not_found(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app(FILES)
    response = await rename(stranger, app, "about.html", "mine.html")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "app_not_found"
    assert await listing(owner, app) == ["about.html", "index.html"]
